// QtTest tests of Hyperpixel Studio on the offscreen platform: the job runner, matching through the window,
// overlays against the core's numbers, point queries, exports, errors, cancel, and event-loop responsiveness.

#include "core/compute/backbone.h"
#include "core/compute/runtime.h"
#include "core/compute/transfer.h"
#include "core/pipeline/pair_matching.h"
#include "core/pipeline/point_query.h"
#include "gui_fixtures.h"
#include "tests/support/fake_gpu_backbone.h"
#include "ui/colormap.h"
#include "ui/figure_export.h"
#include "ui/job_runner.h"
#include "ui/layers_panel.h"
#include "ui/main_window.h"
#include "ui/pair_view.h"
#include "ui/query_rows.h"
#include "ui/settings_panel.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <algorithm>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QGraphicsEllipseItem>
#include <QGraphicsLineItem>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>

#include <cmath>
#include <memory>

using namespace hpf;

namespace {

constexpr int kWaitMs = 120000;

// What the core computes for the same inputs, independently of the GUI.
struct CorePair {
  MatchedPair pair;
  std::vector<Point2> points;
  std::vector<TransferredPoint> transferred;
};

CorePair core_match(Backbone& backbone, const MatchSettings& settings, const QString& src, const QString& trg,
                    const std::vector<Point2>* points = nullptr) {
  c10::InferenceMode inference;
  const DecodedImage s = read_image(src.toStdString()), t = read_image(trg.toStdString());
  const HyperpixelFlow flow(backbone, to_match_options(settings));
  CorePair out{match_images(flow, s, t), {}, {}};
  out.points = points ? *points : grid_points(s.original_width, s.original_height, settings.grid_per_side);
  out.transferred = transfer_points(out.pair, out.points);
  return out;
}

MatchSettings test_settings() {
  MatchSettings s;
  s.backbone = "mobilenet_v2";
  s.match.layers = {4, 7, 10};
  s.match.max_side = 160;
  s.grid_per_side = 5;
  return s;
}

}  // namespace

class StudioTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void job_runner_delivers_on_gui_thread();
  void job_runner_turns_exceptions_into_errors();
  void job_runner_cancels_running_job();
  void overlays_match_core_numbers();
  void point_query_equals_core();
  void exports_are_valid();
  void corrupt_image_shows_error_and_app_keeps_working();
  void cancel_running_match();
  void gpu_out_of_memory_finishes_on_the_cpu();
  void dataset_pair_judges_predictions_like_core();
  void layer_maps_and_layer_toggle();
  void event_loop_stays_responsive();
  void overlay_toolbar_fits_at_1280_px();
  void scot_pair_shows_activation_plan_and_agreement();
  void dinov2_blocks_are_the_layers();
  void image_side_follows_the_backbone();

 private:
  void open_and_wait(MainWindow& window, const QString& src, const QString& trg);

  QTemporaryDir dir_;
  std::shared_ptr<Backbone> backbone_;
  QString src_, trg_;
};

void StudioTest::initTestCase() {
  QVERIFY(dir_.isValid());
  // An untrained network is enough: the tests compare the GUI with the core on the same network. Seeded, so
  // its random initialisation (and which fixture keypoints it gets right) is the same on every run.
  at::manual_seed(0);
  backbone_ = std::shared_ptr<Backbone>(make_backbone("mobilenet_v2"));
  src_ = test::write_pattern_image(dir_.filePath("src.png"), 180, 140, 3);
  trg_ = test::write_pattern_image(dir_.filePath("trg.png"), 200, 150, 3, 14, 9);
}

void StudioTest::open_and_wait(MainWindow& window, const QString& src, const QString& trg) {
  QSignalSpy ready(&window.session(), &PairSession::result_ready);
  window.open_images(src, trg);
  QVERIFY2(ready.wait(kWaitMs), qPrintable(window.last_error()));
}

