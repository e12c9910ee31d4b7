#include "core/checkpoint/zip_records.h"

#include <quazip/quazip.h>
#include <quazip/quazipfile.h>
#include <quazip/quazipfileinfo.h>

#include <QFileInfo>

#include <algorithm>
#include <stdexcept>

namespace hpf {

namespace {

// Deflate cannot expand data by more than ~1032:1, so a larger declared ratio means a corrupt directory.
constexpr uint64_t kMaxDeflateRatio = 1100;
constexpr uint64_t kReadChunk = uint64_t{1} << 20;

}  // namespace

ZipRecords::ZipRecords(const std::string& path)
    : zip_(std::make_unique<QuaZip>(QString::fromStdString(path))),
      archive_size_(static_cast<uint64_t>(QFileInfo(QString::fromStdString(path)).size())) {
  if (!zip_->open(QuaZip::mdUnzip)) {
    throw std::runtime_error(
        "zip archive is truncated or corrupt (its central directory cannot be read; zip error " +
        std::to_string(zip_->getZipError()) + ")");
  }
  for (bool more = zip_->goToFirstFile(); more; more = zip_->goToNextFile()) {
    QuaZipFileInfo64 info;
    if (!zip_->getCurrentFileInfo(&info)) {
      throw std::runtime_error("zip archive directory entry " + std::to_string(names_.size()) +
                               " cannot be read (zip error " + std::to_string(zip_->getZipError()) + ")");
    }
    const std::string name = info.name.toStdString();
    if (records_.count(name) == 0) names_.push_back(name);
    records_[name] = {info.compressedSize, info.uncompressedSize, info.method};
  }
  if (zip_->getZipError() != UNZ_OK) {
    throw std::runtime_error("zip archive directory is corrupt after " + std::to_string(names_.size()) +
                             " records (zip error " + std::to_string(zip_->getZipError()) + ")");
  }
}

ZipRecords::~ZipRecords() = default;

uint64_t ZipRecords::declared_size(const std::string& name) const {
  const auto it = records_.find(name);
  if (it == records_.end()) throw std::runtime_error("no record " + name + " in archive");
  return it->second.uncompressed_size;
}

std::vector<uint8_t> ZipRecords::read(const std::string& name, uint64_t max_bytes) {
  const auto it = records_.find(name);
  if (it == records_.end()) throw std::runtime_error("no record " + name + " in archive");
  const Record& r = it->second;
  const std::string what = "record " + name + " ";
  if (r.uncompressed_size > max_bytes) {
    throw std::runtime_error(what + "declares " + std::to_string(r.uncompressed_size) +
                             " bytes, more than the limit of " + std::to_string(max_bytes));
  }
  if (r.compressed_size > archive_size_ || (r.method == 0 && r.compressed_size != r.uncompressed_size) ||
      r.uncompressed_size > r.compressed_size * kMaxDeflateRatio + 1024) {
    throw std::runtime_error(what + "declares impossible sizes (" + std::to_string(r.compressed_size) +
                             " compressed, " + std::to_string(r.uncompressed_size) +
                             " uncompressed, in an archive of " + std::to_string(archive_size_) + " bytes)");
  }
  if (!zip_->setCurrentFile(QString::fromStdString(name), QuaZip::csSensitive)) {
    throw std::runtime_error(what + "cannot be located (zip error " + std::to_string(zip_->getZipError()) +
                             ")");
  }
  QuaZipFile file(zip_.get());
  if (!file.open(QIODevice::ReadOnly)) {
    throw std::runtime_error(what + "cannot be opened (zip error " + std::to_string(file.getZipError()) +
                             ")");
  }
  std::vector<uint8_t> bytes;
  // Grow with the data actually inflated rather than trusting the declared size for one big allocation.
  bytes.reserve(static_cast<size_t>(std::min(r.uncompressed_size, uint64_t{64} << 20)));
  while (bytes.size() <= r.uncompressed_size) {
    const uint64_t want = std::min(kReadChunk, r.uncompressed_size + 1 - bytes.size());
    const size_t old_size = bytes.size();
    bytes.resize(old_size + static_cast<size_t>(want));
    const qint64 got = file.read(reinterpret_cast<char*>(bytes.data() + old_size), static_cast<qint64>(want));
    if (got < 0) {
      throw std::runtime_error(what + "cannot be read after " + std::to_string(old_size) +
                               " bytes (truncated or corrupt; zip error " +
                               std::to_string(file.getZipError()) + ")");
    }
    bytes.resize(old_size + static_cast<size_t>(got));
    if (got == 0) break;
  }
  if (bytes.size() != r.uncompressed_size) {
    throw std::runtime_error(what + "holds " + std::to_string(bytes.size()) + " bytes but declares " +
                             std::to_string(r.uncompressed_size));
  }
  file.close();
  if (file.getZipError() != UNZ_OK) {
    throw std::runtime_error(what + "fails its CRC check (corrupt archive; zip error " +
                             std::to_string(file.getZipError()) + ")");
  }
  return bytes;
}

}  // namespace hpf
