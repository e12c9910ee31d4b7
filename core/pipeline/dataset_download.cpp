#include "core/pipeline/dataset_download.h"

#include "core/weights/part_file_fetch.h"

#include <chrono>
#include <stdexcept>

namespace hpf {

std::filesystem::path download_archive(const std::string& url, const std::filesystem::path& destination,
                                       const std::function<void(int64_t, int64_t)>& progress,
                                       const std::atomic<bool>* cancel, int attempts) {
  std::filesystem::create_directories(destination.parent_path().empty() ? "." : destination.parent_path());
  const std::filesystem::path part = destination.string() + ".part";
  constexpr int64_t kMaxBytes = int64_t{64} << 30;  // SPair-71k is ~0.9 GB; anything past 64 GB is not a dataset
  std::string last_error;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    const PartFetchResult result =
        fetch_into_part_file(url, part, kMaxBytes, progress, cancel, std::chrono::seconds(60));
    switch (result.outcome) {
      case PartFetchResult::Outcome::Complete:
      case PartFetchResult::Outcome::RangeNotSatisfiable:
        std::filesystem::rename(part, destination);
        return destination;
      case PartFetchResult::Outcome::Cancelled:
        throw std::runtime_error("download cancelled; " + part.string() + " is kept and will be resumed");
      case PartFetchResult::Outcome::Failed:
        throw std::runtime_error(url + ": " + result.error);
      case PartFetchResult::Outcome::Interrupted:
        last_error = result.error;
        break;
    }
  }
  throw std::runtime_error(url + ": interrupted " + std::to_string(attempts) + " times (" + last_error +
                           "); run the command again to resume");
}

}  // namespace hpf