void StudioTest::job_runner_delivers_on_gui_thread() {
  JobRunner runner;
  QSignalSpy progress(&runner, &JobRunner::progress);
  QSignalSpy succeeded(&runner, &JobRunner::succeeded);
  QThread* worker = nullptr;
  QThread* delivered_on = nullptr;
  int value = 0;
  const quint64 id = runner.start("test", [&](const JobContext& ctx) -> JobRunner::Delivery {
    worker = QThread::currentThread();
    for (int i = 1; i <= 3; ++i) ctx.report(i, 3, "step " + std::to_string(i));
    return [&] {
      delivered_on = QThread::currentThread();
      value = 42;
    };
  });
  QVERIFY(succeeded.wait(5000));
  QCOMPARE(succeeded.at(0).at(0).toULongLong(), id);
  QCOMPARE(value, 42);
  QVERIFY(worker != QThread::currentThread());
  QCOMPARE(delivered_on, QThread::currentThread());
  QCOMPARE(progress.count(), 3);
  QCOMPARE(progress.at(2).at(1).toLongLong(), 3);
  QCOMPARE(progress.at(2).at(3).toString(), QString("step 3"));
  QCOMPARE(runner.pending(), 0);
}

void StudioTest::job_runner_turns_exceptions_into_errors() {
  JobRunner runner;
  QSignalSpy failed(&runner, &JobRunner::failed);
  QSignalSpy succeeded(&runner, &JobRunner::succeeded);
  runner.start("throws", [](const JobContext&) -> JobRunner::Delivery {
    throw std::runtime_error(
        "weights.pth: tensor features.0.0.weight has shape [3] but [32, 3, 3, 3] expected");
  });
  QVERIFY(failed.wait(5000));
  QCOMPARE(failed.at(0).at(1).toString(),
           QString("weights.pth: tensor features.0.0.weight has shape [3] but [32, 3, 3, 3] expected"));
  QCOMPARE(succeeded.count(), 0);
  // A delivery that throws on the GUI thread is an error too, not a crash.
  runner.start("delivery throws", [](const JobContext&) -> JobRunner::Delivery {
    return [] { throw std::runtime_error("cannot show this result"); };
  });
  QVERIFY(failed.wait(5000));
  QCOMPARE(failed.at(1).at(1).toString(), QString("cannot show this result"));
}

void StudioTest::job_runner_cancels_running_job() {
  JobRunner runner;
  QSignalSpy started(&runner, &JobRunner::started);
  QSignalSpy cancelled(&runner, &JobRunner::cancelled);
  QSignalSpy succeeded(&runner, &JobRunner::succeeded);
  bool delivered = false;
  const quint64 id = runner.start("loops", [&](const JobContext& ctx) -> JobRunner::Delivery {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 20000) {
      ctx.check_cancelled();
      QThread::msleep(2);
    }
    return [&] { delivered = true; };
  });
  QVERIFY(started.wait(5000));
  QElapsedTimer t;
  t.start();
  runner.cancel(id);
  QVERIFY(cancelled.wait(5000));
  QVERIFY2(t.elapsed() < 1000, "cancel took longer than a second");
  QCOMPARE(succeeded.count(), 0);
  QVERIFY(!delivered);
  QVERIFY(runner.wait_idle(1000));
}

