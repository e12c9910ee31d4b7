#pragma once
// What every long-running core job receives: a cancel flag it polls between units of work, a progress sink
// and a warning sink. Cancelling has one protocol: the job throws JobCancelled at its next check, or returns
// a result marked incomplete where a partial result is worth keeping (an evaluation, a search: resumable).
// The same job runs inline in a test, from the CLI, or on a worker thread behind the GUI.

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace hpf {

class JobCancelled : public std::runtime_error {
 public:
  JobCancelled() : std::runtime_error("cancelled") {}
};

// One progress report, as data: the stage of the job, how far through it, and the unit in hand. Each front
// end phrases it (a progress bar per stage on the command line, a progress bar and status text in the GUI).
struct JobProgress {
  std::string stage;  // e.g. "depth 1: 66 layer sets"; empty for a job of one stage
  int64_t done = 0, total = 0;
  std::string item;  // e.g. "pair 2007_000123", "source hyperpixels"

  // "stage, item" (either may be empty).
  std::string text() const { return stage.empty() ? item : item.empty() ? stage : stage + ", " + item; }
};

struct JobContext {
  // Set from any thread to ask the job to stop at its next check.
  const std::atomic<bool>* cancel_requested = nullptr;
  // Called (from the job's thread) as units of work finish.
  std::function<void(const JobProgress&)> progress;
  // Called with something legal but noteworthy that the job also records with its results (from the job's
  // thread).
  std::function<void(const std::string& message)> warning;

  bool cancelled() const { return cancel_requested && cancel_requested->load(); }
  // Throws JobCancelled when a cancel was requested.
  void check_cancelled() const {
    if (cancelled()) throw JobCancelled();
  }
  void report(int64_t done, int64_t total, const std::string& item, const std::string& stage = {}) const {
    if (progress) progress(JobProgress{stage, done, total, item});
  }
  void warn(const std::string& message) const {
    if (warning) warning(message);
  }
};

}  // namespace hpf
