#include "ui/pair_session.h"

#include "core/compute/matcher.h"
#include "core/pipeline/match_report.h"
#include "core/pipeline/model_loader.h"
#include "core/pipeline/point_query.h"
#include "core/weights/weights_cache.h"
#include "core/weights/weights_error.h"
#include "ui/colormap.h"
#include "ui/figure_builder.h"
#include "ui/layer_maps.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QFileInfo>

#include <mutex>

namespace hpf {

QString PairSource::describe() const {
  const auto name = [](const QString& p) { return QFileInfo(p).fileName(); };
  QString text = name(source_path) + QStringLiteral(" → ") + name(target_path);
  if (from_dataset()) {
    text = QString::fromStdString(dataset->name()) + QStringLiteral(" #") +
           QString::fromStdString(annotation->id) + QStringLiteral(" (") +
           QString::fromStdString(annotation->category) + QStringLiteral("): ") + text;
  }
  return text;
}

// The loaded network, shared with the worker. Jobs run one at a time, the mutex only guards the hand-over.
struct PairSession::Model {
  std::mutex mutex;
  std::shared_ptr<Backbone> backbone;
  std::string key;        // backbone|weights|device it was loaded for
  std::string weights;    // file it came from (for the report)
  bool injected = false;  // set_backbone(): used whatever the settings say
};

struct PairSession::Result {
  std::shared_ptr<const DecodedImage> source, target;
  MatchOptions options;
  MatchProvenance provenance;
  std::vector<Point2> points;
  std::vector<TransferredPoint> transferred;
};

struct PairSession::Layers {
  LayerMaps maps;
};

namespace {

struct LoadedModel {
  std::shared_ptr<Backbone> backbone;
  std::string weights;
};

DecodedImage decode(const PairSource& source, const QString& path) {
  if (source.from_dataset()) {
    const cv::Mat rgb = load_image(*source.dataset, path.toStdString());
    DecodedImage image;
    image.rgb = mat_to_tensor(rgb);
    image.original_width = rgb.cols;
    image.original_height = rgb.rows;
    return image;
  }
  return read_image(path.toStdString());
}

}  // namespace

PairSession::PairSession(QObject* parent) : QObject(parent), model_(std::make_shared<Model>()) {
  connect(&runner_, &JobRunner::busy_changed, this, &PairSession::busy_changed);
  connect(&runner_, &JobRunner::progress, this,
          [this](quint64, qint64 done, qint64 total, const QString& what) {
            Q_EMIT progress(done, total, what);
          });
  connect(&runner_, &JobRunner::failed, this,
          [this](quint64, const QString& message) { Q_EMIT failed(message); });
  connect(&runner_, &JobRunner::cancelled, this, [this](quint64) { Q_EMIT cancelled(); });
}

PairSession::~PairSession() = default;

void PairSession::set_settings(const MatchSettings& settings) {
  settings_ = settings;
}

void PairSession::set_backbone(std::shared_ptr<Backbone> backbone) {
  std::lock_guard<std::mutex> lock(model_->mutex);
  model_->injected = backbone != nullptr;
  model_->backbone = std::move(backbone);
  model_->key.clear();
  model_->weights = model_->injected ? "(provided)" : "";
}

void PairSession::open(const PairSource& source) {
  source_ = source;
  compute();
}

void PairSession::cancel() {
  runner_.cancel_all();
}

const std::vector<LayerTile>& PairSession::layer_tiles() const {
  static const std::vector<LayerTile> none;
  return layers_ ? layers_->maps.tiles : none;
}

quint64 PairSession::compute() {
  if (!has_pair()) return 0;
  if (match_job_) runner_.cancel(match_job_);
  const PairSource source = source_;
  const MatchSettings settings = settings_;
  const std::shared_ptr<Model> model = model_;

  match_job_ = runner_.start(
      tr("Matching"), [this, source, settings, model](const JobContext& ctx) -> JobRunner::Delivery {
        constexpr int64_t kSteps = 7;
        c10::InferenceMode inference;
        // 1. The model: the injected one, or loaded (once per backbone/weights/device) from the settings.
        LoadedModel loaded;
        {
          std::lock_guard<std::mutex> lock(model->mutex);
          if (model->injected) {
            loaded = {model->backbone, model->weights};
          } else {
            const std::string backbone = settings.backbone.toStdString();
            std::string weights = settings.weights_path.toStdString();
            if (weights.empty()) {
              try {
                weights = resolve_weights(backbone).string();
              } catch (const WeightsUnavailable& e) {
                const QString message = QString::fromStdString(e.what());
                return [this, name = settings.backbone, message] { Q_EMIT weights_missing(name, message); };
              }
            }
            const std::string key = backbone + "|" + weights + "|" + settings.device.toStdString();
            if (!model->backbone || model->key != key) {
              ctx.report(0, kSteps, "loading " + backbone + " weights");
              model->backbone.reset();
              model->backbone =
                  std::shared_ptr<Backbone>(load_backbone(backbone, weights, settings.device.toStdString()));
              model->key = key;
              model->weights = weights;
            }
            loaded = {model->backbone, model->weights};
          }
        }
        ctx.check_cancelled();

        // 2. Images.
        ctx.report(1, kSteps, "decoding " + source.source_path.toStdString());
        auto src = std::make_shared<const DecodedImage>(decode(source, source.source_path));
        ctx.check_cancelled();
        ctx.report(2, kSteps, "decoding " + source.target_path.toStdString());
        auto trg = std::make_shared<const DecodedImage>(decode(source, source.target_path));
        ctx.check_cancelled();

        // 3. Hyperpixels and matching, with a cancel check between the stages.
        const MatchOptions options = to_match_options(settings);
        const HyperpixelFlow flow(*loaded.backbone, options);
        StageTimings timings;
        ctx.report(3, kSteps, "source hyperpixels");
        ImageFeatures src_features = describe_image(flow, *src, &timings);
        ctx.check_cancelled();
        ctx.report(4, kSteps, "target hyperpixels");
        ImageFeatures trg_features = describe_image(flow, *trg, &timings);
        ctx.check_cancelled();
        ctx.report(5, kSteps, "regularized Hough matching");
        auto pair = std::make_shared<MatchedPair>(
            match_described(flow, std::move(src_features), std::move(trg_features), src->scale, trg->scale));
        pair->timings.backbone_ms += timings.backbone_ms;
        pair->timings.hyperpixel_ms += timings.hyperpixel_ms;
        ctx.check_cancelled();

        // 4. Points to transfer and the figure.
        ctx.report(6, kSteps, "transferring keypoints and dense flow");
        auto result = std::make_shared<Result>();
        result->source = src;
        result->target = trg;
        result->options = options;
        result->provenance =
            MatchProvenance{source.source_path.toStdString(), source.target_path.toStdString(),
                            loaded.backbone->name(), loaded.weights, loaded.backbone->device().str()};
        FigureInputs inputs;
        if (source.from_dataset()) {
          for (const Keypoint& k : source.annotation->source_kps) result->points.push_back({k.x, k.y});
          inputs.point_ids = source.annotation->kps_ids;
          inputs.annotation = &*source.annotation;
        } else {
          result->points =
              grid_points(src->original_width, src->original_height, std::max(1, settings.grid_per_side));
        }
        if (inputs.point_ids.size() != result->points.size()) {
          inputs.point_ids.resize(result->points.size());
          for (size_t i = 0; i < inputs.point_ids.size(); ++i) inputs.point_ids[i] = static_cast<int>(i);
        }
        result->transferred = transfer_points(*pair, result->points, &pair->timings.transfer_ms);
        inputs.pair = pair.get();
        inputs.source = src.get();
        inputs.target = trg.get();
        inputs.points = result->points;
        inputs.transferred = result->transferred;
        auto figure = std::make_shared<const PairFigure>(build_figure(inputs));
        ctx.report(kSteps, kSteps, "done");

        return [this, pair, figure, result] {
          pair_ = pair;
          figure_ = figure;
          result_ = result;
          layers_.reset();
          Q_EMIT result_ready();
        };
      });
  return match_job_;
}

quint64 PairSession::compute_layer_maps() {
  if (!result_) return 0;
  std::shared_ptr<Backbone> backbone;
  {
    std::lock_guard<std::mutex> lock(model_->mutex);
    backbone = model_->backbone;
  }
  if (!backbone) return 0;
  const std::shared_ptr<const Result> result = result_;
  const int max_side = result->options.max_side;
  return runner_.start(tr("Layer maps"),
                       [this, backbone, result, max_side](const JobContext& ctx) -> JobRunner::Delivery {
                         auto layers = std::make_shared<Layers>();
                         layers->maps = hpf::compute_layer_maps(*backbone, *result->source, *result->target,
                                                                max_side, [&](int done, int total) {
                                                                  ctx.check_cancelled();
                                                                  ctx.report(done, total, "layer maps");
                                                                });
                         return [this, layers, result] {
                           if (result != result_)
                             return;  // a newer pair replaced the one these maps belong to
                           layers_ = layers;
                           Q_EMIT layer_maps_ready();
                         };
                       });
}

std::optional<QueryOverlay> PairSession::query(const QPointF& p) const {
  if (!pair_) return std::nullopt;
  const PreparedImage& image = pair_->source.image;
  if (p.x() < 0 || p.y() < 0 || p.x() > image.original_width || p.y() > image.original_height)
    return std::nullopt;
  const PointQuery q = query_point(*pair_, Point2{p.x(), p.y()});
  QueryOverlay o;
  o.source_point = p;
  o.covering.assign(q.covering.begin(), q.covering.end());
  const auto rect = [](const std::array<double, 4>& b) {
    return QRectF(QPointF(b[0], b[1]), QPointF(b[2], b[3]));
  };
  for (const auto& b : q.source_boxes) o.source_boxes.push_back(rect(b));
  for (const auto& b : q.target_boxes) o.target_boxes.push_back(rect(b));
  if (q.best_match) o.best_match = QPointF(q.best_match->x, q.best_match->y);
  o.confidence = q.confidence;
  o.grid_width = q.grid_width;
  o.grid_height = q.grid_height;
  o.target_jump = q.target_jump;
  if (!q.confidence.empty()) {
    o.heatmap = heatmap_image(q.confidence, static_cast<int>(q.grid_width), static_cast<int>(q.grid_height));
    const double cell = static_cast<double>(q.target_jump) / pair_->target_scale;
    o.heatmap_rect = QRectF(0, 0, cell * q.grid_width, cell * q.grid_height);
  }
  if (layers_ && o.best_match) {
    o.layer_similarity = layer_similarity(layers_->maps, pair_->source_scale, pair_->target_scale, p.x(),
                                          p.y(), o.best_match->x(), o.best_match->y());
  }
  return o;
}

QByteArray PairSession::report_json() const {
  if (!pair_ || !result_) throw std::runtime_error("no computed pair to export");
  const MatchReport report =
      make_match_report(*pair_, result_->provenance, result_->options, result_->points, result_->transferred);
  return QByteArray::fromStdString(match_report_json(report));
}

}  // namespace hpf
