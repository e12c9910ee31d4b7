#include "core/weights/part_file_fetch.h"

#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTimer>
#include <QUrl>

namespace hpf {

namespace {

using Outcome = PartFetchResult::Outcome;

// Parses "bytes <first>-<last>/<total>" (total may be "*").
bool parse_content_range(const QByteArray& header, int64_t* first, int64_t* total) {
  static const QRegularExpression pattern(QStringLiteral("^bytes (\\d+)-(\\d+)/(\\d+|\\*)$"));
  const auto match = pattern.match(QString::fromLatin1(header).trimmed());
  if (!match.hasMatch()) return false;
  *first = match.captured(1).toLongLong();
  *total = match.captured(3) == QLatin1String("*") ? -1 : match.captured(3).toLongLong();
  return true;
}

// The state of one GET while the local event loop runs.
class Fetch {
 public:
  Fetch(QFile& part, QNetworkReply* reply, int64_t max_bytes, const DownloadProgress& progress,
        const std::atomic<bool>* cancel)
      : part_(part),
        reply_(reply),
        offset_(part.size()),
        done_(offset_),
        max_bytes_(max_bytes),
        progress_(progress),
        cancel_(cancel) {}

  // Stops if the cancel flag is up; called by a timer and after each progress report.
  void poll_cancel() {
    if (cancel_ && cancel_->load()) stop(Outcome::Cancelled, "cancelled");
  }

  // Stops the transfer with `outcome` (the first stop wins).
  void stop(Outcome outcome, const std::string& error) {
    if (stopped_) return;
    stopped_ = true;
    result_ = {outcome, error};
    reply_->abort();
  }

  void on_data() {
    if (stopped_) return;
    if (!started_ && !start()) return;
    const QByteArray chunk = reply_->readAll();
    if (total_ >= 0 && done_ + chunk.size() > total_) {
      // More than announced can only be a response repeated from its start (e.g. a transparent re-send after
      // a dropped connection): the part file can no longer be trusted.
      part_.resize(0);
      return stop(Outcome::Interrupted, "the server sent more than the announced " + std::to_string(total_) +
                                            " bytes; starting over");
    }
    if (done_ + chunk.size() > max_bytes_) {
      return stop(Outcome::Failed, "the server sent more than " + std::to_string(max_bytes_) + " bytes");
    }
    if (part_.write(chunk) != chunk.size()) {
      return stop(Outcome::Failed, "cannot write " + part_.fileName().toStdString() + " (" +
                                       part_.errorString().toStdString() + ")");
    }
    done_ += chunk.size();
    report_progress();
    poll_cancel();
  }

  PartFetchResult finish() {
    if (stopped_) return result_;
    const int status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const std::string http =
        "HTTP " + std::to_string(status) + " " +
        reply_->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString().toStdString();
    if (status == 416) return {Outcome::RangeNotSatisfiable, http};
    if (status >= 500 || status == 408 || status == 429) return {Outcome::Interrupted, http};
    if (status >= 400) return {Outcome::Failed, http};
    if (reply_->error() != QNetworkReply::NoError) {
      return {Outcome::Interrupted, reply_->errorString().toStdString()};
    }
    if (!started_ && !start()) return result_;  // an empty body: on_data never ran
    if (total_ >= 0 && done_ != total_) {
      return {Outcome::Interrupted, "the connection closed after " + std::to_string(done_) + " of " +
                                        std::to_string(total_) + " bytes"};
    }
    return {Outcome::Complete, {}};
  }

 private:
  // At the first byte of the body: append after a 206 that continues where the part file ends, start over
  // after a 200; ignore error pages (finish() reports their status).
  bool start() {
    const int status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const int64_t length = reply_->header(QNetworkRequest::ContentLengthHeader).isValid()
                               ? reply_->header(QNetworkRequest::ContentLengthHeader).toLongLong()
                               : -1;
    if (status == 206) {
      int64_t first = -1, total = -1;
      if (!parse_content_range(reply_->rawHeader("Content-Range"), &first, &total) || first != offset_) {
        part_.resize(0);  // the server resumed somewhere else: the next attempt starts over
        stop(Outcome::Interrupted, "the server answered Range bytes=" + std::to_string(offset_) +
                                       "- with Content-Range '" +
                                       reply_->rawHeader("Content-Range").toStdString() + "'; starting over");
        return false;
      }
      total_ = total >= 0 ? total : (length >= 0 ? offset_ + length : -1);
    } else if (status == 200) {
      if (offset_ > 0) {  // the server ignored the Range header: it sends the whole file again
        part_.resize(0);
        part_.seek(0);
        done_ = 0;
      }
      total_ = length;
    } else {
      return false;
    }
    if (total_ > max_bytes_) {
      stop(Outcome::Failed, "the server announced " + std::to_string(total_) + " bytes, more than the " +
                                std::to_string(max_bytes_) + " expected");
      return false;
    }
    started_ = true;
    report_progress();
    return true;
  }

  void report_progress() {
    if (!progress_) return;
    try {
      progress_(done_, total_);
    } catch (const std::exception& e) {  // exceptions must not unwind through Qt's event loop
      stop(Outcome::Failed, std::string("the progress callback failed: ") + e.what());
    }
  }

  QFile& part_;
  QNetworkReply* reply_;
  const int64_t offset_;
  int64_t done_;
  int64_t total_ = -1;
  const int64_t max_bytes_;
  const DownloadProgress& progress_;
  const std::atomic<bool>* cancel_;
  bool started_ = false;
  bool stopped_ = false;
  PartFetchResult result_;
};

}  // namespace

PartFetchResult fetch_into_part_file(const std::string& url, const std::filesystem::path& part_file,
                                     int64_t max_bytes, const DownloadProgress& progress,
                                     const std::atomic<bool>* cancel,
                                     std::chrono::milliseconds stall_timeout) {
  QFile part(QString::fromStdString(part_file.string()));
  if (!part.open(QIODevice::ReadWrite) || !part.seek(part.size())) {
    return {Outcome::Failed,
            "cannot write " + part_file.string() + " (" + part.errorString().toStdString() + ")"};
  }
  if (cancel && cancel->load()) return {Outcome::Cancelled, "cancelled"};

  QNetworkAccessManager network;
  QNetworkRequest request(QUrl(QString::fromStdString(url)));
  request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
  request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
  request.setRawHeader("Accept-Encoding", "identity");  // byte ranges must count bytes of the file itself
  request.setRawHeader("User-Agent", "hyperpixel-studio");
  if (part.size() > 0) request.setRawHeader("Range", "bytes=" + QByteArray::number(part.size()) + "-");

  QNetworkReply* reply = network.get(request);  // owned by `network`
  Fetch fetch(part, reply, max_bytes, progress, cancel);
  QEventLoop loop;
  QTimer stall;
  stall.setSingleShot(true);
  QTimer cancel_poll;
  QObject::connect(reply, &QNetworkReply::readyRead, [&] {
    stall.start(stall_timeout);
    fetch.on_data();
  });
  QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
  QObject::connect(&stall, &QTimer::timeout, [&] {
    fetch.stop(Outcome::Interrupted, "no data arrived for " + std::to_string(stall_timeout.count()) + " ms");
  });
  QObject::connect(&cancel_poll, &QTimer::timeout, [&] { fetch.poll_cancel(); });
  stall.start(stall_timeout);
  cancel_poll.start(50);
  if (!reply->isFinished()) loop.exec();
  PartFetchResult result = fetch.finish();
  part.close();
  return result;
}

}  // namespace hpf
