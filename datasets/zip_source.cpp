#include "datasets/zip_source.h"

#include <quazip/quazip.h>
#include <quazip/quazipfile.h>
#include <quazip/quazipfileinfo.h>

#include "datasets/archive_limits.h"
#include "datasets/dataset_error.h"

namespace hpf {

ZipSource::ZipSource(const std::string& archive_path, const std::string& marker)
    : archive_path_(archive_path), zip_(std::make_unique<QuaZip>(QString::fromStdString(archive_path))) {
  if (!zip_->open(QuaZip::mdUnzip)) {
    throw DatasetError("zip " + archive_path + ": cannot open as a zip archive (error " +
                       std::to_string(zip_->getZipError()) + ")");
  }
  std::vector<std::string> names;
  for (bool more = zip_->goToFirstFile(); more; more = zip_->goToNextFile()) {
    QuaZipFileInfo64 info;
    if (!zip_->getCurrentFileInfo(&info)) {
      throw DatasetError("zip " + archive_path + ": unreadable central directory entry");
    }
    const std::string stored = info.name.toStdString();
    if (stored.empty() || stored.back() == '/') continue;  // folder entry
    const std::string normalized = normalize_relative_path(stored, "zip " + archive_path + ": entry");
    members_[normalized] = Member{stored, info.uncompressedSize};
    names.push_back(normalized);
  }
  if (zip_->getZipError() != 0) {
    throw DatasetError("zip " + archive_path + ": corrupt central directory (error " +
                       std::to_string(zip_->getZipError()) + ")");
  }
  root_ = find_root_in_listing(names, marker, archive_path);
}

ZipSource::~ZipSource() = default;

std::string ZipSource::location(const std::string& relative_path) const {
  return archive_path_ + ":" + (root_.empty() ? "" : root_ + "/") + relative_path;
}

const ZipSource::Member* ZipSource::find(const std::string& relative_path) const {
  const std::string path = normalize_relative_path(relative_path, "zip " + archive_path_);
  const auto it = members_.find(root_.empty() ? path : root_ + "/" + path);
  return it == members_.end() ? nullptr : &it->second;
}

bool ZipSource::exists(const std::string& relative_path) const {
  return find(relative_path) != nullptr;
}

std::vector<uint8_t> ZipSource::read(const std::string& relative_path) const {
  const Member* member = find(relative_path);
  if (member == nullptr) throw DatasetError(location(relative_path) + ": no such member in the zip");
  if (member->size > kMaxArchiveMemberBytes) {
    throw DatasetError(location(relative_path) + ": member is " + std::to_string(member->size) +
                       " bytes, more than the " + std::to_string(kMaxArchiveMemberBytes) + " bytes allowed");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (!zip_->setCurrentFile(QString::fromStdString(member->name_in_zip), QuaZip::csSensitive)) {
    throw DatasetError(location(relative_path) + ": cannot seek to member");
  }
  QuaZipFile file(zip_.get());
  if (!file.open(QIODevice::ReadOnly)) {
    throw DatasetError(location(relative_path) + ": cannot open member (error " +
                       std::to_string(file.getZipError()) + ")");
  }
  const QByteArray bytes = file.readAll();
  file.close();
  // close() verifies the CRC; a mismatch or a short read means a damaged archive.
  if (file.getZipError() != 0 || uint64_t(bytes.size()) != member->size) {
    throw DatasetError(location(relative_path) + ": damaged member: expected " +
                       std::to_string(member->size) + " bytes with a valid CRC, got " +
                       std::to_string(bytes.size()) + " bytes (error " + std::to_string(file.getZipError()) +
                       ")");
  }
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

}  // namespace hpf