void StudioTest::overlays_match_core_numbers() {
  MainWindow window(false);
  window.apply_settings(test_settings());
  window.session().set_backbone(backbone_);
  QVERIFY(window.showing_start_page());
  open_and_wait(window, src_, trg_);
  QVERIFY(!window.showing_start_page());

  const CorePair core = core_match(*backbone_, test_settings(), src_, trg_);
  const auto figure = window.session().figure();
  QCOMPARE(figure->source_hyperpixels, core.pair.source.hyperpixels.size());
  QCOMPARE(figure->target_hyperpixels, core.pair.target.hyperpixels.size());
  QCOMPARE(figure->source_points.size(), size_t(25));

  PairView& view = window.pair_view();
  // One numbered marker per grid point, at the point.
  const QList<QGraphicsItem*> keypoints = view.overlay_items(Overlay::Keypoints);
  QCOMPARE(keypoints.size(), 25);
  for (QGraphicsItem* item : keypoints) {
    const int i = item->data(PairView::kIndexRole).toInt();
    QCOMPARE(item->pos(), QPointF(core.points[i].x, core.points[i].y));
  }
  // One transferred marker per covered point, at the core's transferred position (original target pixels).
  int covered = 0;
  for (const auto& t : core.transferred) covered += t.target ? 1 : 0;
  QVERIFY(covered > 0);
  const QList<QGraphicsItem*> transferred = view.overlay_items(Overlay::Transferred);
  QCOMPARE(transferred.size(), covered);
  for (QGraphicsItem* item : transferred) {
    const auto& t = core.transferred[item->data(PairView::kIndexRole).toInt()];
    QVERIFY(t.target);
    QCOMPARE(item->pos(), QPointF(t.target->x, t.target->y));
  }
  // Match lines run from the source point to the transferred point in scene coordinates.
  const QList<QGraphicsItem*> lines = view.overlay_items(Overlay::MatchLines);
  QCOMPARE(lines.size(), covered);
  for (QGraphicsItem* item : lines) {
    const int i = item->data(PairView::kIndexRole).toInt();
    const QLineF line = static_cast<QGraphicsLineItem*>(item)->line();
    QCOMPARE(line.p1(), QPointF(core.points[i].x, core.points[i].y));
    QCOMPARE(line.p2(),
             view.target_origin() + QPointF(core.transferred[i].target->x, core.transferred[i].target->y));
  }
  // Hyperpixel lines: the strongest matches, at most 200, none below half the strongest confidence.
  const QList<QGraphicsItem*> hp = view.overlay_items(Overlay::HyperpixelLines);
  const at::Tensor conf = core.pair.match.best.confidence.to(at::kCPU);
  const float strongest = conf.max().item<float>();
  const int64_t expected = std::min<int64_t>(200, conf.ge(0.5f * strongest).sum().item<int64_t>());
  QCOMPARE(static_cast<int64_t>(hp.size()), expected);
  // The flow overlays exist and are hidden by default; toggling shows them.
  QCOMPARE(view.overlay_items(Overlay::WarpedSource).size(), 1);
  QVERIFY(!view.overlay_items(Overlay::WarpedSource).front()->isVisible());
  view.set_overlay_visible(Overlay::WarpedSource, true);
  QVERIFY(view.overlay_items(Overlay::WarpedSource).front()->isVisible());
  QCOMPARE(figure->warped_source.size(),
           QSize(core.pair.target.image.width(), core.pair.target.image.height()));
}

void StudioTest::point_query_equals_core() {
  MainWindow window(false);
  window.apply_settings(test_settings());
  window.session().set_backbone(backbone_);
  open_and_wait(window, src_, trg_);
  const CorePair core = core_match(*backbone_, test_settings(), src_, trg_);
  for (const QPointF p : {QPointF(90, 70), QPointF(20.5, 33.25), QPointF(170, 130)}) {
    const std::optional<QueryOverlay> q = window.session().query(p);
    QVERIFY(q);
    const PointQuery expected = query_point(core.pair, Point2{p.x(), p.y()});
    QCOMPARE(q->covering, std::vector<qint64>(expected.covering.begin(), expected.covering.end()));
    QCOMPARE(q->confidence, expected.confidence);
    QCOMPARE(q->grid_width, expected.grid_width);
    QCOMPARE(q->best_match.has_value(), expected.best_match.has_value());
    if (expected.best_match)
      QCOMPARE(*q->best_match, QPointF(expected.best_match->x, expected.best_match->y));
    QCOMPARE(q->source_boxes.size(), expected.source_boxes.size());
    for (size_t i = 0; i < q->source_boxes.size(); ++i) {
      const auto& b = expected.source_boxes[i];
      QCOMPARE(q->source_boxes[i], QRectF(QPointF(b[0], b[1]), QPointF(b[2], b[3])));
    }
    // The view draws one box per covering hyperpixel on each image, plus the best match.
    window.pair_view().show_query(q);
    QCOMPARE(window.pair_view().overlay_items(Overlay::Query).size(),
             static_cast<int>(2 * expected.covering.size() + (expected.best_match ? 1 : 0)));
  }
  QVERIFY(!window.session().query(QPointF(-1, 5)));
  QVERIFY(!window.session().query(QPointF(181, 5)));
}

