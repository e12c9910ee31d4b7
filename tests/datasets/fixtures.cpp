#include "tests/datasets/fixtures.h"

#include <archive.h>
#include <archive_entry.h>
#include <matio.h>
#include <quazip/quazip.h>
#include <quazip/quazipfile.h>
#include <quazip/quazipnewinfo.h>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <opencv2/imgcodecs.hpp>

namespace hpf::test {

TempDir::TempDir() {
  EXPECT_TRUE(dir_.isValid());
}

std::string TempDir::write(const std::string& relative, const std::string& content) const {
  const QString path = dir_.filePath(QString::fromStdString(relative));
  QDir().mkpath(QFileInfo(path).path());
  QFile file(path);
  EXPECT_TRUE(file.open(QIODevice::WriteOnly)) << path.toStdString();
  file.write(content.data(), qint64(content.size()));
  return path.toStdString();
}

std::string TempDir::write_png(const std::string& relative, int width, int height, int r, int g,
                               int b) const {
  const std::string path = dir_.filePath(QString::fromStdString(relative)).toStdString();
  QDir().mkpath(QFileInfo(QString::fromStdString(path)).path());
  const cv::Mat image(height, width, CV_8UC3, cv::Scalar(b, g, r));  // OpenCV stores BGR
  EXPECT_TRUE(cv::imwrite(path, image)) << path;
  return path;
}

std::string TempDir::write_pascal_mat(const std::string& relative,
                                      const std::vector<std::array<double, 2>>& kps,
                                      const std::array<double, 4>& bbox) const {
  const std::string path = dir_.filePath(QString::fromStdString(relative)).toStdString();
  QDir().mkpath(QFileInfo(QString::fromStdString(path)).path());
  mat_t* mat = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
  EXPECT_NE(mat, nullptr) << path;
  // MATLAB is column-major: all x's, then all y's.
  std::vector<double> column_major(kps.size() * 2);
  for (size_t r = 0; r < kps.size(); ++r) {
    column_major[r] = kps[r][0];
    column_major[kps.size() + r] = kps[r][1];
  }
  size_t kps_dims[2] = {kps.size(), 2};
  matvar_t* kps_var = Mat_VarCreate("kps", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, kps_dims, column_major.data(), 0);
  Mat_VarWrite(mat, kps_var, MAT_COMPRESSION_NONE);
  Mat_VarFree(kps_var);
  std::array<double, 4> box = bbox;
  size_t box_dims[2] = {1, 4};
  matvar_t* box_var = Mat_VarCreate("bbox", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, box_dims, box.data(), 0);
  Mat_VarWrite(mat, box_var, MAT_COMPRESSION_NONE);
  Mat_VarFree(box_var);
  Mat_Close(mat);
  return path;
}

namespace {

std::vector<std::pair<std::string, std::string>> folder_members(const std::string& folder,
                                                                const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> members;
  QDirIterator it(QString::fromStdString(folder), QDir::Files, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString path = it.next();
    QFile file(path);
    EXPECT_TRUE(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    const std::string name = QDir(QString::fromStdString(folder)).relativeFilePath(path).toStdString();
    members.emplace_back(prefix + name, bytes.toStdString());
  }
  return members;
}

}  // namespace

void make_zip_members(const std::string& zip_path,
                      const std::vector<std::pair<std::string, std::string>>& members) {
  QuaZip zip(QString::fromStdString(zip_path));
  ASSERT_TRUE(zip.open(QuaZip::mdCreate)) << zip_path;
  for (const auto& [name, content] : members) {
    QuaZipFile file(&zip);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly, QuaZipNewInfo(QString::fromStdString(name))));
    file.write(content.data(), qint64(content.size()));
    file.close();
  }
  zip.close();
  ASSERT_EQ(zip.getZipError(), 0);
}

void make_tar_gz_members(const std::string& tar_path,
                         const std::vector<std::pair<std::string, std::string>>& members) {
  struct archive* writer = archive_write_new();
  archive_write_add_filter_gzip(writer);
  archive_write_set_format_pax_restricted(writer);
  ASSERT_EQ(archive_write_open_filename(writer, tar_path.c_str()), ARCHIVE_OK);
  for (const auto& [name, content] : members) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, name.c_str());
    archive_entry_set_size(entry, la_int64_t(content.size()));
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_write_header(writer, entry);
    archive_write_data(writer, content.data(), content.size());
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
}

void make_zip(const std::string& folder, const std::string& zip_path, const std::string& prefix) {
  make_zip_members(zip_path, folder_members(folder, prefix));
}

void make_tar_gz(const std::string& folder, const std::string& tar_path, const std::string& prefix) {
  make_tar_gz_members(tar_path, folder_members(folder, prefix));
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const DatasetError& error) {
    return error.what();
  } catch (const std::exception& error) {
    ADD_FAILURE() << "expected a DatasetError, got another exception: " << error.what();
    return "";
  }
  ADD_FAILURE() << "expected a DatasetError, nothing was thrown";
  return "";
}

}  // namespace hpf::test
