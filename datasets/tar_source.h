#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "datasets/source.h"

struct archive;

namespace hpf {

// A dataset read straight out of a .tar / .tar.gz / .tgz. A compressed tar has no random access, so:
//  - opening reads the archive once to index it and keeps annotation-like members (.csv .txt .json .mat) in
//    memory (up to kTarAnnotationCacheBytes), which is what pairs() needs;
//  - other members (images) are read on demand by scanning forward from the last position, reopening the
//    archive only when asked for a member that lies behind it. Reading in archive order is therefore cheap,
//    random order costs a partial decompression per read; unpack the archive for heavy repeated evaluation.
class TarSource : public DatasetSource {
 public:
  TarSource(const std::string& archive_path, const std::string& marker);
  ~TarSource() override;

  std::string location(const std::string& relative_path) const override;
  bool exists(const std::string& relative_path) const override;
  std::vector<uint8_t> read(const std::string& relative_path) const override;

 private:
  struct Member {
    size_t ordinal = 0;  // position among the archive's headers, for the forward scan
    uint64_t size = 0;
    bool cached = false;
    std::vector<uint8_t> data;  // filled when cached
  };
  struct archive* open_reader() const;
  void close_reader() const;
  const Member* find(const std::string& relative_path) const;

  std::string archive_path_;
  std::string root_;
  std::map<std::string, Member> members_;  // normalized path in the archive -> member

  mutable std::mutex mutex_;  // guards the scan cursor below
  mutable struct archive* cursor_ = nullptr;
  mutable size_t cursor_next_ordinal_ = 0;  // ordinal of the header the cursor reads next
};

}  // namespace hpf
