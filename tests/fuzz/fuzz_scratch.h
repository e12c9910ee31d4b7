#pragma once
// Scratch files for fuzz targets whose parser only reads from a path (matio, QuaZip, libarchive, the dataset
// readers): one private folder per fuzzing process, removed when the process exits.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hpf::fuzz {

// The process's scratch folder (created on first use under $TMPDIR or /tmp).
const std::string& scratch_dir();

// Writes `size` bytes to <scratch>/<relative>, creating folders; returns the absolute path.
std::string write_scratch_file(const std::string& relative, const uint8_t* data, size_t size);
std::string write_scratch_file(const std::string& relative, const std::string& content);

// A MATLAB v5 file (written with matio) with double variables kps (rows x 2) and bbox (1 x 4), the layout of
// a PF-PASCAL annotation.
void write_pascal_annotation(const std::string& relative, const std::vector<double>& kps_xy,
                             const std::vector<double>& bbox);

}  // namespace hpf::fuzz
