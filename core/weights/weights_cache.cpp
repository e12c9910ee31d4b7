#include "core/weights/weights_cache.h"

#include "core/fileio/atomic_file.h"
#include "core/weights/file_sha256.h"
#include "core/weights/weights_error.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

namespace hpf {

namespace {

namespace fs = std::filesystem;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

fs::path sidecar_path(const fs::path& file) {
  return fs::path(file.string() + ".sha256");
}

fs::path first_hash_path(const fs::path& file) {
  return fs::path(file.string() + ".first-sha256");
}

// "size <bytes> mtime <ticks>": what must be unchanged for a remembered hash to still apply.
std::string file_identity(const fs::path& file) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  const auto mtime = fs::last_write_time(file, ec);
  if (ec) return {};
  return "size " + std::to_string(size) + " mtime " + std::to_string(mtime.time_since_epoch().count());
}

std::string megabytes(int64_t bytes) {
  return std::to_string((bytes + 500'000) / 1'000'000) + " MB";
}

std::string download_instructions(const WeightsEntry& entry) {
  const fs::path dir = weights_cache_dir();
  return "Download\n  " + weights_download_url(entry) + "\n(about " + megabytes(entry.approx_bytes) +
         ") and save it as " + entry.file_name + " in the folder\n  " + dir.string() + "\n(that is, " +
         (dir / entry.file_name).string() +
         "), or pass --weights FILE to use a state-dict file you already have.";
}

}  // namespace

fs::path weights_cache_dir() {
  if (const std::string dir = env("HPF_WEIGHTS_DIR"); !dir.empty()) return dir;
  fs::path cache = env("XDG_CACHE_HOME");
  if (cache.empty() || cache.is_relative()) cache = fs::path(env("HOME")) / ".cache";  // XDG: ignore relative
  return cache / "hyperpixel-studio" / "weights";
}

fs::path cached_weights_path(const WeightsEntry& entry) {
  return weights_cache_dir() / entry.file_name;
}

std::string weights_download_url(const WeightsEntry& entry) {
  std::string base = env("HPF_WEIGHTS_BASE_URL");
  if (base.empty()) return entry.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + entry.file_name;
}

void remember_weights_hash(const fs::path& file, const std::string& sha256_hex) {
  try {
    write_file_atomically(sidecar_path(file).string(),
                          "sha256 " + sha256_hex + " " + file_identity(file) + "\n");
  } catch (const std::runtime_error&) {
    // Only a cache (a read-only or full cache directory): without it the file is hashed again next time.
  }
}

std::optional<std::string> recorded_first_hash(const fs::path& file) {
  std::ifstream in(first_hash_path(file));
  std::string hash;
  if (in && (in >> hash) && hash.size() == 64) return hash;
  return std::nullopt;
}

void record_first_hash(const fs::path& file, const std::string& sha256_hex) {
  write_file_atomically(first_hash_path(file).string(), sha256_hex + "\n");
}

std::string checksum_description(const WeightsEntry& entry) {
  if (entry.has_published_checksum()) return "sha256 " + entry.sha256_prefix + " (published)";
  if (const auto recorded = recorded_first_hash(cached_weights_path(entry)))
    return "sha256 " + recorded->substr(0, 8) + " (first download)";
  return "none published: recorded at first download";
}

bool weights_file_verified(const fs::path& file, const WeightsEntry& entry) {
  std::string sha256;
  std::ifstream sidecar(sidecar_path(file));
  std::string remembered;
  if (sidecar && std::getline(sidecar, remembered)) {
    std::istringstream fields(remembered);
    std::string tag, hash;
    fields >> tag >> hash;
    std::string identity;
    std::getline(fields >> std::ws, identity);
    if (tag == "sha256" && !identity.empty() && identity == file_identity(file)) sha256 = hash;
  }
  if (sha256.empty()) {
    sha256 = file_sha256_hex(file);
    remember_weights_hash(file, sha256);
  }
  if (entry.has_published_checksum())
    return sha256.compare(0, entry.sha256_prefix.size(), entry.sha256_prefix) == 0;
  if (const auto recorded = recorded_first_hash(file)) return *recorded == sha256;
  // A file placed in the cache by hand, before any download: its hash is the one later uses must keep.
  try {
    record_first_hash(file, sha256);
  } catch (const std::runtime_error&) {
    // A read-only cache: nothing to compare later uses with, as before this use.
  }
  return true;
}

namespace {

fs::path existing_local_file(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) throw WeightsUnavailable("weights file " + file.string() + " does not exist");
  if (!fs::is_regular_file(file, ec))
    throw WeightsUnavailable("weights file " + file.string() + " is not a file");
  return file;
}

}  // namespace

fs::path resolve_weights(const WeightsEntry& entry, const std::optional<fs::path>& local_file) {
  if (local_file) return existing_local_file(*local_file);
  const fs::path cached = cached_weights_path(entry);
  std::error_code ec;
  if (fs::is_regular_file(cached, ec)) {
    if (weights_file_verified(cached, entry)) return cached;
    const std::string expected = entry.has_published_checksum()
                                     ? "does not start with " + entry.sha256_prefix
                                     : "differs from the one recorded at its first download (" +
                                           first_hash_path(cached).string() + ")";
    throw WeightsUnavailable("the cached weights file " + cached.string() + " is corrupt: its sha256 " +
                             expected + ". Delete it. " + download_instructions(entry));
  }
  throw WeightsUnavailable("weights for " + entry.backbone + " (" + entry.name + ", " + entry.file_name +
                           ") are not on this machine. " + download_instructions(entry));
}

fs::path resolve_weights(const std::string& backbone, const std::optional<fs::path>& local_file) {
  if (local_file) return existing_local_file(*local_file);  // any backbone may load a user's file
  return resolve_weights(default_weights(backbone), local_file);
}

}  // namespace hpf
