#include "core/weights/weights_download.h"

#include "core/weights/file_sha256.h"
#include "core/weights/part_file_fetch.h"
#include "core/weights/weights_cache.h"
#include "core/weights/weights_error.h"

#include <QCoreApplication>
#include <QDir>
#include <QLockFile>

#include <algorithm>
#include <optional>
#include <system_error>

namespace hpf {

namespace {

namespace fs = std::filesystem;
using Outcome = PartFetchResult::Outcome;

// Registered sizes are approximate; anything far beyond is not the file we want (or an endless stream).
int64_t size_limit(const WeightsEntry& entry) {
  return std::max<int64_t>(entry.approx_bytes * 2, 64 << 20);
}

int64_t size_or_zero(const fs::path& file) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  return ec ? 0 : static_cast<int64_t>(size);
}

std::string kept_part(const fs::path& part) {
  return std::to_string(size_or_zero(part)) + " bytes are kept in " + part.string() +
         " and the next download resumes from there";
}

// Checks the complete .part and moves it into place, or deletes it if its hash is wrong.
void verify_and_install(const WeightsEntry& entry, const std::string& url, const fs::path& part,
                        const fs::path& target) {
  const std::string sha256 = file_sha256_hex(part);
  // Without a published checksum, the first download's hash is the reference for every later one.
  const std::optional<std::string> recorded =
      entry.has_published_checksum() ? std::nullopt : recorded_first_hash(target);
  const bool matches = entry.has_published_checksum()
                           ? sha256.compare(0, entry.sha256_prefix.size(), entry.sha256_prefix) == 0
                           : !recorded || *recorded == sha256;
  if (!matches) {
    std::error_code ec;
    fs::remove(part, ec);
    const std::string expected =
        entry.has_published_checksum()
            ? "which does not start with " + entry.sha256_prefix + " as registered for " + entry.file_name
            : "which differs from " + *recorded + ", recorded at the first download of " + entry.file_name +
                  " (if its publisher replaced the file, delete " + target.string() +
                  ".first-sha256 to accept the new one)";
    throw WeightsDownloadError("the file downloaded from " + url + " has sha256 " + sha256 + ", " + expected +
                               "; the download was corrupted or the server sent another file. The bad file "
                               "was deleted; download again.");
  }
  if (!entry.has_published_checksum() && !recorded) record_first_hash(target, sha256);
  std::error_code ec;
  fs::rename(part, target, ec);  // atomic on one file system: readers see the old file or the whole new one
  if (ec)
    throw WeightsDownloadError("cannot move " + part.string() + " to " + target.string() + ": " +
                               ec.message());
  remember_weights_hash(target, sha256);
}

}  // namespace

fs::path download_weights(const WeightsEntry& entry, const DownloadProgress& progress,
                          const std::atomic<bool>* cancel, const DownloadOptions& options) {
  if (QCoreApplication::instance() == nullptr) {
    throw WeightsDownloadError("downloading " + entry.file_name +
                               " needs a QCoreApplication object (create one in main(); it need not run)");
  }
  const fs::path dir = weights_cache_dir();
  if (!QDir().mkpath(QString::fromStdString(dir.string()))) {
    throw WeightsDownloadError("cannot create the weights folder " + dir.string());
  }
  const fs::path target = dir / entry.file_name;
  const fs::path part = fs::path(target.string() + ".part");
  const std::string url = weights_download_url(entry);

  QLockFile lock(QString::fromStdString(target.string() + ".lock"));
  lock.setStaleLockTime(0);  // a long download is not stale; a lock whose process died still is
  if (!lock.tryLock(0)) {
    throw WeightsDownloadError("another download of " + entry.file_name + " into " + dir.string() +
                               " is in progress (lock file " + target.string() + ".lock)");
  }

  std::string last_error;
  bool complete = false;
  for (int attempt = 1; attempt <= std::max(1, options.max_attempts) && !complete; ++attempt) {
    const PartFetchResult result =
        fetch_into_part_file(url, part, size_limit(entry), progress, cancel, options.stall_timeout);
    switch (result.outcome) {
      case Outcome::Complete:
        complete = true;
        break;
      case Outcome::Cancelled:
        throw WeightsDownloadCancelled("download of " + url + " cancelled; " + kept_part(part));
      case Outcome::Failed:
        throw WeightsDownloadError("download of " + url + " failed: " + result.error + "; " +
                                   kept_part(part));
      case Outcome::RangeNotSatisfiable: {
        // The .part is as long as the file already (a previous run stopped before verifying) or longer.
        std::error_code ec;
        if (file_sha256_hex(part).compare(0, entry.sha256_prefix.size(), entry.sha256_prefix) == 0) {
          complete = true;
        } else {
          fs::remove(part, ec);
          last_error = result.error + " for the kept partial file, which was deleted";
        }
        break;
      }
      case Outcome::Interrupted:
        last_error = result.error;
        break;
    }
  }
  if (!complete) {
    throw WeightsDownloadError("download of " + url + " failed after " +
                               std::to_string(std::max(1, options.max_attempts)) +
                               " attempt(s): " + last_error + "; " + kept_part(part));
  }
  verify_and_install(entry, url, part, target);
  return target;
}

}  // namespace hpf
