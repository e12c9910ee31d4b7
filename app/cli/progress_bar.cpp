#include "app/cli/progress_bar.h"

#include <cstdio>

#include <unistd.h>

namespace hpf::cli {

void ProgressBar::update(int64_t done, int64_t total, int64_t first, const std::string& what) {
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  drawn_ = true;
  if (!timing_) {  // units before `first` (resumed) are not timed
    rate_.start(first, 0.0);
    timing_ = true;
  }
  rate_.update(done, std::chrono::duration<double>(now - start_).count());
  constexpr int kWidth = 30;
  const int filled = total > 0 ? static_cast<int>(kWidth * done / total) : kWidth;
  std::string bar(filled, '#');
  bar += std::string(kWidth - filled, '.');
  const bool terminal = ::isatty(fileno(stderr));
  // Until a unit has been timed in this run there is no rate to show, and no ETA.
  char timing[64] = "-/s  ETA --:--";
  if (const std::optional<double> rate = rate_.units_per_second()) {
    std::snprintf(timing, sizeof timing, "%.2f/s  ETA %s", *rate,
                  clock_text(*rate_.seconds_left(total)).c_str());
  }
  std::fprintf(stderr, "%s%s [%s] %lld/%lld  %s  %s%s", terminal ? "\r\033[K" : "", label_.c_str(),
               bar.c_str(), static_cast<long long>(done), static_cast<long long>(total), timing, what.c_str(),
               terminal ? "" : "\n");
  std::fflush(stderr);
}

void ProgressBar::note(const std::string& line) {
  std::fprintf(stderr, "%s%s\n", drawn_ && ::isatty(fileno(stderr)) ? "\r\033[K" : "", line.c_str());
  std::fflush(stderr);
  last_draw_ = {};  // redraw the bar at the next update
}

void ProgressBar::finish() {
  if (drawn_ && ::isatty(fileno(stderr))) std::fprintf(stderr, "\n");
}

}  // namespace hpf::cli
