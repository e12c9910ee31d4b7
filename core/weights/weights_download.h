#pragma once
// Downloads a registered weights file into the cache folder: resumable, verified, and never leaving a
// half-written file under the final name.

#include "core/weights/weights_registry.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>

namespace hpf {

// Called from the downloading thread as data arrives: bytes on disk so far (a resumed download starts at the
// kept bytes) and the file's total size, or -1 while unknown. Must not throw.
using DownloadProgress = std::function<void(int64_t bytes_done, int64_t bytes_total)>;

struct DownloadOptions {
  // Attempts in one call: after a dropped connection or a 5xx answer the download resumes from the kept
  // bytes.
  int max_attempts = 3;
  // An attempt fails when no data arrives for this long.
  std::chrono::milliseconds stall_timeout{60'000};
};

// Downloads `entry` from weights_download_url(entry) into cached_weights_path(entry) and returns that path.
//  - Data goes to "<file>.part"; an existing .part is resumed with an HTTP Range request (a server that
//    answers 200 instead of 206 makes it start over).
//  - When complete, the sha256 prefix is checked: on a mismatch the .part is deleted and WeightsDownloadError
//    says so; on success the .part is renamed into place atomically and its hash remembered (see
//    weights_file_verified()).
//  - `cancel`, polled every 50 ms, stops the download with WeightsDownloadCancelled and keeps the .part.
//  - Network or HTTP failures throw WeightsDownloadError with the URL and what the server said.
//  - A lock file "<file>.lock" keeps two processes from writing the same .part.
// Blocks the calling thread, running a local Qt event loop there: a CLI needs a QCoreApplication object (as
// all Qt networking does) but not a running application event loop; a GUI calls it from a worker thread.
// Without a QCoreApplication it throws WeightsDownloadError instead of hanging.
std::filesystem::path download_weights(const WeightsEntry& entry, const DownloadProgress& progress = {},
                                       const std::atomic<bool>* cancel = nullptr,
                                       const DownloadOptions& options = {});

}  // namespace hpf
