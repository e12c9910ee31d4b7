#pragma once
// Pair thumbnails (source beside target) decoded on a small thread pool, only when a view asks for them: a
// 70k-pair table decodes just the rows on screen. Requests beyond a short queue drop the oldest (rows
// scrolled past), finished thumbnails stay in a bounded cache.

#include "datasets/dataset.h"

#include <QCache>
#include <QImage>
#include <QObject>
#include <QThreadPool>

#include <deque>
#include <memory>
#include <mutex>
#include <set>

namespace hpf {

class ThumbnailLoader : public QObject {
  Q_OBJECT
 public:
  static constexpr int kHeight = 44;  // pixels; the pair is two images of this height side by side

  explicit ThumbnailLoader(QObject* parent = nullptr);
  ~ThumbnailLoader() override;

  // Forgets every thumbnail and pending request (a new dataset or split).
  void reset(std::shared_ptr<const Dataset> dataset);

  // The thumbnail of the pair with key `key` (the model's pair index), or a null image after queueing its
  // decoding; ready(key) follows. A pair that cannot be decoded gets a grey "?" thumbnail.
  QImage thumbnail(int key, const PairAnnotation& pair);

  int decoded() const { return decoded_; }

 Q_SIGNALS:
  void ready(int key);

 private:
  struct Request {
    int key;
    std::string source, target;
  };
  void pump();

  std::shared_ptr<const Dataset> dataset_;
  QThreadPool pool_;
  QCache<int, QImage> cache_;
  std::deque<Request> queue_;  // newest at the back
  std::set<int> queued_;       // keys in queue_ or decoding
  int running_ = 0;
  int decoded_ = 0;
  quint64 generation_ = 0;
};

}  // namespace hpf
