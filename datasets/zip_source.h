#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "datasets/source.h"

class QuaZip;

namespace hpf {

// A dataset read straight out of a .zip. The central directory is indexed once on open; members are
// decompressed on demand (zip has random access, so nothing is cached).
class ZipSource : public DatasetSource {
 public:
  ZipSource(const std::string& archive_path, const std::string& marker);
  ~ZipSource() override;

  std::string location(const std::string& relative_path) const override;
  bool exists(const std::string& relative_path) const override;
  std::vector<uint8_t> read(const std::string& relative_path) const override;

 private:
  struct Member {
    std::string name_in_zip;  // as stored, for QuaZip::setCurrentFile
    uint64_t size = 0;
  };
  const Member* find(const std::string& relative_path) const;

  std::string archive_path_;
  std::string root_;                       // "" or "folder/inside/zip"
  std::map<std::string, Member> members_;  // normalized path in the archive -> member
  mutable std::mutex mutex_;               // QuaZip keeps a "current file": one reader at a time
  std::unique_ptr<QuaZip> zip_;
};

}  // namespace hpf
