#pragma once
// What every long-running core job receives: a cancel flag it polls between units of work and a progress sink.
// The same job runs inline in a test, from the CLI, or on a worker thread behind the GUI.

#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>

namespace hpf {

class JobCancelled : public std::runtime_error {
 public:
  JobCancelled() : std::runtime_error("cancelled") {}
};

struct JobContext {
  // Set from any thread to ask the job to stop at its next check.
  const std::atomic<bool>* cancel_requested = nullptr;
  // Called with done/total units and a short description of the current unit (from the job's thread).
  std::function<void(int64_t done, int64_t total, const std::string& what)> progress;

  bool cancelled() const { return cancel_requested && cancel_requested->load(); }
  // Throws JobCancelled when a cancel was requested.
  void check_cancelled() const {
    if (cancelled()) throw JobCancelled();
  }
  void report(int64_t done, int64_t total, const std::string& what) const {
    if (progress) progress(done, total, what);
  }
};

}  // namespace hpf
