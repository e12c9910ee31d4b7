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
//    memory (up to 512 MiB), which is what pairs() needs;
//  - other members (images) are read on demand by scanning forward from the last position, reopening the
//    archive only for a member that lies behind it. Members passed over on the way are decompressed anyway,
//    so they are kept too while a second budget (256 MiB) lasts: a small dataset ends up fully in memory
//    after one pass, a large one costs at most a partial decompression per miss. Unpack SPair-71k for heavy
//    repeated use.
class TarSource : public DatasetSource {
 public:
  // `on_demand_cache_bytes` bounds the images etc. kept after a scan (tests pass 0 to force rescans).
  TarSource(const std::string& archive_path, const std::string& marker,
            uint64_t on_demand_cache_bytes = kDefaultOnDemandCacheBytes);
  static constexpr uint64_t kDefaultOnDemandCacheBytes = uint64_t(256) << 20;
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
  // Keeps `data` for `member` if the on-demand budget allows. Caller holds mutex_.
  void remember(Member& member, std::vector<uint8_t> data) const;
  struct archive* open_reader() const;
  void close_reader() const;
  const Member* find(const std::string& relative_path) const;

  std::string archive_path_;
  std::string root_;
  // Normalized path in the archive -> member. The map's shape is fixed after construction; cached/data of a
  // member may change later, under mutex_.
  mutable std::map<std::string, Member> members_;
  std::vector<std::string> names_by_ordinal_;  // "" for headers that are not regular files

  mutable std::mutex mutex_;  // guards member caches and the scan cursor below
  uint64_t on_demand_budget_ = 0;
  mutable uint64_t on_demand_cached_bytes_ = 0;
  mutable struct archive* cursor_ = nullptr;
  mutable size_t cursor_next_ordinal_ = 0;  // ordinal of the header the cursor reads next
};

}  // namespace hpf
