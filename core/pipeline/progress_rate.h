#pragma once
// Rate and time left of a long job, from the units finished since timing started, for every front end (the
// CLI's progress bars, the GUI's evaluation and search panels). Units finished before timing started --
// resumed work, the unit in flight when the first report arrived -- are not timed.

#include <cstdint>
#include <optional>
#include <string>

namespace hpf {

class ProgressRate {
 public:
  // Starts timing at `done` units, `seconds` after a fixed origin.
  void start(int64_t done, double seconds);
  // Notes that `done` units are finished at `seconds`. The first report, and a report with fewer units than
  // the previous one (the job moved on to a new stage, e.g. the next depth of a search), starts the timing
  // there.
  void update(int64_t done, double seconds);

  // Units per second once at least one unit was timed over at least half a second; nullopt before.
  std::optional<double> units_per_second() const;
  // Seconds until `total` units are done, at the measured rate; nullopt while there is no rate.
  std::optional<double> seconds_left(int64_t total) const;

 private:
  bool started_ = false;
  int64_t first_done_ = 0, done_ = 0;
  double first_seconds_ = 0, seconds_ = 0;
};

// "1:05" or "2:03:07" (negative durations are 0:00).
std::string clock_text(double seconds);

}  // namespace hpf