void StudioTest::exports_are_valid() {
  MainWindow window(false);
  window.apply_settings(test_settings());
  window.session().set_backbone(backbone_);
  window.resize(1280, 720);
  window.show();
  open_and_wait(window, src_, trg_);
  window.pair_view().show_query(window.session().query(QPointF(90, 70)));

  const QString png = dir_.filePath("figure.png"), svg = dir_.filePath("figure.svg"),
                pdf = dir_.filePath("figure.pdf");
  QVERIFY2(window.export_figure_to(png), qPrintable(window.last_error()));
  QVERIFY2(window.export_figure_to(svg), qPrintable(window.last_error()));
  QVERIFY2(window.export_figure_to(pdf), qPrintable(window.last_error()));

  const QImage image(png);
  QVERIFY(!image.isNull());
  const QRectF region = window.pair_view().visible_figure_rect();
  QCOMPARE(image.width(), qRound(region.width() * 3));  // publication resolution: 3 px per image pixel
  QVERIFY(QSvgRenderer(svg).isValid());
  QFile pdf_file(pdf);
  QVERIFY(pdf_file.open(QIODevice::ReadOnly));
  const QByteArray bytes = pdf_file.readAll();
  QVERIFY(bytes.startsWith("%PDF-"));
  // Exactly one page object ("/Type /Page", not the "/Type /Pages" tree).
  int pages = 0;
  for (auto it = QRegularExpression("/Type\\s*/Page(?!s)").globalMatch(QString::fromLatin1(bytes));
       it.hasNext(); it.next()) {
    ++pages;
  }
  QCOMPARE(pages, 1);

  // JSON has `hpf match`'s schema: one transferred entry per grid point.
  const QString json = dir_.filePath("matches.json");
  QVERIFY(window.export_json_to(json));
  QFile json_file(json);
  QVERIFY(json_file.open(QIODevice::ReadOnly));
  const QJsonObject report = QJsonDocument::fromJson(json_file.readAll()).object();
  QCOMPARE(report["transferred_kps"].toArray().size(), 25);
  QCOMPARE(report["covering"].toArray().size(), 25);

  // An unknown format is an error naming it; nothing is written.
  QVERIFY(!window.export_figure_to(dir_.filePath("figure.gif")));
  QVERIFY2(window.last_error().contains("unknown figure format '.gif'"), qPrintable(window.last_error()));
  QVERIFY(!QFile::exists(dir_.filePath("figure.gif")));
}

void StudioTest::corrupt_image_shows_error_and_app_keeps_working() {
  MainWindow window(false);
  window.apply_settings(test_settings());
  window.session().set_backbone(backbone_);
  const QString corrupt = test::write_corrupt_image(dir_.filePath("corrupt.png"));
  QSignalSpy failed(&window.session(), &PairSession::failed);
  window.open_images(corrupt, trg_);
  QVERIFY(failed.wait(kWaitMs));
  QVERIFY2(window.last_error().contains("corrupt.png"), qPrintable(window.last_error()));
  QVERIFY(window.showing_start_page());
  QVERIFY(!window.session().figure());
  open_and_wait(window, src_, trg_);
  QVERIFY(window.last_error().isEmpty());
  QVERIFY(window.session().figure());
}

void StudioTest::cancel_running_match() {
  MainWindow window(false);
  MatchSettings s = test_settings();
  s.match.max_side = 400;  // slow enough to be caught running
  window.apply_settings(s);
  window.session().set_backbone(backbone_);
  QSignalSpy cancelled(&window.session(), &PairSession::cancelled);
  QSignalSpy ready(&window.session(), &PairSession::result_ready);
  QSignalSpy progress(&window.session(), &PairSession::progress);
  window.open_images(src_, trg_);
  QVERIFY(progress.wait(kWaitMs));
  window.session().cancel();
  QVERIFY(cancelled.wait(kWaitMs));
  QCOMPARE(ready.count(), 0);
  QVERIFY(!window.session().figure());
  QVERIFY(!window.session().busy());
  // The next run works.
  window.apply_settings(test_settings());
  window.session().compute();
  QVERIFY(ready.wait(kWaitMs));
}

