#include "ui/pair_session.h"

#include "core/compute/hyperpixel_flow.h"
#include "core/eval/pck.h"
#include "core/pipeline/match_report.h"
#include "core/pipeline/point_query.h"
#include "ui/colormap.h"
#include "ui/figure_builder.h"
#include "ui/layer_maps.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QFileInfo>

#include <algorithm>

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

struct PairSession::Result {
  std::shared_ptr<Backbone> backbone;  // the network the pair was matched with (the layer maps reuse it)
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

DecodedImage decode(const PairSource& source, const QString& path) {
  if (source.from_dataset()) {
    const cv::Mat rgb = load_image(*source.dataset, path.toStdString());
    DecodedImage image;
    image.rgb = mat_to_tensor(rgb);
    image.original_width = rgb.cols;
    image.original_height = rgb.rows;
    image.name = path.toStdString();
    return image;
  }
  return read_image(path.toStdString());
}

}  // namespace

PairSession::PairSession(QObject* parent) : QObject(parent), backbones_(std::make_shared<BackboneService>()) {
  connect(&runner_, &JobRunner::busy_changed, this, &PairSession::busy_changed);
  connect(&runner_, &JobRunner::progress, this,
          [this](quint64, qint64 done, qint64 total, const QString& what) {
            Q_EMIT progress(done, total, what);
          });
  connect(&runner_, &JobRunner::failed, this,
          [this](quint64, const QString& message, JobRunner::Failure kind) {
            if (kind == JobRunner::Failure::WeightsMissing) {
              Q_EMIT weights_missing(settings_.backbone, message);
            } else {
              Q_EMIT failed(message);
            }
          });
  connect(&runner_, &JobRunner::cancelled, this, [this](quint64) { Q_EMIT cancelled(); });
}

PairSession::~PairSession() = default;

void PairSession::set_settings(const MatchSettings& settings) {
  settings_ = settings;
}

void PairSession::set_backbone_service(std::shared_ptr<BackboneService> service) {
  backbones_ = std::move(service);
}

