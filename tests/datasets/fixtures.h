#pragma once

#include <array>
#include <functional>
#include <string>
#include <vector>

#include <QTemporaryDir>

#include <gtest/gtest.h>

#include "datasets/dataset.h"

namespace hpf::test {

// A scratch folder that disappears with the test.
class TempDir {
 public:
  TempDir();
  std::string path() const { return dir_.path().toStdString(); }
  // Writes `content` to <path>/<relative>, creating folders; returns the absolute path.
  std::string write(const std::string& relative, const std::string& content) const;
  // Writes a w x h image (via cv::imwrite; the extension picks PNG or lossy JPEG) whose every pixel is the
  // given RGB colour; returns the absolute path.
  std::string write_png(const std::string& relative, int width, int height, int r, int g, int b) const;
  // Writes a MATLAB v5 file with double variables kps (rows x 2, row-major input) and bbox (1 x 4).
  std::string write_pascal_mat(const std::string& relative, const std::vector<std::array<double, 2>>& kps,
                               const std::array<double, 4>& bbox) const;

 private:
  QTemporaryDir dir_;
};

// Packs every file under `folder` into a zip / tar.gz, member names prefixed with `prefix` ("" or "X/").
void make_zip(const std::string& folder, const std::string& zip_path, const std::string& prefix);
void make_tar_gz(const std::string& folder, const std::string& tar_path, const std::string& prefix);
// Writes a zip / tar.gz with exactly these (name, content) members, names stored verbatim (even "../x").
void make_zip_members(const std::string& zip_path,
                      const std::vector<std::pair<std::string, std::string>>& members);
void make_tar_gz_members(const std::string& tar_path,
                         const std::vector<std::pair<std::string, std::string>>& members);

// The DatasetError message thrown by `action`; fails the test (and returns "") if it throws nothing or
// another type.
std::string error_of(const std::function<void()>& action);

}  // namespace hpf::test

// Asserts that the DatasetError from `statement` mentions every listed fragment.
#define EXPECT_DATASET_ERROR(statement, ...)                                             \
  do {                                                                                   \
    const std::string hpf_message = ::hpf::test::error_of([&]() { (void)(statement); }); \
    for (const std::string& hpf_fragment : std::vector<std::string>{__VA_ARGS__}) {      \
      EXPECT_NE(hpf_message.find(hpf_fragment), std::string::npos)                       \
          << "message: " << hpf_message << "\nmissing: " << hpf_fragment;                \
    }                                                                                    \
  } while (false)
