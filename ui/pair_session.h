#pragma once
// The pair being inspected: its inputs, the model, and the results of the core jobs, which it runs through a
// JobRunner. Views read plain-Qt results (PairFigure, QueryOverlay, LayerTile); LibTorch stays in the .cpp.

#include "datasets/dataset.h"
#include "ui/backbone_service.h"
#include "ui/job_runner.h"
#include "ui/layer_tiles.h"
#include "ui/match_settings.h"
#include "ui/pair_figure.h"
#include "ui/query_overlay.h"

#include <QObject>
#include <QPointF>
#include <QString>

#include <memory>
#include <optional>

namespace hpf {

class Backbone;
class PointQueries;
struct MatchedPair;

// Where a pair comes from: two image files, or an annotated pair of a dataset (with ground truth).
struct PairSource {
  QString source_path, target_path;  // files, or paths relative to the dataset root
  std::shared_ptr<const Dataset> dataset;
  std::optional<PairAnnotation> annotation;

  bool from_dataset() const { return dataset != nullptr && annotation.has_value(); }
  QString describe() const;
};

class PairSession : public QObject {
  Q_OBJECT
 public:
  explicit PairSession(QObject* parent = nullptr);
  ~PairSession() override;

  JobRunner& runner() { return runner_; }

  const MatchSettings& settings() const { return settings_; }
  // Stores the settings; does not recompute (call compute()).
  void set_settings(const MatchSettings& settings);

  // The networks the session runs with (by default its own; the main window shares one with every panel).
  void set_backbone_service(std::shared_ptr<BackboneService> service);
  const std::shared_ptr<BackboneService>& backbone_service() const { return backbones_; }
  // Uses `backbone` for every run instead of loading one from the settings (tests, embedding). nullptr goes
  // back to loading from the settings.
  void set_backbone(std::shared_ptr<Backbone> backbone);

  // Sets the pair and matches it (cancelling any run in progress).
  void open(const PairSource& source);
  const PairSource& source() const { return source_; }
  bool has_pair() const { return !source_.source_path.isEmpty(); }

  // Matches the current pair with the current settings; returns the job id (0 when there is no pair).
  quint64 compute();
  // Runs every backbone layer on the current pair for the layers view; needs a computed pair.
  quint64 compute_layer_maps();
  void cancel();
  bool busy() const { return runner_.pending() > 0; }

  // Results of the last successful compute(); null before.
  std::shared_ptr<const PairFigure> figure() const { return figure_; }
  const MatchedPair* matched_pair() const;
  const std::vector<LayerTile>& layer_tiles() const;

  // Point query at a source pixel (original coordinates), on the calling (GUI) thread: milliseconds.
  // Returns nullopt without a computed pair or for a point outside the source image.
  std::optional<QueryOverlay> query(const QPointF& source_point) const;

  // The pair's results in `hpf match`'s JSON schema. Throws std::runtime_error without a computed pair.
  QByteArray report_json() const;

 Q_SIGNALS:
  void busy_changed(bool busy);
  void progress(qint64 done, qint64 total, const QString& what);
  void result_ready();
  void layer_maps_ready();
  void failed(const QString& message);
  // Something the user should know about how the pair ran (e.g. it moved to the CPU when the GPU ran out of
  // memory); emitted after result_ready().
  void notice(const QString& message);
  void cancelled();
  // The settings name no weights file and the cache has none for this backbone (the job failed; a view may
  // offer the download).
  void weights_missing(const QString& backbone, const QString& message);

 private:
  struct Result;
  struct Layers;

  JobRunner runner_;
  MatchSettings settings_;
  PairSource source_;
  std::shared_ptr<BackboneService> backbones_;
  quint64 match_job_ = 0;
  std::shared_ptr<const Result> result_;
  // The matched pair, with what its point queries share (built in the worker that matched it).
  std::shared_ptr<const PointQueries> queries_;
  std::shared_ptr<const PairFigure> figure_;
  std::shared_ptr<const Layers> layers_;
};

}  // namespace hpf
