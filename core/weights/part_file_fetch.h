#pragma once
// One HTTP(S) GET appended to a partial file, resuming with a Range header: the network half of
// download_weights(), which decides about retries, hashing and renaming.

#include "core/weights/weights_download.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace hpf {

struct PartFetchResult {
  enum class Outcome {
    Complete,             // the part file now holds the whole file
    Interrupted,          // network error, stall, short body or 5xx: resuming may work
    Failed,               // HTTP 4xx, disk error, oversized body: retrying will not help
    Cancelled,            // the cancel flag was raised
    RangeNotSatisfiable,  // HTTP 416: the part file is already as long as (or longer than) the file
  };
  Outcome outcome = Outcome::Failed;
  std::string error;  // what went wrong, for every outcome but Complete
};

// GETs `url` into `part_file`, appending from the file's current size (Range: bytes=<size>-). A 200 answer
// rewrites the file from the start. Never writes more than `max_bytes` in total.
PartFetchResult fetch_into_part_file(const std::string& url, const std::filesystem::path& part_file,
                                     int64_t max_bytes, const DownloadProgress& progress,
                                     const std::atomic<bool>* cancel,
                                     std::chrono::milliseconds stall_timeout);

}  // namespace hpf
