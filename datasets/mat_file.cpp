#include "datasets/mat_file.h"

#include <matio.h>

#include <QDir>
#include <QTemporaryFile>

#include "datasets/dataset_error.h"
#include "datasets/mat_structure.h"

namespace hpf {
namespace {

template <typename T>
void copy_column_major(const matvar_t& var, MatMatrix& out) {
  const T* data = static_cast<const T*>(var.data);
  for (size_t c = 0; c < out.cols; ++c) {
    for (size_t r = 0; r < out.rows; ++r) out.values[r * out.cols + c] = double(data[c * out.rows + r]);
  }
}

// Frees the matio handles on every exit path, including exceptions.
struct MatHandles {
  mat_t* file = nullptr;
  matvar_t* var = nullptr;
  ~MatHandles() {
    if (var != nullptr) Mat_VarFree(var);
    if (file != nullptr) Mat_Close(file);
  }
};

}  // namespace

MatMatrix read_mat_matrix(const std::vector<uint8_t>& bytes, const std::string& name,
                          const std::string& location) {
  check_mat5_structure(bytes, location);  // before matio, which trusts the sizes the file declares
  QTemporaryFile temp(QDir::tempPath() + "/hpf_mat_XXXXXX.mat");
  if (!temp.open() ||
      temp.write(reinterpret_cast<const char*>(bytes.data()), qint64(bytes.size())) != qint64(bytes.size()) ||
      !temp.flush()) {
    throw DatasetError(location +
                       ": cannot stage the .mat file for reading: " + temp.errorString().toStdString());
  }
  MatHandles handles;
  handles.file = Mat_Open(temp.fileName().toLocal8Bit().constData(), MAT_ACC_RDONLY);
  if (handles.file == nullptr) {
    throw DatasetError(location + ": not a MATLAB .mat file (" + std::to_string(bytes.size()) + " bytes)");
  }
  handles.var = Mat_VarRead(handles.file, name.c_str());
  if (handles.var == nullptr) throw DatasetError(location + ": no readable variable '" + name + "'");
  const matvar_t& var = *handles.var;
  if (var.rank != 2 || var.isComplex || (var.data == nullptr && var.dims[0] * var.dims[1] != 0)) {
    throw DatasetError(location + ": variable '" + name +
                       "': expected a real 2-D numeric matrix, found rank " + std::to_string(var.rank) +
                       (var.isComplex ? " complex" : "") + " data");
  }
  // matio believes the dimensions a file declares: a few hundred hostile bytes can claim billions of elements
  // (found by fuzzing). Each stored element takes at least one byte of the file, or 1/1032 of a byte after
  // zlib (deflate's best ratio), so anything larger is a lie and must not be allocated.
  constexpr uint64_t kMaxElementsPerFileByte = 1032;
  uint64_t elements = 0;
  if (__builtin_mul_overflow(uint64_t(var.dims[0]), uint64_t(var.dims[1]), &elements) ||
      elements > uint64_t(bytes.size()) * kMaxElementsPerFileByte) {
    throw DatasetError(location + ": variable '" + name + "': declares " + std::to_string(var.dims[0]) +
                       " x " + std::to_string(var.dims[1]) + " elements, more than a " +
                       std::to_string(bytes.size()) + "-byte file can hold");
  }
  MatMatrix out;
  out.rows = var.dims[0];
  out.cols = var.dims[1];
  out.values.resize(out.rows * out.cols);
  switch (var.class_type) {
    case MAT_C_DOUBLE:
      copy_column_major<double>(var, out);
      break;
    case MAT_C_SINGLE:
      copy_column_major<float>(var, out);
      break;
    case MAT_C_INT8:
      copy_column_major<int8_t>(var, out);
      break;
    case MAT_C_UINT8:
      copy_column_major<uint8_t>(var, out);
      break;
    case MAT_C_INT16:
      copy_column_major<int16_t>(var, out);
      break;
    case MAT_C_UINT16:
      copy_column_major<uint16_t>(var, out);
      break;
    case MAT_C_INT32:
      copy_column_major<int32_t>(var, out);
      break;
    case MAT_C_UINT32:
      copy_column_major<uint32_t>(var, out);
      break;
    case MAT_C_INT64:
      copy_column_major<int64_t>(var, out);
      break;
    case MAT_C_UINT64:
      copy_column_major<uint64_t>(var, out);
      break;
    default:
      throw DatasetError(location + ": variable '" + name +
                         "': expected a numeric matrix, found matio class " +
                         std::to_string(int(var.class_type)));
  }
  return out;
}

}  // namespace hpf
