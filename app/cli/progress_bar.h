#pragma once
// A one-line terminal progress bar with rate and ETA, redrawn in place on stderr.

#include "core/pipeline/progress_rate.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace hpf::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label)
      : label_(std::move(label)), start_(std::chrono::steady_clock::now()) {}
  // `done` of `total` units finished; `first` is where this run started (resumed units are not timed).
  void update(int64_t done, int64_t total, int64_t first, const std::string& what);
  void finish();
  // Prints a line of its own above the bar (a warning), then lets the bar be drawn again.
  void note(const std::string& line);

 private:
  std::string label_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
  bool timing_ = false;
  ProgressRate rate_;
};

}  // namespace hpf::cli
