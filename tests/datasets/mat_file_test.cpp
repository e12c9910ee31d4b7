// read_mat_matrix on valid and hostile .mat files (the hostile layout was found by tests/fuzz).

#include "datasets/mat_file.h"
#include "tests/datasets/fixtures.h"

#include <matio.h>
#include <QFile>

#include <cstring>

namespace hpf {
namespace {

std::vector<uint8_t> read_bytes(const std::string& path) {
  QFile file(QString::fromStdString(path));
  EXPECT_TRUE(file.open(QIODevice::ReadOnly)) << path;
  const QByteArray bytes = file.readAll();
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

// Offset of the dimensions of the first variable: the miINT32 sub-element {type 5, 8 bytes, rows, cols}.
size_t dims_offset(const std::vector<uint8_t>& bytes, int32_t rows, int32_t cols) {
  const int32_t pattern[4] = {5, 8, rows, cols};
  for (size_t i = 128; i + sizeof(pattern) <= bytes.size(); i += 4) {
    if (std::memcmp(bytes.data() + i, pattern, sizeof(pattern)) == 0) return i + 8;
  }
  ADD_FAILURE() << "no " << rows << " x " << cols << " dimensions in the file";
  return 0;
}

TEST(MatFile, ReadsAMatrixRowMajor) {
  test::TempDir dir;
  const std::vector<uint8_t> bytes =
      read_bytes(dir.write_pascal_mat("a.mat", {{{1, 2}}, {{3, 4}}, {{5, 6}}}, {7, 8, 9, 10}));
  const MatMatrix kps = read_mat_matrix(bytes, "kps", "a.mat");
  ASSERT_EQ(kps.rows, 3u);
  ASSERT_EQ(kps.cols, 2u);
  EXPECT_EQ(kps.values, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(read_mat_matrix(bytes, "bbox", "a.mat").values, (std::vector<double>{7, 8, 9, 10}));
}

// A 3 x 2 matrix whose header claims 3 x 2^20: matio would allocate that much and return it with the 6 values
// the file holds, the rest undefined. It must be refused before matio reads it.
TEST(MatFile, RefusesDimensionsLargerThanTheDataHeld) {
  test::TempDir dir;
  std::vector<uint8_t> bytes =
      read_bytes(dir.write_pascal_mat("a.mat", {{{1, 2}}, {{3, 4}}, {{5, 6}}}, {7, 8, 9, 10}));
  const size_t offset = dims_offset(bytes, 3, 2);
  const int32_t huge_cols = int32_t(1) << 20;
  std::memcpy(bytes.data() + offset + 4, &huge_cols, sizeof(huge_cols));
  EXPECT_DATASET_ERROR(read_mat_matrix(bytes, "kps", "a.mat"), "a.mat: malformed .mat file at byte 136",
                       "matrix declares 3145728 elements but holds only");
}

// Found by fuzzing: a dimensions element declaring 2^32 - 1 bytes made matio reserve 8 GiB for the rank array
// of a 356-byte file; another layout made it touch 4 GiB. Element sizes are checked against their parent
// first.
TEST(MatFile, RefusesElementsLargerThanTheirParent) {
  test::TempDir dir;
  std::vector<uint8_t> bytes = read_bytes(dir.write_pascal_mat("a.mat", {{{1, 2}}}, {7, 8, 9, 10}));
  const size_t tag = dims_offset(bytes, 1, 2) - 8;
  const uint32_t huge = 0xffffffffu;
  std::memcpy(bytes.data() + tag + 4, &huge, sizeof(huge));
  EXPECT_DATASET_ERROR(read_mat_matrix(bytes, "kps", "a.mat"),
                       "a.mat: malformed .mat file at byte " + std::to_string(tag),
                       "element of type 5 declares 4294967295 bytes, only");
  // A small-format element (size in the tag's upper half) holds at most 4 bytes.
  bytes = read_bytes(dir.write_pascal_mat("b.mat", {{{1, 2}}}, {7, 8, 9, 10}));
  const uint32_t small_but_large = (uint32_t(0x4000) << 16) | 5;
  std::memcpy(bytes.data() + tag, &small_but_large, sizeof(small_but_large));
  EXPECT_DATASET_ERROR(read_mat_matrix(bytes, "kps", "b.mat"),
                       "b.mat: malformed .mat file at byte " + std::to_string(tag),
                       "small element declares 16384 bytes, at most 4 fit");
}

// Found by fuzzing: 56 bytes without a level-5 header made matio's v4 probing touch 2 GB. Only level-5 files
// reach matio; v7.3 (HDF5) is refused with advice.
TEST(MatFile, RefusesAnythingButLevel5) {
  std::vector<uint8_t> headerless(56, 0);
  headerless[15] = 'A';
  EXPECT_DATASET_ERROR(read_mat_matrix(headerless, "kps", "v4.mat"), "v4.mat: not a MATLAB .mat file",
                       "expected a level-5 (v5-v7) file with its 128-byte header, found 56 bytes");
  test::TempDir dir;
  std::vector<uint8_t> bytes = read_bytes(dir.write_pascal_mat("a.mat", {{{1, 2}}}, {7, 8, 9, 10}));
  bytes[124] = 0x00;  // version 0x0200, little-endian: v7.3
  bytes[125] = 0x02;
  EXPECT_DATASET_ERROR(read_mat_matrix(bytes, "kps", "h5.mat"),
                       "h5.mat: v7.3 (HDF5) .mat files are not supported");
  bytes[126] = 'X';
  EXPECT_DATASET_ERROR(read_mat_matrix(bytes, "kps", "x.mat"), "x.mat: not a MATLAB .mat file",
                       "(version 0x0100, endian 'IM' or 'MI' at byte 124)");
}

// Compressed files (MATLAB's default since v7) with cells and structs beside the matrix pass the checks.
TEST(MatFile, ReadsCompressedFilesWithCellsAndStructs) {
  test::TempDir dir;
  const std::string path = dir.path() + "/c.mat";
  mat_t* mat = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
  ASSERT_NE(mat, nullptr);
  double kps[4] = {1, 3, 2, 4};  // column-major 2 x 2: rows (1, 2) and (3, 4)
  size_t dims[2] = {2, 2};
  matvar_t* kps_var = Mat_VarCreate("kps", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dims, kps, 0);
  Mat_VarWrite(mat, kps_var, MAT_COMPRESSION_ZLIB);
  Mat_VarFree(kps_var);
  size_t cell_dims[2] = {1, 2};
  matvar_t* cell = Mat_VarCreate("names", MAT_C_CELL, MAT_T_CELL, 2, cell_dims, nullptr, 0);
  char text[] = "wing";
  size_t text_dims[2] = {1, 4};
  for (size_t i = 0; i < 2; ++i) {
    Mat_VarSetCell(cell, int(i), Mat_VarCreate(nullptr, MAT_C_CHAR, MAT_T_UINT8, 2, text_dims, text, 0));
  }
  Mat_VarWrite(mat, cell, MAT_COMPRESSION_ZLIB);
  Mat_VarFree(cell);
  const char* fields[] = {"id"};
  size_t one[2] = {1, 1};
  matvar_t* record = Mat_VarCreateStruct("meta", 2, one, fields, 1);
  double id = 7;
  Mat_VarSetStructFieldByName(record, "id", 0,
                              Mat_VarCreate(nullptr, MAT_C_DOUBLE, MAT_T_DOUBLE, 2, one, &id, 0));
  Mat_VarWrite(mat, record, MAT_COMPRESSION_NONE);
  Mat_VarFree(record);
  Mat_Close(mat);

  const MatMatrix read = read_mat_matrix(read_bytes(path), "kps", "c.mat");
  ASSERT_EQ(read.rows, 2u);
  EXPECT_EQ(read.values, (std::vector<double>{1, 2, 3, 4}));
}

}  // namespace
}  // namespace hpf
