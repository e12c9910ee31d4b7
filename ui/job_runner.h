#pragma once
// Runs core jobs on a worker thread so the GUI thread never blocks. A job receives a JobContext (cancel flag,
// progress sink) and returns a "delivery" closure that is run on the GUI thread when the job succeeds;
// results therefore cross threads by value inside that closure. Every outcome arrives through queued signals.

#include "core/pipeline/job.h"

#include <QObject>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <map>
#include <memory>

namespace hpf {

class JobRunner : public QObject {
  Q_OBJECT
 public:
  // Why a job failed: WeightsMissing lets a view offer the download (the settings name no weights file and
  // the cache has none); every other error is an Error.
  enum class Failure { Error, WeightsMissing };
  Q_ENUM(Failure)

  using Delivery = std::function<void()>;
  using Work = std::function<Delivery(const JobContext&)>;

  // Jobs run one after another (in submission order) on the runner's single worker thread. There is one
  // runner per kind of long job -- the pair view's, the evaluation's, the search's, downloads, dataset
  // loading -- so that a pair can be inspected while an evaluation or a search runs, and a download never
  // waits behind a computation. The compute runners share the networks of the BackboneService, which only
  // read them.
  explicit JobRunner(QObject* parent = nullptr);
  // Cancels every job and waits for the running one to stop.
  ~JobRunner() override;

  // Queues `work`; returns the job's id (> 0). `title` is shown in progress messages.
  quint64 start(const QString& title, Work work);

  // Asks a queued or running job to stop; it ends with cancelled() at its next check. A job that finished but
  // whose result is not yet delivered is dropped as cancelled, so a stale result never reaches the GUI.
  void cancel(quint64 id);
  void cancel_all();

  // Jobs queued or running.
  int pending() const { return static_cast<int>(jobs_.size()); }
  bool is_pending(quint64 id) const { return jobs_.count(id) != 0; }

  // Processes events until no job is pending or `msecs` elapse; true when idle (for tests and shutdown).
  bool wait_idle(int msecs);

 Q_SIGNALS:
  void started(quint64 id, const QString& title);
  void progress(quint64 id, qint64 done, qint64 total, const QString& what);
  void succeeded(quint64 id);
  void failed(quint64 id, const QString& message, JobRunner::Failure kind);
  // Something legal but noteworthy the job reported (JobContext::warn) and also records with its results.
  void warning(quint64 id, const QString& message);
  void cancelled(quint64 id);
  // Emitted when the first job is queued (true) and when the last one ends (false).
  void busy_changed(bool busy);

 private:
  struct Entry {
    QString title;
    std::shared_ptr<std::atomic<bool>> cancel;
  };
  void finish(quint64 id);

  QThreadPool pool_;
  std::map<quint64, Entry> jobs_;  // GUI thread only
  quint64 next_id_ = 1;
};

}  // namespace hpf
