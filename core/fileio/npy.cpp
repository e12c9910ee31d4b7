#include "core/fileio/npy.h"

#include <cstring>
#include <stdexcept>

namespace hpf {

std::string npy_float32(const float* values, const std::vector<int64_t>& shape) {
  static_assert(sizeof(float) == 4, "float32 expected");
  int64_t count = 1;
  std::string dims;
  for (int64_t d : shape) {
    if (d < 0) throw std::invalid_argument("npy: negative dimension");
    count *= d;
    dims += std::to_string(d) + ", ";
  }
  if (shape.size() > 1) dims.resize(dims.size() - 1);  // "(3, 4)" but "(3,)" for one dimension
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // magic (6) + version (2) + length (2) + header + '\n', padded with spaces to a multiple of 64.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>((header.size() >> 8) & 0xFF);
  out += header;
  const size_t bytes = static_cast<size_t>(count) * sizeof(float);
  const size_t start = out.size();
  out.resize(start + bytes);
  std::memcpy(&out[start], values, bytes);  // x86/ARM hosts are little-endian, as '<f4' says
  return out;
}

}  // namespace hpf
