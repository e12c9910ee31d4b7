#include "datasets/tar_source.h"

#include <archive.h>
#include <archive_entry.h>

#include "datasets/archive_limits.h"
#include "datasets/dataset_error.h"

namespace hpf {
namespace {

// Annotations are small and needed all at once by pairs(); images are read one at a time later.
constexpr uint64_t kTarAnnotationCacheBytes = uint64_t(512) << 20;

bool is_annotation_like(const std::string& path) {
  for (const char* ext : {".csv", ".txt", ".json", ".mat"}) {
    const std::string suffix(ext);
    if (path.size() >= suffix.size() &&
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return true;
    }
  }
  return false;
}

std::string archive_message(struct archive* reader) {
  const char* text = archive_error_string(reader);
  return text != nullptr ? text : "unknown libarchive error";
}

// Reads the current member's data; throws with `where` on a truncated or corrupt stream.
std::vector<uint8_t> read_member_data(struct archive* reader, uint64_t size, const std::string& where) {
  std::vector<uint8_t> data(size);
  size_t filled = 0;
  while (filled < size) {
    const la_ssize_t got = archive_read_data(reader, data.data() + filled, size - filled);
    if (got < 0) throw DatasetError(where + ": damaged member: " + archive_message(reader));
    if (got == 0) break;
    filled += size_t(got);
  }
  if (filled != size) {
    throw DatasetError(where + ": truncated member: expected " + std::to_string(size) + " bytes, got " +
                       std::to_string(filled));
  }
  return data;
}

}  // namespace

struct archive* TarSource::open_reader() const {
  struct archive* reader = archive_read_new();
  archive_read_support_filter_all(reader);
  archive_read_support_format_tar(reader);
  archive_read_support_format_gnutar(reader);
  if (archive_read_open_filename(reader, archive_path_.c_str(), 1 << 16) != ARCHIVE_OK) {
    const std::string message = archive_message(reader);
    archive_read_free(reader);
    throw DatasetError("tar " + archive_path_ + ": cannot open as a tar archive: " + message);
  }
  return reader;
}

void TarSource::close_reader() const {
  if (cursor_ != nullptr) archive_read_free(cursor_);
  cursor_ = nullptr;
  cursor_next_ordinal_ = 0;
}

TarSource::TarSource(const std::string& archive_path, const std::string& marker,
                     uint64_t on_demand_cache_bytes)
    : archive_path_(archive_path), on_demand_budget_(on_demand_cache_bytes) {
  struct archive* reader = open_reader();
  try {
    std::vector<std::string> names;
    uint64_t cached_bytes = 0;
    struct archive_entry* entry = nullptr;
    for (size_t ordinal = 0;; ++ordinal) {
      const int status = archive_read_next_header(reader, &entry);
      if (status == ARCHIVE_EOF) break;
      if (status < ARCHIVE_WARN) {
        throw DatasetError("tar " + archive_path + ": corrupt archive after " + std::to_string(ordinal) +
                           " entries: " + archive_message(reader));
      }
      const char* raw_name = archive_entry_pathname(entry);
      if (raw_name == nullptr) throw DatasetError("tar " + archive_path + ": entry with no name");
      const std::string raw(raw_name);
      if (raw.find_first_not_of("./") == std::string::npos && raw.find("..") == std::string::npos) {
        names_by_ordinal_.emplace_back();  // keeps names_by_ordinal_ indexed by ordinal for read()'s scan
        continue;                          // the "./" entry that `tar -C dir .` writes for the top folder
      }
      // Escaping names are rejected even for folders and links: such an archive is not a plain dataset.
      const std::string name = normalize_relative_path(raw, "tar " + archive_path + ": entry");
      names_by_ordinal_.emplace_back();
      if (archive_entry_filetype(entry) != AE_IFREG) continue;  // folders, links: never read through
      names_by_ordinal_.back() = name;
      Member member;
      member.ordinal = ordinal;
      member.size = uint64_t(archive_entry_size(entry));
      if (is_annotation_like(name) && member.size <= kMaxArchiveMemberBytes &&
          cached_bytes + member.size <= kTarAnnotationCacheBytes) {
        member.data = read_member_data(reader, member.size, "tar " + archive_path + ":" + name);
        member.cached = true;
        cached_bytes += member.size;
      }
      members_[name] = std::move(member);
      names.push_back(name);
    }
    archive_read_free(reader);
    reader = nullptr;
    root_ = find_root_in_listing(names, marker, archive_path);
  } catch (...) {
    if (reader != nullptr) archive_read_free(reader);
    throw;
  }
}

TarSource::~TarSource() {
  close_reader();
}

std::string TarSource::location(const std::string& relative_path) const {
  return archive_path_ + ":" + (root_.empty() ? "" : root_ + "/") + relative_path;
}

const TarSource::Member* TarSource::find(const std::string& relative_path) const {
  const std::string path = normalize_relative_path(relative_path, "tar " + archive_path_);
  const auto it = members_.find(root_.empty() ? path : root_ + "/" + path);
  return it == members_.end() ? nullptr : &it->second;
}

bool TarSource::exists(const std::string& relative_path) const {
  return find(relative_path) != nullptr;
}

void TarSource::remember(Member& member, std::vector<uint8_t> data) const {
  if (member.cached || on_demand_cached_bytes_ + data.size() > on_demand_budget_) return;
  on_demand_cached_bytes_ += data.size();
  member.data = std::move(data);
  member.cached = true;
}

std::vector<uint8_t> TarSource::read(const std::string& relative_path) const {
  const std::string path = normalize_relative_path(relative_path, "tar " + archive_path_);
  const auto found = members_.find(root_.empty() ? path : root_ + "/" + path);
  if (found == members_.end()) throw DatasetError(location(relative_path) + ": no such member in the tar");
  Member& member = found->second;
  if (member.size > kMaxArchiveMemberBytes) {
    throw DatasetError(location(relative_path) + ": member is " + std::to_string(member.size) +
                       " bytes, more than the " + std::to_string(kMaxArchiveMemberBytes) + " bytes allowed");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (member.cached) return member.data;
  if (cursor_ == nullptr || cursor_next_ordinal_ > member.ordinal) {
    close_reader();
    cursor_ = open_reader();
  }
  try {
    struct archive_entry* entry = nullptr;
    while (cursor_next_ordinal_ <= member.ordinal) {
      const int status = archive_read_next_header(cursor_, &entry);
      if (status == ARCHIVE_EOF || status < ARCHIVE_WARN) {
        throw DatasetError(
            location(relative_path) + ": archive changed or damaged since it was indexed: " +
            (status == ARCHIVE_EOF ? std::string("archive ended early") : archive_message(cursor_)));
      }
      const size_t ordinal = cursor_next_ordinal_++;
      if (ordinal == member.ordinal) break;
      // Passing over another member decompresses it anyway; keep it if it is small enough to be worth it.
      const std::string& other_name = ordinal < names_by_ordinal_.size() ? names_by_ordinal_[ordinal] : "";
      if (other_name.empty()) continue;
      Member& other = members_.at(other_name);
      if (other.cached || other.ordinal != ordinal || other.size > kMaxArchiveMemberBytes ||
          on_demand_cached_bytes_ + other.size > on_demand_budget_) {
        continue;
      }
      remember(other, read_member_data(cursor_, other.size, archive_path_ + ":" + other_name));
    }
    std::vector<uint8_t> data = read_member_data(cursor_, member.size, location(relative_path));
    remember(member, data);
    return data;
  } catch (...) {
    close_reader();
    throw;
  }
}

}  // namespace hpf
