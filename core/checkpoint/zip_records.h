#pragma once
// Read-only access to the records of a zip archive (QuaZip underneath), for the checkpoint reader.
// Sizes from the archive's directory are sanity-checked against the archive's own size before any buffer is
// allocated, and every record is checked against its CRC, because the archive is untrusted input.
// Errors are std::runtime_error with a message that does not repeat the archive path (the caller adds it).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

class QuaZip;

namespace hpf {

class ZipRecords {
 public:
  // Opens the archive and lists its records; throws if its central directory cannot be read.
  explicit ZipRecords(const std::string& path);
  ~ZipRecords();
  ZipRecords(const ZipRecords&) = delete;
  ZipRecords& operator=(const ZipRecords&) = delete;

  // Record names in archive order.
  const std::vector<std::string>& names() const { return names_; }
  bool contains(const std::string& name) const { return records_.count(name) != 0; }
  // Uncompressed size of `name` as the archive's directory declares it.
  uint64_t declared_size(const std::string& name) const;

  // The whole content of record `name`. Throws if it declares more than `max_bytes`, cannot be read in full,
  // or fails its CRC check.
  std::vector<uint8_t> read(const std::string& name, uint64_t max_bytes);

 private:
  struct Record {
    uint64_t compressed_size = 0;
    uint64_t uncompressed_size = 0;
    uint16_t method = 0;  // 0 stored, 8 deflated
  };

  std::unique_ptr<QuaZip> zip_;
  uint64_t archive_size_ = 0;
  std::vector<std::string> names_;
  std::map<std::string, Record> records_;
};

}  // namespace hpf
