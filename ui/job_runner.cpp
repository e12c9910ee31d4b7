#include "ui/job_runner.h"

#include "core/weights/weights_error.h"
#include "ui/match_settings.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QPointer>
#include <QThread>

#include <exception>

namespace hpf {

JobRunner::JobRunner(QObject* parent) : QObject(parent) {
  pool_.setMaxThreadCount(1);
  // Keep the worker thread alive between jobs: starting a thread per job would add latency to every click.
  pool_.setExpiryTimeout(-1);
}

JobRunner::~JobRunner() {
  cancel_all();
  pool_.waitForDone();
}

quint64 JobRunner::start(const QString& title, Work work) {
  const quint64 id = next_id_++;
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  const bool was_idle = jobs_.empty();
  jobs_[id] = Entry{title, cancel};
  if (was_idle) Q_EMIT busy_changed(true);

  // The worker only touches the cancel flag and posts events to `this`; the job map stays on the GUI thread.
  pool_.start([this, id, title, cancel, work = std::move(work)]() {
    const auto post = [this](std::function<void()> f) {
      QMetaObject::invokeMethod(this, std::move(f), Qt::QueuedConnection);
    };
    if (cancel->load()) {
      post([this, id] {
        Q_EMIT cancelled(id);
        finish(id);
      });
      return;
    }
    post([this, id, title] { Q_EMIT started(id, title); });
    JobContext context;
    context.cancel_requested = cancel.get();
    context.progress = [this, id, post](const JobProgress& p) {
      const QString text = QString::fromStdString(p.text());
      const qint64 done = p.done, total = p.total;
      post([this, id, done, total, text] { Q_EMIT progress(id, done, total, text); });
    };
    context.warning = [this, id, post](const std::string& message) {
      const QString text = QString::fromStdString(message);
      post([this, id, text] { Q_EMIT warning(id, text); });
    };
    Delivery delivery;
    QString error;
    Failure kind = Failure::Error;
    bool was_cancelled = false;
    try {
      delivery = work(context);
    } catch (const JobCancelled&) {
      was_cancelled = true;
    } catch (const OptionError& e) {
      error = describe_option_error(e);  // named as the settings dock names the option
    } catch (const WeightsUnavailable& e) {
      error = QString::fromStdString(e.what());
      kind = Failure::WeightsMissing;
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
      if (error.isEmpty()) error = QStringLiteral("unknown error");
    } catch (...) {
      error = QStringLiteral("%1 failed with an unknown exception").arg(title);
    }
    post([this, id, cancel, delivery = std::move(delivery), error, kind, was_cancelled] {
      if (was_cancelled || cancel->load()) {
        Q_EMIT cancelled(id);
      } else if (!error.isEmpty()) {
        Q_EMIT failed(id, error, kind);
      } else {
        // Delivery runs on the GUI thread; it may still throw (e.g. a result that cannot be shown).
        try {
          if (delivery) delivery();
          Q_EMIT succeeded(id);
        } catch (const std::exception& e) {
          Q_EMIT failed(id, QString::fromStdString(e.what()), Failure::Error);
        }
      }
      finish(id);
    });
  });
  return id;
}

void JobRunner::finish(quint64 id) {
  jobs_.erase(id);
  if (jobs_.empty()) Q_EMIT busy_changed(false);
}

void JobRunner::cancel(quint64 id) {
  const auto it = jobs_.find(id);
  if (it != jobs_.end()) it->second.cancel->store(true);
}

void JobRunner::cancel_all() {
  for (auto& [id, entry] : jobs_) entry.cancel->store(true);
}

bool JobRunner::wait_idle(int msecs) {
  QDeadlineTimer deadline(msecs);
  while (!jobs_.empty() && !deadline.hasExpired()) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QThread::msleep(1);
  }
  return jobs_.empty();
}

}  // namespace hpf
