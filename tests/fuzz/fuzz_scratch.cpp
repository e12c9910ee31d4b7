#include "tests/fuzz/fuzz_scratch.h"

#include <matio.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace hpf::fuzz {
namespace {

namespace fs = std::filesystem;

// Removes the folder at exit; libFuzzer leaves through exit() both after -runs and after a crash report.
struct ScratchDir {
  std::string path;
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/hpf_fuzz_XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create " + pattern);
    path = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

}  // namespace

const std::string& scratch_dir() {
  static const ScratchDir dir;
  return dir.path;
}

std::string write_scratch_file(const std::string& relative, const uint8_t* data, size_t size) {
  const fs::path path = fs::path(scratch_dir()) / relative;
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path.string();
}

std::string write_scratch_file(const std::string& relative, const std::string& content) {
  return write_scratch_file(relative, reinterpret_cast<const uint8_t*>(content.data()), content.size());
}

void write_pascal_annotation(const std::string& relative, const std::vector<double>& kps_xy,
                             const std::vector<double>& bbox) {
  const fs::path path = fs::path(scratch_dir()) / relative;
  fs::create_directories(path.parent_path());
  mat_t* mat = Mat_CreateVer(path.string().c_str(), nullptr, MAT_FT_MAT5);
  if (mat == nullptr) throw std::runtime_error("cannot create " + path.string());
  // MATLAB stores column-major: all x, then all y.
  const size_t rows = kps_xy.size() / 2;
  std::vector<double> column_major(kps_xy.size());
  for (size_t r = 0; r < rows; ++r) {
    column_major[r] = kps_xy[2 * r];
    column_major[rows + r] = kps_xy[2 * r + 1];
  }
  size_t kps_dims[2] = {rows, 2};
  size_t box_dims[2] = {1, bbox.size()};
  std::vector<double> box = bbox;
  matvar_t* kps = Mat_VarCreate("kps", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, kps_dims, column_major.data(), 0);
  matvar_t* box_var = Mat_VarCreate("bbox", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, box_dims, box.data(), 0);
  Mat_VarWrite(mat, kps, MAT_COMPRESSION_NONE);
  Mat_VarWrite(mat, box_var, MAT_COMPRESSION_NONE);
  Mat_VarFree(kps);
  Mat_VarFree(box_var);
  Mat_Close(mat);
}

}  // namespace hpf::fuzz