void PairSession::set_backbone(std::shared_ptr<Backbone> backbone) {
  backbones_->inject(std::move(backbone));
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
  const std::shared_ptr<BackboneService> backbones = backbones_;

  match_job_ = runner_.start(
      tr("Matching"), [this, source, settings, backbones](const JobContext& ctx) -> JobRunner::Delivery {
        constexpr int64_t kSteps = 7;
        c10::InferenceMode inference;
        // 1. The network, from the application's backbone service (loaded once per backbone/weights/device; a
        // missing weights file is a JobRunner::Failure::WeightsMissing).
        ctx.report(0, kSteps, "loading " + settings.backbone.toStdString());
        const BackboneService::Loaded loaded = backbones->get(settings);
        ctx.check_cancelled();

        // 2. Images.
        ctx.report(1, kSteps, "decoding " + source.source_path.toStdString());
        auto src = std::make_shared<const DecodedImage>(decode(source, source.source_path));
        ctx.check_cancelled();
        ctx.report(2, kSteps, "decoding " + source.target_path.toStdString());
        auto trg = std::make_shared<const DecodedImage>(decode(source, source.target_path));
        ctx.check_cancelled();

        // 3. The pair job (memory check, hyperpixels, matching, GPU fallback), its stages as steps 3-5.
        const MatchOptions options = to_match_options(settings);
        const HyperpixelFlow flow(*loaded.backbone, options);
        JobContext stages = ctx;
        stages.progress = [&ctx](const JobProgress& p) { ctx.report(3 + p.done, kSteps, p.item); };
        DecodedPairImage src_image(*src), trg_image(*trg);
        auto pair = std::make_shared<MatchedPair>(match_pair(flow, src_image, trg_image, stages));
        ctx.check_cancelled();

        // 4. Points to transfer and the figure.
        ctx.report(6, kSteps, "transferring keypoints and dense flow");
        auto result = std::make_shared<Result>();
        result->backbone = loaded.backbone;
        result->source = src;
        result->target = trg;
        result->options = options;
        result->provenance =
            MatchProvenance{source.source_path.toStdString(), source.target_path.toStdString(),
                            loaded.backbone->name(), loaded.weights, loaded.backbone->device().str()};
        FigureInputs inputs;
        if (source.from_dataset()) {
          result->points = as_points(source.annotation->source_kps);
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
        if (options.method == "scot") {
          // What HPF does with the same points: the view marks where the two methods agree.
          ctx.report(6, kSteps, "matching with HPF for comparison");
          MatchOptions hpf_options = options;
          hpf_options.method = "hpf";
          const HyperpixelFlow hpf_flow(*loaded.backbone, hpf_options);
          JobContext quiet = ctx;  // cancellable, but its stages would restart this job's progress bar
          quiet.progress = nullptr;
          const MatchedPair hpf_pair = match_pair(hpf_flow, src_image, trg_image, quiet);
          inputs.comparison_method = "HPF";
          inputs.comparison_transferred = transfer_points(hpf_pair, result->points);
          ctx.check_cancelled();
        }
        inputs.pair = pair.get();
        inputs.source = src.get();
        inputs.target = trg.get();
        inputs.points = result->points;
        inputs.transferred = result->transferred;
        auto figure = std::make_shared<const PairFigure>(build_figure(inputs));
        auto queries = std::make_shared<const PointQueries>(pair);
        ctx.report(kSteps, kSteps, "done");

        return [this, queries, figure, result] {
          queries_ = queries;
          const MatchedPair* pair = &queries->pair();
          figure_ = figure;
          result_ = result;
          layers_.reset();
          Q_EMIT result_ready();
          if (!pair->notice.empty()) Q_EMIT notice(QString::fromStdString(pair->notice));
        };
      });
  return match_job_;
}

quint64 PairSession::compute_layer_maps() {
  if (!result_) return 0;
  const std::shared_ptr<const Result> result = result_;
  const std::shared_ptr<Backbone> backbone = result->backbone;
  return runner_.start(tr("Layer maps"),
                       [this, backbone, result](const JobContext& ctx) -> JobRunner::Delivery {
                         auto layers = std::make_shared<Layers>();
                         layers->maps = hpf::compute_layer_maps(*backbone, *result->source, *result->target,
                                                                result->options, [&](int done, int total) {
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

const MatchedPair* PairSession::matched_pair() const {
  return queries_ ? &queries_->pair() : nullptr;
}

std::optional<QueryOverlay> PairSession::query(const QPointF& p) const {
  if (!queries_) return std::nullopt;
  const MatchedPair& pair = queries_->pair();
  const PreparedImage& image = pair.source.image;
  if (p.x() < 0 || p.y() < 0 || p.x() > image.original_width || p.y() > image.original_height)
    return std::nullopt;
  const PointQuery q = queries_->query(Point2{p.x(), p.y()});
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
    // Cosines are drawn relative to their peak (their absolute range is small), which the caption gives.
    o.appearance_peak = *std::max_element(q.appearance.begin(), q.appearance.end());
    std::vector<float> appearance = q.appearance;
    if (o.appearance_peak > 0) {
      for (float& v : appearance) v /= o.appearance_peak;
    }
    o.appearance_heatmap =
        heatmap_image(appearance, static_cast<int>(q.grid_width), static_cast<int>(q.grid_height));
    o.votes_heatmap = heatmap_image(q.votes, static_cast<int>(q.grid_width), static_cast<int>(q.grid_height));
    o.votes_label = result_ && result_->options.method == "scot" ? tr("transport plan row") : tr("cos^d row");
    const double cell = static_cast<double>(q.target_jump) / pair.target_scale;
    o.heatmap_rect = QRectF(0, 0, cell * q.grid_width, cell * q.grid_height);
  }
  if (layers_ && o.best_match) {
    o.layer_similarity = layer_similarity(layers_->maps, pair.source_scale, pair.target_scale, p.x(), p.y(),
                                          o.best_match->x(), o.best_match->y());
  }
  return o;
}

QByteArray PairSession::report_json() const {
  if (!queries_ || !result_) throw std::runtime_error("no computed pair to export");
  const MatchReport report = make_match_report(queries_->pair(), result_->provenance, result_->options,
                                               result_->points, result_->transferred);
  return QByteArray::fromStdString(match_report_json(report));
}

}  // namespace hpf
