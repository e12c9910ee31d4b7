#pragma once
// Reading the `--kps FILE` argument: a JSON array of [x, y] pairs in original source-image pixels.

#include "core/pipeline/pair_matching.h"

#include <string>
#include <vector>

namespace hpf::cli {

// Throws std::runtime_error naming the file and, for a malformed entry, its index and what was found.
std::vector<Point2> read_keypoint_file(const std::string& path);

}  // namespace hpf::cli