// The pair view goes through core's pair job: a GPU that runs out of memory moves the network to the CPU, the
// pair is finished there with the CPU's numbers, and the user is told.
void StudioTest::gpu_out_of_memory_finishes_on_the_cpu() {
  at::manual_seed(0);
  auto gpu = std::make_shared<test::FakeGpuBackbone>(std::unique_ptr<Backbone>(make_backbone("mobilenet_v2")),
                                                     test::cuda_out_of_memory_message());
  PairSession session;
  session.set_settings(test_settings());
  session.set_backbone(gpu);
  QSignalSpy ready(&session, &PairSession::result_ready);
  QSignalSpy notice(&session, &PairSession::notice);
  QSignalSpy failed(&session, &PairSession::failed);
  PairSource source;
  source.source_path = src_;
  source.target_path = trg_;
  session.open(source);
  QVERIFY(ready.wait(kWaitMs));
  QCOMPARE(failed.count(), 0);
  QCOMPARE(notice.count(), 1);
  QVERIFY2(notice.at(0).at(0).toString().contains("out of memory"),
           qPrintable(notice.at(0).at(0).toString()));
  QVERIFY(gpu->device().is_cpu());
  QCOMPARE(gpu->gpu_failures.load(), 1);
  // backbone_ was seeded like the fake's CPU network: the same weights, so the same matches.
  const CorePair core = core_match(*backbone_, test_settings(), src_, trg_);
  QVERIFY(at::equal(session.matched_pair()->match.best.target_index, core.pair.match.best.target_index));
}

void StudioTest::dataset_pair_judges_predictions_like_core() {
  const QString root = test::write_pf_willow(dir_.filePath("willow"), 12, 6);
  std::shared_ptr<const Dataset> dataset = open_dataset("pf-willow", root.toStdString());
  const std::vector<PairAnnotation> pairs = dataset->pairs("test");
  QCOMPARE(pairs.size(), size_t(1));

  MainWindow window(false);
  MatchSettings s = test_settings();
  s.alpha = 0.05;  // tight enough that an untrained network gets some keypoints wrong
  window.apply_settings(s);
  window.session().set_backbone(backbone_);
  QSignalSpy ready(&window.session(), &PairSession::result_ready);
  window.open_dataset_pair(dataset, pairs[0]);
  QVERIFY2(ready.wait(kWaitMs), qPrintable(window.last_error()));
  const auto figure = window.session().figure();
  QVERIFY(figure->has_truth());
  // Ground truth on both images: 10 + 10 numbered markers.
  QCOMPARE(window.pair_view().overlay_items(Overlay::Keypoints).size(), 20);

  // The core's PCK on the same pair, in the resized frame as the evaluation computes it.
  std::vector<Point2> kps;
  for (const Keypoint& k : pairs[0].source_kps) kps.push_back({k.x, k.y});
  const CorePair core =
      core_match(*backbone_, s, root + "/car(G)/Cars_000a.png", root + "/car(G)/Cars_001b.png", &kps);
  at::Tensor predicted = at::empty({10, 2});
  for (int i = 0; i < 10; ++i) {
    predicted[i][0] = core.transferred[i].target_resized.x;
    predicted[i][1] = core.transferred[i].target_resized.y;
  }
  std::vector<Point2> truth;
  for (const Keypoint& k : pairs[0].target_kps) truth.push_back({k.x, k.y});
  const double threshold = pck_threshold(pairs[0], ThresholdKind::BoundingBox, 200, 150);
  QCOMPARE(figure->threshold_bbox, threshold);
  const int64_t core_correct = count_correct(predicted, scale_points(truth, core.pair.target_scale),
                                             static_cast<float>(threshold) * core.pair.target_scale, 0.05f);
  // Count the green markers the view shows.
  int green = 0, red = 0;
  for (QGraphicsItem* item : window.pair_view().overlay_items(Overlay::Transferred)) {
    const QColor c = static_cast<QAbstractGraphicsShapeItem*>(item)->brush().color();
    green += c == QColor(46, 204, 113) ? 1 : 0;
    red += c == QColor(231, 76, 60) ? 1 : 0;
  }
  QCOMPARE(static_cast<int64_t>(green), core_correct);
  QVERIFY2(green > 0 && red > 0, "the fixture should give both correct and wrong predictions");
  QCOMPARE(green + red, window.pair_view().overlay_items(Overlay::Transferred).size());
  qInfo("PF-WILLOW fixture pair: %d of 10 keypoints correct at alpha 0.05 (core: %lld)", green,
        static_cast<long long>(core_correct));
}

