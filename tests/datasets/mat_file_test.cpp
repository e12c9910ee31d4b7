// read_mat_matrix on valid and hostile .mat files (the hostile layout was found by tests/fuzz).

#include "datasets/mat_file.h"
#include "tests/datasets/fixtures.h"

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

// A 3 x 2 matrix whose header claims 3 x 2^20: matio allocates that much and returns it with the 6 values the
// file holds, the rest undefined. Found by fuzzing with 2 x 2^28 (a 4 GiB conversion buffer from 356 bytes);
// 2^20 keeps matio's own allocation small here. It must be refused, not converted.
TEST(MatFile, RefusesDimensionsLargerThanTheFileCanHold) {
  test::TempDir dir;
  std::vector<uint8_t> bytes =
      read_bytes(dir.write_pascal_mat("a.mat", {{{1, 2}}, {{3, 4}}, {{5, 6}}}, {7, 8, 9, 10}));
  const size_t offset = dims_offset(bytes, 3, 2);
  const int32_t huge_cols = int32_t(1) << 20;
  std::memcpy(bytes.data() + offset + 4, &huge_cols, sizeof(huge_cols));
  EXPECT_DATASET_ERROR(read_mat_matrix(bytes, "kps", "a.mat"), "a.mat: variable 'kps': declares 3 x 1048576",
                       "more than a " + std::to_string(bytes.size()) + "-byte file can hold");
}

}  // namespace
}  // namespace hpf
