#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hpf {

// Checks the layout of a MATLAB level-5 .mat file before matio sees it. matio allocates what the headers
// declare (dimension counts, element sizes) before noticing that the data is missing, so a few hundred
// hostile bytes make it reserve or even touch gigabytes (found by fuzzing). This walks every data element,
// inflating compressed ones up to a fixed cap, and throws DatasetError naming `location` and the byte offset
// when an element claims more bytes than its parent holds, a matrix claims more elements than its data holds,
// or the nesting is implausible. v7.3 files (HDF5) and files too short to be level-5 are left to matio.
void check_mat5_structure(const std::vector<uint8_t>& bytes, const std::string& location);

}  // namespace hpf