void StudioTest::layer_maps_and_layer_toggle() {
  MainWindow window(false);
  window.apply_settings(test_settings());
  window.session().set_backbone(backbone_);
  open_and_wait(window, src_, trg_);
  QSignalSpy maps(&window.session(), &PairSession::layer_maps_ready);
  window.show_layers_tab();  // switching to the tab computes the maps
  QVERIFY(maps.wait(kWaitMs));
  const std::vector<LayerTile>& tiles = window.session().layer_tiles();
  QCOMPARE(tiles.size(), backbone_->layers().size());
  QCOMPARE(window.layers_panel().tile_count(), static_cast<int>(tiles.size()));
  QCOMPARE(window.layers_panel().selected(), QList<int>({4, 7, 10}));
  // Each map has the layer's resolution on the matcher's input (stride = jump).
  {
    c10::InferenceMode inference;
    const PreparedImage prepared = prepare_image(read_image(src_.toStdString()).rgb, 160);
    const std::vector<at::Tensor> out = backbone_->extract(prepared.tensor, {4, 16});
    QCOMPARE(tiles[4].source.size(), QSize(out[0].size(3), out[0].size(2)));
    QCOMPARE(tiles[16].source.size(), QSize(out[1].size(3), out[1].size(2)));
  }
  // Per-layer similarity at a query point, one value per layer, each a cosine.
  const auto q = window.session().query(QPointF(90, 70));
  QVERIFY(q && q->best_match);
  QCOMPARE(q->layer_similarity.size(), tiles.size());
  for (float v : q->layer_similarity) QVERIFY(v >= -1.0001f && v <= 1.0001f);

  // Toggling layer 13 in recomputes with {4, 7, 10, 13}: same hyperpixel count as the core with that set.
  QSignalSpy ready(&window.session(), &PairSession::result_ready);
  window.layers_panel().layer_check(13)->click();
  QCOMPARE(window.session().settings().match.layers, LayerSet({4, 7, 10, 13}));
  QVERIFY(ready.wait(kWaitMs));
  MatchSettings s = test_settings();
  s.match.layers = {4, 7, 10, 13};
  const CorePair core = core_match(*backbone_, s, src_, trg_);
  QCOMPARE(window.session().figure()->source_hyperpixels, core.pair.source.hyperpixels.size());
  QCOMPARE(window.session().figure()->transferred.size(), core.transferred.size());
  for (size_t i = 0; i < core.transferred.size(); ++i) {
    QCOMPARE(window.session().figure()->transferred[i].has_value(), core.transferred[i].target.has_value());
  }
}

// Every overlay stays one click away on a 1280 px screen: the pair view's toolbar needs no overflow (») menu.
void StudioTest::overlay_toolbar_fits_at_1280_px() {
  MainWindow window(false);
  window.resize(1280, 720);
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  auto* bar = window.findChild<QToolBar*>("overlayBar");
  QVERIFY(bar);
  QCoreApplication::processEvents();
  auto* extension = bar->findChild<QToolButton*>("qt_toolbar_ext_button");
  QVERIFY(extension);
  QVERIFY2(
      !extension->isVisible(),
      qPrintable(QString("toolbar %1 px wide, needs %2").arg(bar->width()).arg(bar->sizeHint().width())));
}

