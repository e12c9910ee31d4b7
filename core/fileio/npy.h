#pragma once
// NumPy's .npy format (version 1.0) for float32 arrays in C order, so that exported features load with
// numpy.load() as they are: magic, version, a little-endian header length, the header dict padded to a
// multiple of 64 bytes, then the raw little-endian values.

#include <cstdint>
#include <string>
#include <vector>

namespace hpf {

// The .npy file's bytes for `values` of `shape` (their product must equal values' count).
std::string npy_float32(const float* values, const std::vector<int64_t>& shape);

}  // namespace hpf
