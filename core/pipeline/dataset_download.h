#pragma once
// Downloading a benchmark archive (official URLs from datasets/download_info.h) with progress, cancel and resume:
// bytes go to <file>.part, continued with an HTTP Range request on the next attempt, renamed when complete.
// The datasets publish no checksums; the archive is checked by opening it as a dataset afterwards.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace hpf {

// Downloads `url` to `destination`. Retries interrupted transfers (resuming) up to `attempts` times; throws
// std::runtime_error with the reason otherwise. A cancel keeps the .part file for a later resume.
std::filesystem::path download_archive(const std::string& url, const std::filesystem::path& destination,
                                       const std::function<void(int64_t, int64_t)>& progress,
                                       const std::atomic<bool>* cancel, int attempts = 5);

}  // namespace hpf