// With the scot matcher: the CAM overlay has a dot per hyperpixel at its centre with its marginal weight; the
// comparison overlay has a ring per point at HPF's prediction of it (what the core gives HPF); the query rows
// show the transport plan row next to the cosine row, and the plan row is what the core's query gives.
void StudioTest::scot_pair_shows_activation_plan_and_agreement() {
  MatchSettings settings = test_settings();
  settings.match.method = "scot";
  MainWindow window(false);
  window.apply_settings(settings);
  window.session().set_backbone(backbone_);
  open_and_wait(window, src_, trg_);
  const CorePair scot = core_match(*backbone_, settings, src_, trg_);
  MatchSettings hpf_settings = settings;
  hpf_settings.match.method = "hpf";
  const CorePair hpf = core_match(*backbone_, hpf_settings, src_, trg_);
  const auto figure = window.session().figure();
  PairView& view = window.pair_view();

  const Hyperpixels& source = scot.pair.source.hyperpixels;
  QVERIFY(source.weights.defined());
  QCOMPARE(figure->source_activation.weights.size(), static_cast<size_t>(source.size()));
  QCOMPARE(view.overlay_items(Overlay::Activation).size(),
           static_cast<int>(source.size() + scot.pair.target.hyperpixels.size()));
  QVERIFY(!view.overlay_items(Overlay::Activation).front()->isVisible());  // off until asked
  for (size_t i = 0; i < figure->source_activation.weights.size(); ++i) {
    QCOMPARE(figure->source_activation.weights[i], source.weights[static_cast<int64_t>(i)].item<float>());
  }

  QCOMPARE(figure->comparison_method, QString("HPF"));
  const QList<QGraphicsItem*> rings = view.overlay_items(Overlay::Comparison);
  int expected_rings = 0;
  for (const TransferredPoint& t : hpf.transferred) expected_rings += t.target.has_value();
  QCOMPARE(rings.size(), expected_rings);
  for (QGraphicsItem* ring : rings) {
    const int i = ring->data(PairView::kIndexRole).toInt();
    QCOMPARE(ring->pos(), QPointF(hpf.transferred[i].target->x, hpf.transferred[i].target->y));
  }

  const QPointF p(90, 70);
  window.query_source_point(p);
  QCOMPARE(window.query_rows().caption(1), QString("transport plan row"));
  QVERIFY(window.query_rows().caption(0).startsWith("cosine row (peak "));
  const PointQuery expected = query_point(scot.pair, Point2{p.x(), p.y()});
  QVERIFY(!expected.votes.empty());
  QVERIFY(expected.votes != expected.confidence);  // the plan row is not the Hough-weighted confidence
  const auto q = window.session().query(p);
  QCOMPARE(q->votes_heatmap, heatmap_image(expected.votes, static_cast<int>(expected.grid_width),
                                           static_cast<int>(expected.grid_height)));
}

void StudioTest::event_loop_stays_responsive() {
  MainWindow window(false);
  MatchSettings s = test_settings();
  s.match.max_side = 300;  // the paper's size
  s.match.layers = {4, 7, 10, 13, 16};
  window.apply_settings(s);
  window.session().set_backbone(backbone_);
  window.resize(1280, 720);
  window.show();
  const QString big_src = test::write_pattern_image(dir_.filePath("big_src.png"), 640, 480, 11);
  const QString big_trg = test::write_pattern_image(dir_.filePath("big_trg.png"), 640, 480, 11, 30, 20);

  qint64 max_gap = 0;
  QElapsedTimer since_tick;
  QTimer ticker;
  ticker.setInterval(10);
  connect(&ticker, &QTimer::timeout, [&] { max_gap = std::max(max_gap, since_tick.restart()); });
  QSignalSpy ready(&window.session(), &PairSession::result_ready);
  QElapsedTimer total;
  total.start();
  since_tick.start();
  ticker.start();
  window.open_images(big_src, big_trg);
  QVERIFY(ready.wait(kWaitMs));
  // Include drawing the result and a burst of hover queries in the measured window.
  for (int i = 0; i < 20; ++i) {
    window.pair_view().show_query(window.session().query(QPointF(20 + 30 * i, 240)));
    QCoreApplication::processEvents();
  }
  QTest::qWait(50);
  ticker.stop();
  qInfo("max event-loop stall while a 640x480 pair computed (%lld ms, %d compute threads): %lld ms",
        static_cast<long long>(total.elapsed()), compute_threads(), static_cast<long long>(max_gap));
  // The 50 ms goal is a measured figure (printed above; 20-36 ms on an idle 2-core machine), not an
  // assertion: a loaded CI machine can delay any thread that long. What must never happen is the GUI thread
  // doing the work: the whole pair takes seconds, so a stall close to the total computation time means it
  // blocked.
  QVERIFY2(max_gap < std::max<qint64>(500, total.elapsed() / 2),
           qPrintable(QString("event loop stalled for %1 ms of %2 ms").arg(max_gap).arg(total.elapsed())));
}

