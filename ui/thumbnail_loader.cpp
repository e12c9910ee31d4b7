#include "ui/thumbnail_loader.h"

#include <opencv2/imgproc.hpp>

#include <QPainter>

namespace hpf {

namespace {

constexpr int kMaxQueued = 64;  // about two screens of rows
constexpr int kThreads = 2;

QImage scaled_image(const cv::Mat& rgb, int height) {
  const double scale = static_cast<double>(height) / std::max(1, rgb.rows);
  cv::Mat small;
  cv::resize(rgb, small, cv::Size(std::max(1, static_cast<int>(rgb.cols * scale)), height), 0, 0,
             cv::INTER_AREA);
  return QImage(small.data, small.cols, small.rows, static_cast<qsizetype>(small.step), QImage::Format_RGB888)
      .copy();
}

QImage failed_thumbnail() {
  QImage image(2 * ThumbnailLoader::kHeight, ThumbnailLoader::kHeight, QImage::Format_RGB888);
  image.fill(QColor(210, 210, 210));
  QPainter p(&image);
  p.setPen(QColor(120, 120, 120));
  p.drawText(image.rect(), Qt::AlignCenter, QStringLiteral("?"));
  return image;
}

}  // namespace

ThumbnailLoader::ThumbnailLoader(QObject* parent) : QObject(parent) {
  pool_.setMaxThreadCount(kThreads);
  cache_.setMaxCost(3000);  // thumbnails (about 6 MB)
}

ThumbnailLoader::~ThumbnailLoader() {
  queue_.clear();
  pool_.waitForDone();
}

void ThumbnailLoader::reset(std::shared_ptr<const Dataset> dataset) {
  dataset_ = std::move(dataset);
  cache_.clear();
  queue_.clear();
  queued_.clear();
  ++generation_;  // results of decodings still running are dropped
}

QImage ThumbnailLoader::thumbnail(int key, const PairAnnotation& pair) {
  if (const QImage* hit = cache_.object(key)) return *hit;
  if (!dataset_ || queued_.count(key)) return {};
  queue_.push_back({key, pair.source_image, pair.target_image});
  queued_.insert(key);
  while (static_cast<int>(queue_.size()) > kMaxQueued) {
    queued_.erase(queue_.front().key);
    queue_.pop_front();
  }
  pump();
  return {};
}

void ThumbnailLoader::pump() {
  while (running_ < kThreads && !queue_.empty()) {
    // Newest first: the rows the user is looking at now.
    Request request = std::move(queue_.back());
    queue_.pop_back();
    ++running_;
    const std::shared_ptr<const Dataset> dataset = dataset_;
    const quint64 generation = generation_;
    pool_.start([this, dataset, generation, request] {
      QImage image;
      try {
        const QImage a = scaled_image(load_image(*dataset, request.source), kHeight);
        const QImage b = scaled_image(load_image(*dataset, request.target), kHeight);
        image = QImage(a.width() + 2 + b.width(), kHeight, QImage::Format_RGB888);
        image.fill(Qt::white);
        QPainter p(&image);
        p.drawImage(0, 0, a);
        p.drawImage(a.width() + 2, 0, b);
      } catch (const std::exception&) {
        image = failed_thumbnail();
      }
      QMetaObject::invokeMethod(
          this,
          [this, generation, key = request.key, image] {
            --running_;
            if (generation == generation_) {
              queued_.erase(key);
              cache_.insert(key, new QImage(image), 1);
              ++decoded_;
              Q_EMIT ready(key);
            }
            pump();
          },
          Qt::QueuedConnection);
    });
  }
}

}  // namespace hpf
