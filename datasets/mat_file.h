#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hpf {

// A real, dense, 2-D numeric MATLAB variable converted to double, row-major.
struct MatMatrix {
  size_t rows = 0, cols = 0;
  std::vector<double> values;  // values[r * cols + c]
  double at(size_t r, size_t c) const { return values[r * cols + c]; }
};

// Reads variable `name` from the bytes of a level-5 .mat file (MATLAB v5-v7) with matio, after checking the
// file's structure (mat_structure.h) so that hostile sizes never reach matio. matio
// only reads from a path, so the bytes go through a private temporary file. Throws DatasetError naming
// `location` when the bytes are not a .mat file, the variable is missing, or it is not a real 2-D numeric
// matrix.
MatMatrix read_mat_matrix(const std::vector<uint8_t>& bytes, const std::string& name,
                          const std::string& location);

}  // namespace hpf
