#include "core/pipeline/progress_rate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hpf {
namespace {

constexpr double kMinTimedSeconds = 0.5;  // shorter spans give rates that jump around

}  // namespace

void ProgressRate::start(int64_t done, double seconds) {
  started_ = true;
  first_done_ = done_ = done;
  first_seconds_ = seconds_ = seconds;
}

void ProgressRate::update(int64_t done, double seconds) {
  if (!started_ || done < done_) {
    start(done, seconds);
    return;
  }
  done_ = done;
  seconds_ = seconds;
}

std::optional<double> ProgressRate::units_per_second() const {
  const double span = seconds_ - first_seconds_;
  if (!started_ || done_ <= first_done_ || span < kMinTimedSeconds) return std::nullopt;
  return static_cast<double>(done_ - first_done_) / span;
}

std::optional<double> ProgressRate::seconds_left(int64_t total) const {
  const std::optional<double> rate = units_per_second();
  if (!rate) return std::nullopt;
  return static_cast<double>(std::max<int64_t>(0, total - done_)) / *rate;
}

std::string clock_text(double seconds) {
  const long long s = std::llround(std::max(0.0, seconds));
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld:%02lld", s / 60, s % 60);
  }
  return text;
}

}  // namespace hpf