// A DINOv2 ViT-S/14 (random weights): its blocks are the layer tiles, each a map on the 14-px patch grid of
// the padded input; the pair's hyperpixels are the patches, as the core makes them.
void StudioTest::dinov2_blocks_are_the_layers() {
  const std::shared_ptr<Backbone> vit(make_backbone("dinov2_vits14"));
  MatchSettings s = test_settings();
  s.backbone = "dinov2_vits14";
  s.match.layers = {10, 11};
  MainWindow window(false);
  window.apply_settings(s);
  window.session().set_backbone(vit);
  open_and_wait(window, src_, trg_);
  const CorePair core = core_match(*vit, s, src_, trg_);
  QCOMPARE(window.session().figure()->source_hyperpixels, core.pair.source.hyperpixels.size());
  // 160 x 124 after the resize: 12 x 9 patches, each box a whole patch.
  QCOMPARE(core.pair.source.hyperpixels.grid_width, int64_t{12});
  QCOMPARE(core.pair.source.hyperpixels.grid_height, int64_t{9});
  const at::Tensor boxes = core.pair.source.hyperpixels.boxes;
  QVERIFY(at::equal(boxes.select(1, 2) - boxes.select(1, 0), at::full({boxes.size(0)}, 14.0f)));
  QVERIFY(at::equal(at::fmod(boxes.select(1, 0), 14.0f), at::zeros({boxes.size(0)})));

  QSignalSpy maps(&window.session(), &PairSession::layer_maps_ready);
  window.show_layers_tab();
  QVERIFY(maps.wait(kWaitMs));
  const std::vector<LayerTile>& tiles = window.session().layer_tiles();
  QCOMPARE(tiles.size(), size_t{12});
  QCOMPARE(window.layers_panel().selected(), QList<int>({10, 11}));
  QCOMPARE(tiles[0].source.size(), QSize(12, 9));
  QCOMPARE(QString::fromStdString(tiles[11].info.stage), QString("blocks.11"));
  bool patch_label = false;
  for (const QLabel* label : window.layers_panel().findChildren<QLabel*>())
    patch_label = patch_label || label->text() == QString("384 channels · 14 px patches");
  QVERIFY2(patch_label, "a block's tile names its patch size");
}

// Choosing DINOv2 in the dock moves the image side from 300 to its 518 px, unless the user set another side.
void StudioTest::image_side_follows_the_backbone() {
  SettingsPanel panel;
  QComboBox* backbone = panel.findChildren<QComboBox*>().at(0);  // the first box of the Model group
  QVERIFY(backbone->findText("dinov2_vitl14_reg") >= 0);
  QCOMPARE(panel.settings().match.max_side, 300);
  backbone->setCurrentText("dinov2_vits14");
  QCOMPARE(panel.settings().match.max_side, 518);
  backbone->setCurrentText("resnet101");
  QCOMPARE(panel.settings().match.max_side, 300);
  MatchSettings chosen = panel.settings();
  chosen.match.max_side = 400;
  panel.set_settings(chosen);
  backbone->setCurrentText("dinov2_vitb14");
  QCOMPARE(panel.settings().match.max_side, 400);
}

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QStandardPaths::setTestModeEnabled(true);
  QApplication app(argc, argv);
  // As the application does: leave a core to the GUI thread.
  set_compute_threads(std::max(1, QThread::idealThreadCount() - 1));
  StudioTest test;
  return QTest::qExec(&test, argc, argv);
}

#include "studio_test.moc"
