// QtTest tests of Hyperpixel Studio part 2 on the offscreen platform: the dataset browser on a fixture
// SPair-71k (filter counts, statistics, sorting, opening a pair), evaluation runs checked against the core's
// numbers, cancel and resume, loading and comparing runs, every export and the zip bundle, the layer search
// panel, and responsiveness with 70k pairs.

#include "core/compute/backbone.h"
#include "core/compute/hyperpixel_flow.h"
#include "core/eval/evaluation_job.h"
#include "gui_fixtures.h"
#include "spair_fixture.h"
#include "ui/dataset_browser.h"
#include "ui/eval_panel.h"
#include "ui/main_window.h"
#include "ui/pair_table_model.h"
#include "ui/pck_chart.h"
#include "ui/run_data.h"
#include "ui/search_panel.h"
#include "ui/settings_panel.h"
#include "ui/statistics_table.h"
#include "ui/thumbnail_loader.h"

#include <quazip/quazip.h>
#include <quazip/quazipfile.h>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QApplication>
#include <QBuffer>
#include <QChart>
#include <QChartView>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineSeries>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cmath>
#include <map>
#include <set>

using namespace hpf;

namespace {

constexpr int kWaitMs = 240000;
constexpr int kFixturePairs = 16;

MatchSettings test_settings() {
  MatchSettings s;
  s.backbone = "mobilenet_v2";
  s.match.layers = {4, 7, 10};
  s.match.max_side = 128;
  return s;
}

// Records the longest gap between ticks of a 1 ms timer on the GUI thread: the longest event-loop stall.
class StallMeter : public QObject {
 public:
  StallMeter() {
    timer_.setTimerType(Qt::PreciseTimer);
    timer_.setInterval(1);
    connect(&timer_, &QTimer::timeout, this, [this] { max_ms_ = std::max(max_ms_, clock_.restart()); });
    clock_.start();
    timer_.start();
  }
  void reset() {
    max_ms_ = 0;
    clock_.restart();
  }
  qint64 max_ms() const { return max_ms_; }

 private:
  QTimer timer_;
  QElapsedTimer clock_;
  qint64 max_ms_ = 0;
};

QString percent(double v) {
  return QString::number(100.0 * v, 'f', 1);
}

int count_lines(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return -1;
  return static_cast<int>(f.readAll().count('\n'));
}

QJsonObject read_json(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(f.readAll()).object();
}

// Checks that `bytes` is a valid file of the kind its name says; returns an empty string or what is wrong.
QString check_file(const QString& name, const QByteArray& bytes) {
  if (bytes.isEmpty()) return name + ": empty";
  if (name.endsWith(".png")) {
    QImage image;
    if (!image.loadFromData(bytes, "PNG") || image.width() < 100) return name + ": not a decodable PNG";
  } else if (name.endsWith(".svg")) {
    QSvgRenderer svg(bytes);
    if (!svg.isValid()) return name + ": SVG does not parse";
  } else if (name.endsWith(".pdf")) {
    if (!bytes.startsWith("%PDF-") || !bytes.contains("/Type /Page")) return name + ": not a PDF with a page";
  } else if (name.endsWith(".json")) {
    QJsonParseError error{};
    QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError) return name + ": JSON does not parse";
  } else if (name.endsWith(".csv")) {
    const QList<QByteArray> lines = bytes.trimmed().split('\n');
    if (lines.size() < 2) return name + ": CSV without data rows";
  } else if (!name.endsWith(".txt")) {
    return name + ": unexpected entry";
  }
  return {};
}

// A dataset of 70k synthetic SPair-like pairs: annotations come from the injected loader, every image is the
// same small PNG.
class SyntheticDataset : public Dataset {
 public:
  SyntheticDataset() {
    QImage image(64, 48, QImage::Format_RGB888);
    image.fill(QColor(90, 140, 200));
    QBuffer buffer(&png_);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
  }
  std::string name() const override { return "spair"; }
  std::vector<std::string> splits() const override { return {"trn", "val", "test"}; }
  std::string default_split() const override { return "trn"; }
  std::vector<std::string> categories() const override { return {"cat", "dog"}; }
  ThresholdKind default_threshold() const override { return ThresholdKind::BoundingBox; }
  AnnotationKind annotation_kind() const override { return AnnotationKind::Keypoints; }
  std::vector<PairAnnotation> pairs(const std::string&) const override {
    static const char* const categories[] = {
        "aeroplane", "bicycle", "bird",  "boat",      "bottle", "bus",         "car",   "cat",   "chair",
        "cow",       "dog",     "horse", "motorbike", "person", "pottedplant", "sheep", "train", "tvmonitor"};
    std::vector<PairAnnotation> out(70000);
    for (size_t i = 0; i < out.size(); ++i) {
      PairAnnotation& p = out[i];
      p.category = categories[i % 18];
      p.id =
          std::to_string(100000 + i) + "-a" + std::to_string(i) + "-b" + std::to_string(i) + ":" + p.category;
      p.source_image = "JPEGImages/" + p.category + "/a" + std::to_string(i) + ".jpg";
      p.target_image = "JPEGImages/" + p.category + "/b" + std::to_string(i) + ".jpg";
      p.source_kps.assign(5 + i % 7, Keypoint{10, 10});
      p.target_kps = p.source_kps;
      p.viewpoint_variation = static_cast<int>(i % 3);
      p.scale_variation = static_cast<int>((i / 3) % 3);
      p.truncation = static_cast<int>(i % 4);
      p.occlusion = static_cast<int>((i / 4) % 4);
      p.mirror = static_cast<int>(i % 2);
    }
    return out;
  }
  std::vector<uint8_t> read_file(const std::string&) const override {
    return std::vector<uint8_t>(png_.begin(), png_.end());
  }
  std::string location(const std::string& path) const override { return "synthetic:" + path; }

 private:
  QByteArray png_;
};

}  // namespace

class BrowseEvalTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void browser_counts_match_fixture();
  void browser_sorts_and_opens_pair_with_ground_truth();
  void evaluation_fills_tables_and_charts_with_core_numbers();
  void pair_view_and_evaluation_share_one_network();
  void exports_are_valid();
  void bundle_lists_every_entry_and_each_opens();
  void cancel_and_resume();
  void load_and_compare_runs();
  void search_panel_shows_search_output();
  void large_dataset_stays_responsive();
  void cleanupTestCase();

 private:
  void open_fixture(MainWindow& window);
  // The core's summary of an evaluation of the fixture's pairs at `indices` (all when empty), run directly.
  Summary core_summary(const std::vector<std::string>& alphas, std::vector<PairRecord>* records = nullptr);

  QTemporaryDir dir_;
  QString root_;
  std::vector<test::SpairFixturePair> fixture_;
  std::shared_ptr<Backbone> backbone_;
  std::unique_ptr<MainWindow> window_;  // shared by the run, export and compare tests
  QString run_dir_;
};

void BrowseEvalTest::initTestCase() {
  QVERIFY(dir_.isValid());
  QStandardPaths::setTestModeEnabled(true);
  // An untrained, seeded network: the tests compare the GUI with the core on the same network.
  at::manual_seed(0);
  backbone_ = std::shared_ptr<Backbone>(make_backbone("mobilenet_v2"));
  root_ = dir_.filePath("SPair-71k");
  fixture_ = test::write_spair(root_, kFixturePairs);
}

void BrowseEvalTest::cleanupTestCase() {
  window_.reset();
}

void BrowseEvalTest::open_fixture(MainWindow& window) {
  DatasetBrowser& browser = window.dataset_browser();
  QSignalSpy loaded(&browser, &DatasetBrowser::loaded);
  browser.open_dataset("spair", root_);
  QVERIFY2(loaded.wait(kWaitMs), qPrintable(browser.status_text()));
}

Summary BrowseEvalTest::core_summary(const std::vector<std::string>& alphas,
                                     std::vector<PairRecord>* records) {
  c10::InferenceMode inference;
  const auto dataset = open_dataset("spair", root_.toStdString());
  const HyperpixelFlow flow(*backbone_, to_match_options(test_settings()));
  EvalOptions options;
  options.alphas = alphas;
  options.output_dir =
      dir_.filePath("core-run-" + QString::number(QRandomGenerator::global()->generate())).toStdString();
  RunDescription run;
  run.backbone = "mobilenet_v2";
  const EvalResult result = run_evaluation(*dataset, flow, run, options);
  if (records) *records = read_pair_records(options.output_dir + "/pairs.jsonl");
  return result.summary;
}

void BrowseEvalTest::browser_counts_match_fixture() {
  MainWindow window(false);
  open_fixture(window);
  DatasetBrowser& browser = window.dataset_browser();
  QCOMPARE(browser.model()->rowCount(), kFixturePairs);
  QCOMPARE(browser.model()->rowCount(), kFixturePairs);
  QVERIFY(browser.has_difficulty_flags());
  QCOMPARE(browser.split(), QString("test"));

  // Whole split: each flag value's count equals the fixture's.
  const char* const titles[] = {"Viewpoint", "Scale", "Truncation", "Occlusion"};
  const auto check_counts = [&](const std::vector<const test::SpairFixturePair*>& kept) {
    for (size_t f = 0; f < 4; ++f) {
      const DifficultyFlag flag = kDifficultyFlags[f];
      for (int v : flag_values(flag)) {
        long long expected = 0;
        for (const auto* p : kept) expected += p->flags[f] == v;
        const QString row = QString("%1: %2").arg(titles[f], flag_value_label(flag, v));
        QCOMPARE(browser.statistics()->filtered_count(row), expected);
      }
    }
    long long cats = 0;
    for (const auto* p : kept) cats += p->category == "cat";
    QCOMPARE(browser.statistics()->filtered_count("Category: cat"), cats);
    QCOMPARE(browser.statistics()->filtered_count("Pairs"), static_cast<long long>(kept.size()));
  };
  std::vector<const test::SpairFixturePair*> all;
  for (const auto& p : fixture_) all.push_back(&p);
  check_counts(all);
  // The counts the fixture was designed to have (so the check above is not vacuous).
  QCOMPARE(browser.statistics()->filtered_count("Viewpoint: hard"), 5LL);
  QCOMPARE(browser.statistics()->filtered_count("Truncation: both"), 3LL);

  // Filter by each flag value: the table and the statistics follow.
  for (size_t f = 0; f < 4; ++f) {
    const DifficultyFlag flag = kDifficultyFlags[f];
    for (int v : flag_values(flag)) {
      PairFilter filter;
      filter.flag(flag) = v;
      QSignalSpy applied(&browser, &DatasetBrowser::filter_applied);
      browser.set_filter(filter);
      QVERIFY(applied.wait(10000));
      std::vector<const test::SpairFixturePair*> kept;
      for (const auto& p : fixture_) {
        if (p.flags[f] == v) kept.push_back(&p);
      }
      QCOMPARE(browser.model()->rowCount(), static_cast<int>(kept.size()));
      check_counts(kept);
      for (int r = 0; r < browser.model()->rowCount(); ++r)
        QCOMPARE(flag_of(*browser.pair_at_row(r), flag), v);
    }
  }
  // Category and two flags together; then text.
  PairFilter filter;
  filter.category = "dog";
  filter.flag(DifficultyFlag::Scale) = 0;
  QSignalSpy applied(&browser, &DatasetBrowser::filter_applied);
  browser.set_filter(filter);
  QVERIFY(applied.wait(10000));
  int expected = 0;
  for (const auto& p : fixture_) expected += p.category == "dog" && p.flags[1] == 0;
  QCOMPARE(browser.model()->rowCount(), expected);
  QCOMPARE(browser.statistics()->filtered_count("Category: cat"), 0LL);
  filter = PairFilter{};
  filter.text = "img003";
  browser.set_filter(filter);
  QVERIFY(applied.wait(10000));
  QCOMPARE(browser.model()->rowCount(), 1);
  QCOMPARE(QString::fromStdString(browser.pair_at_row(0)->id), fixture_[3].name);
}

void BrowseEvalTest::browser_sorts_and_opens_pair_with_ground_truth() {
  MainWindow window(false);
  window.apply_settings(test_settings());
  window.session().set_backbone(backbone_);
  open_fixture(window);
  DatasetBrowser& browser = window.dataset_browser();
  QSignalSpy rows(&browser, &DatasetBrowser::rows_changed);
  browser.table()->sortByColumn(PairTableModel::Viewpoint, Qt::DescendingOrder);
  QVERIFY(rows.wait(10000));
  QCOMPARE(browser.pair_at_row(0)->viewpoint_variation, 2);
  QCOMPARE(browser.pair_at_row(kFixturePairs - 1)->viewpoint_variation, 0);
  for (int r = 1; r < kFixturePairs; ++r) {
    QVERIFY(browser.pair_at_row(r - 1)->viewpoint_variation >= browser.pair_at_row(r)->viewpoint_variation);
  }
  browser.table()->sortByColumn(PairTableModel::Keypoints, Qt::AscendingOrder);
  QVERIFY(rows.wait(10000));
  QCOMPARE(browser.pair_at_row(0)->source_kps.size(), size_t(4));
  QCOMPARE(browser.pair_at_row(kFixturePairs - 1)->source_kps.size(), size_t(6));
  // A filter keeps the order.
  PairFilter dogs;
  dogs.category = "dog";
  browser.set_filter(dogs);
  QVERIFY(rows.wait(10000));
  QCOMPARE(browser.model()->rowCount(), kFixturePairs / 2);
  for (int r = 1; r < browser.model()->rowCount(); ++r) {
    QVERIFY(browser.pair_at_row(r - 1)->source_kps.size() <= browser.pair_at_row(r)->source_kps.size());
    QCOMPARE(browser.pair_at_row(r)->category, std::string("dog"));
  }

  // Activating a row opens that pair, with its ground truth, in the pair view.
  const PairAnnotation expected = *browser.pair_at_row(5);
  QSignalSpy ready(&window.session(), &PairSession::result_ready);
  browser.activate_row(5);
  QVERIFY2(ready.wait(kWaitMs), qPrintable(window.last_error()));
  QVERIFY(window.session().source().from_dataset());
  QCOMPARE(window.session().source().annotation->id, expected.id);
  const auto figure = window.session().figure();
  QVERIFY(figure->has_truth());
  QCOMPARE(figure->target_truth.size(), expected.target_kps.size());
  for (size_t k = 0; k < expected.target_kps.size(); ++k) {
    QCOMPARE(figure->target_truth[k].x(), expected.target_kps[k].x);
    QCOMPARE(figure->target_truth[k].y(), expected.target_kps[k].y);
  }
}

// The pair view and the evaluation panel ask the application's one backbone service: the network is loaded
// once and the same instance serves both (a second copy would double the memory and the load time).
void BrowseEvalTest::pair_view_and_evaluation_share_one_network() {
  std::vector<const Backbone*> loaded;
  auto service = std::make_shared<BackboneService>(
      [&loaded](const std::string& name, const std::string&, const std::string&) {
        at::manual_seed(0);
        std::unique_ptr<Backbone> backbone = make_backbone(name);
        loaded.push_back(backbone.get());
        return backbone;
      });
  MainWindow window(false);
  window.set_backbone_service(service);
  MatchSettings settings = test_settings();
  settings.weights_path = dir_.filePath("stand-in-weights.pth");  // the loader above reads no file
  QFile(settings.weights_path).open(QIODevice::WriteOnly);
  window.apply_settings(settings);
  open_fixture(window);

  QSignalSpy ready(&window.session(), &PairSession::result_ready);
  window.open_dataset_pair(window.dataset_browser().dataset(), *window.dataset_browser().pair_at_row(0));
  QVERIFY2(ready.wait(kWaitMs), qPrintable(window.last_error()));
  EvalPanel& eval = window.eval_panel();
  eval.set_limit(3);
  QSignalSpy finished(&eval, &EvalPanel::run_finished);
  QVERIFY2(eval.run(dir_.filePath("shared-network-run")), qPrintable(eval.last_error()));
  QVERIFY2(finished.wait(kWaitMs), qPrintable(eval.status_text()));

  QCOMPARE(service->loads(), 1);
  QCOMPARE(loaded.size(), size_t(1));
  QCOMPARE(service->get(settings).backbone.get(), loaded.front());
}

void BrowseEvalTest::evaluation_fills_tables_and_charts_with_core_numbers() {
  window_ = std::make_unique<MainWindow>(false);
  MainWindow& window = *window_;
  window.apply_settings(test_settings());
  window.session().set_backbone(backbone_);
  window.resize(1400, 900);
  window.show();
  open_fixture(window);
  EvalPanel& eval = window.eval_panel();
  eval.set_backbone(backbone_);
  eval.set_alphas("0.05, 0.1, 0.15");
  run_dir_ = dir_.filePath("gui-run");
  QSignalSpy finished(&eval, &EvalPanel::run_finished);
  QSignalSpy changed(&eval, &EvalPanel::results_changed);
  QVERIFY2(eval.run(run_dir_), qPrintable(eval.last_error()));
  QVERIFY2(finished.wait(kWaitMs), qPrintable(eval.status_text()));
  QVERIFY(changed.count() >= 1);
  QVERIFY(QFile::exists(run_dir_ + "/summary.json"));
  QCOMPARE(count_lines(run_dir_ + "/pairs.jsonl"), kFixturePairs);

  std::vector<PairRecord> core_records;
  const Summary core = core_summary({"0.05", "0.1", "0.15"}, &core_records);
  const RunData& shown = *eval.current_run();
  QCOMPARE(shown.summary.pairs, core.pairs);
  QVERIFY(core.pck.at("0.1") > 0 && core.pck.at("0.1") < 1);  // an informative fixture: neither all nor none

  // Per-category table: one row per category and "all", one column per alpha, the core's values in percent.
  QTableWidget* table = eval.table(EvalPanel::Table::PerCategory);
  QCOMPARE(table->rowCount(), 3);
  QCOMPARE(table->columnCount(), 3);
  const std::vector<std::string> alphas = {"0.05", "0.1", "0.15"};
  const std::vector<std::string> categories = {"cat", "dog"};
  for (int r = 0; r < 2; ++r) {
    QCOMPARE(table->verticalHeaderItem(r)->text(), QString::fromStdString(categories[r]));
    for (int c = 0; c < 3; ++c) {
      QCOMPARE(table->item(r, c)->text(), percent(core.pck_per_category.at(categories[r]).at(alphas[c])));
    }
  }
  for (int c = 0; c < 3; ++c) QCOMPARE(table->item(2, c)->text(), percent(core.pck.at(alphas[c])));

  // Per-difficulty table rows equal the core's pck_per_difficulty.
  QTableWidget* difficulty = eval.table(EvalPanel::Table::PerDifficulty);
  int rows = 0;
  for (const auto& [flag, by_value] : core.pck_per_difficulty) rows += static_cast<int>(by_value.size());
  QCOMPARE(difficulty->rowCount(), rows);
  QCOMPARE(difficulty->item(0, 1)->text(),
           percent(core.pck_per_difficulty.at("occlusion").begin()->second.at("0.1")));

  // Chart series: the overall curve, each category's, and each difficulty value's equal the core's summaries.
  eval.set_chart_view("overall");
  QList<QAbstractSeries*> series = eval.chart()->chart()->series();
  QCOMPARE(series.size(), 1);
  auto* overall = qobject_cast<QLineSeries*>(series[0]);
  QCOMPARE(overall->count(), static_cast<int>(core.curve.size()));
  for (int i = 0; i < overall->count(); ++i) {
    QCOMPARE(overall->at(i).x(), core.curve_alphas[static_cast<size_t>(i)]);
    QVERIFY(std::abs(overall->at(i).y() - 100 * core.curve[static_cast<size_t>(i)]) < 1e-9);
  }
  eval.set_chart_view("per_category");
  series = eval.chart()->chart()->series();
  QCOMPARE(series.size(), 3);  // all, cat, dog
  auto* dog = qobject_cast<QLineSeries*>(series[2]);
  QCOMPARE(dog->name(), QString("dog"));
  for (int i = 0; i < dog->count(); ++i) {
    QVERIFY(std::abs(dog->at(i).y() - 100 * core.curve_per_category.at("dog")[static_cast<size_t>(i)]) <
            1e-9);
  }
  eval.set_chart_view("viewpoint_variation");
  series = eval.chart()->chart()->series();
  QCOMPARE(series.size(), 3);
  std::vector<PairRecord> hard;
  for (const PairRecord& r : core_records) {
    if (r.flags.at("viewpoint_variation") == 2) hard.push_back(r);
  }
  const Summary hard_summary = summarize(hard, alphas, PckKind::PerImage);
  auto* hard_series = qobject_cast<QLineSeries*>(series[2]);
  QCOMPARE(hard_series->name(), QString("hard"));
  for (int i = 0; i < hard_series->count(); ++i) {
    QVERIFY(std::abs(hard_series->at(i).y() - 100 * hard_summary.curve[static_cast<size_t>(i)]) < 1e-9);
  }

  // The browser's PCK column shows each pair's PCK at 0.1.
  DatasetBrowser& browser = window.dataset_browser();
  QVERIFY(!browser.table()->isColumnHidden(PairTableModel::Pck));
  for (const PairRecord& r : core_records) {
    const int row = static_cast<int>(r.index);
    QCOMPARE(browser.model()->pck(row), r.pck.at("0.1"));
    QCOMPARE(browser.model()->pair_index(row), row);  // file order
    QCOMPARE(
        browser.model()->data(browser.model()->index(row, PairTableModel::Pck), Qt::DisplayRole).toString(),
        QString::number(100 * r.pck.at("0.1"), 'f', 1));
  }
}

void BrowseEvalTest::exports_are_valid() {
  QVERIFY(window_);
  EvalPanel& eval = window_->eval_panel();
  eval.set_chart_view("per_category");
  const QString out = dir_.filePath("exports");
  QDir().mkpath(out);
  for (const char* suffix : {"png", "svg", "pdf"}) {
    const QString path = out + "/chart." + suffix;
    QVERIFY2(eval.export_chart_to(path), qPrintable(eval.last_error()));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    QCOMPARE(check_file(path, bytes), QString());
    if (QString(suffix) == "png") {
      QImage image;
      QVERIFY(image.loadFromData(bytes));
      QCOMPARE(image.size(), QSize(2700, 1680));  // 900 x 560 points at 3x
    }
  }
  // Chart data: header = alpha + the series names, one row per alpha, values = the series'.
  QVERIFY(eval.export_chart_csv_to(out + "/chart.csv"));
  QFile csv(out + "/chart.csv");
  QVERIFY(csv.open(QIODevice::ReadOnly));
  const QStringList lines = QString::fromUtf8(csv.readAll()).trimmed().split('\n');
  QCOMPARE(lines[0], QString("alpha,all,cat,dog"));
  QCOMPARE(lines.size(), 22);
  const RunData& run = *eval.current_run();
  QCOMPARE(lines[11], QString("0.10,%1,%2,%3")
                          .arg(run.summary.curve[10], 0, 'f', 6)
                          .arg(run.summary.curve_per_category.at("cat")[10], 0, 'f', 6)
                          .arg(run.summary.curve_per_category.at("dog")[10], 0, 'f', 6));
  // Tables: the category table as CSV with row names.
  QVERIFY(eval.export_table_to(EvalPanel::Table::PerCategory, out + "/table.csv"));
  QFile table(out + "/table.csv");
  QVERIFY(table.open(QIODevice::ReadOnly));
  const QStringList rows = QString::fromUtf8(table.readAll()).trimmed().split('\n');
  QCOMPARE(rows.size(), 4);
  QCOMPARE(rows[0], QString(",α = 0.05,α = 0.1,α = 0.15"));
  QCOMPARE(rows[3], QString("all,%1,%2,%3")
                        .arg(percent(run.summary.pck.at("0.05")), percent(run.summary.pck.at("0.1")),
                             percent(run.summary.pck.at("0.15"))));
  // Report: the core's summary.json of the run.
  QVERIFY(eval.export_report_to(out + "/report.json"));
  const QJsonObject report = read_json(out + "/report.json");
  QCOMPARE(report["pck"].toObject()["0.1"].toDouble(), run.summary.pck.at("0.1"));
  QCOMPARE(report["pairs"].toInt(), kFixturePairs);
  // A failing export says why and writes nothing.
  QVERIFY(!eval.export_chart_to(out + "/no/such/dir/chart.png"));
  QVERIFY2(eval.last_error().contains("no/such/dir"), qPrintable(eval.last_error()));
  QVERIFY(!eval.export_chart_to(out + "/chart.bmp"));
  QVERIFY2(eval.last_error().contains("unknown figure format"), qPrintable(eval.last_error()));
  QVERIFY(!QFile::exists(out + "/chart.bmp"));
}

void BrowseEvalTest::bundle_lists_every_entry_and_each_opens() {
  QVERIFY(window_);
  MainWindow& window = *window_;
  // With a pair open in the pair view, its figure goes into the bundle too.
  QSignalSpy ready(&window.session(), &PairSession::result_ready);
  window.dataset_browser().activate_row(0);
  QVERIFY2(ready.wait(kWaitMs), qPrintable(window.last_error()));
  const QString path = dir_.filePath("bundle.zip");
  QVERIFY2(window.eval_panel().export_bundle_to(path), qPrintable(window.eval_panel().last_error()));

  std::set<QString> expected = {"MANIFEST.txt",
                                "report/summary.json",
                                "report/summary_table.txt",
                                "tables/per_category.csv",
                                "tables/per_difficulty.csv",
                                "tables/dataset_statistics.csv",
                                "figures/pair.png",
                                "figures/pair.svg",
                                "figures/pair.pdf",
                                "figures/pair_matches.json"};
  for (const char* chart :
       {"overall", "per_category", "viewpoint_variation", "scale_variation", "truncation", "occlusion"}) {
    for (const char* suffix : {"png", "svg", "pdf", "csv"}) {
      expected.insert(QString("charts/pck_%1.%2").arg(chart, suffix));
    }
  }
  QuaZip zip(path);
  QVERIFY(zip.open(QuaZip::mdUnzip));
  const QStringList names = zip.getFileNameList();
  QCOMPARE(std::set<QString>(names.begin(), names.end()), expected);
  for (bool more = zip.goToFirstFile(); more; more = zip.goToNextFile()) {
    QuaZipFile file(&zip);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    file.close();
    QCOMPARE(file.getZipError(), 0);  // CRC checked on close
    QCOMPARE(check_file(zip.getCurrentFileName(), bytes), QString());
  }
  zip.close();
}

void BrowseEvalTest::cancel_and_resume() {
  MainWindow window(false);
  window.apply_settings(test_settings());
  open_fixture(window);
  EvalPanel& eval = window.eval_panel();
  eval.set_backbone(backbone_);
  eval.set_alphas("0.1");
  // Evaluate the "cat" pairs only: the filter goes into run.json.
  PairFilter filter;
  filter.category = "cat";
  QSignalSpy applied(&window.dataset_browser(), &DatasetBrowser::filter_applied);
  window.dataset_browser().set_filter(filter);
  QVERIFY(applied.wait(10000));
  const int cats = kFixturePairs / 2;
  const QString dir = dir_.filePath("cancelled-run");

  QSignalSpy cancelled(&eval, &EvalPanel::run_cancelled);
  QSignalSpy finished(&eval, &EvalPanel::run_finished);
  bool asked = false;
  // Cancel as soon as the first pair is written.
  QTimer poll;
  connect(&poll, &QTimer::timeout, this, [&] {
    if (!asked && count_lines(dir + "/pairs.jsonl") >= 1) {
      asked = true;
      eval.cancel();
    }
  });
  poll.start(2);
  QVERIFY(eval.run(dir));
  QVERIFY2(cancelled.wait(kWaitMs), qPrintable(eval.status_text()));
  poll.stop();
  QCOMPARE(finished.count(), 0);
  const int done = count_lines(dir + "/pairs.jsonl");
  QVERIFY2(done >= 1 && done < cats, qPrintable(QString("%1 pairs written before the cancel").arg(done)));
  QVERIFY(!QFile::exists(dir + "/summary.json"));
  QVERIFY(eval.status_text().contains("Resume"));
  QCOMPARE(read_json(dir + "/run.json")["options"].toObject()["filter"].toObject()["category"].toString(),
           QString("cat"));

  // Resume finishes the rest without redoing the first pairs.
  QVERIFY2(eval.resume(), qPrintable(eval.last_error()));
  QVERIFY2(finished.wait(kWaitMs), qPrintable(eval.status_text()));
  QCOMPARE(count_lines(dir + "/pairs.jsonl"), cats);
  QVERIFY(QFile::exists(dir + "/summary.json"));
  const std::vector<PairRecord> records = read_pair_records((dir + "/pairs.jsonl").toStdString());
  std::set<std::string> ids;
  for (const PairRecord& r : records) {
    QCOMPARE(QString::fromStdString(r.category), QString("cat"));
    ids.insert(r.id);
  }
  QCOMPARE(static_cast<int>(ids.size()), cats);  // no pair twice
  // The same numbers as the core on the cat pairs of an uninterrupted run.
  std::vector<PairRecord> core_records;
  core_summary({"0.1"}, &core_records);
  std::vector<PairRecord> core_cats;
  for (const PairRecord& r : core_records) {
    if (r.category == "cat") core_cats.push_back(r);
  }
  const Summary expected = summarize(core_cats, {"0.1"}, PckKind::PerImage);
  QCOMPARE(eval.current_run()->summary.pck.at("0.1"), expected.pck.at("0.1"));
  QCOMPARE(eval.table(EvalPanel::Table::PerCategory)->item(0, 0)->text(), percent(expected.pck.at("0.1")));

  // Resuming with another filter is refused with the core's message, and nothing is appended.
  filter.category = "dog";
  window.dataset_browser().set_filter(filter);
  QVERIFY(applied.wait(10000));
  QSignalSpy failed(&eval, &EvalPanel::run_failed);
  eval.resume();  // the last run is complete: this resumes the folder with the current (dog) filter
  QVERIFY(failed.wait(kWaitMs));
  QVERIFY2(failed.at(0).at(0).toString().contains("holds a different run"),
           qPrintable(failed.at(0).at(0).toString()));
  QCOMPARE(count_lines(dir + "/pairs.jsonl"), cats);
  // A new run into a folder that holds one is refused before starting.
  QVERIFY(!eval.run(dir));
  QVERIFY(eval.last_error().contains("already holds a run"));
}

void BrowseEvalTest::load_and_compare_runs() {
  QVERIFY(window_);
  EvalPanel& eval = window_->eval_panel();
  const Summary a = eval.current_run()->summary;
  QSignalSpy changed(&eval, &EvalPanel::results_changed);
  eval.load_run(run_dir_);
  QVERIFY(changed.wait(kWaitMs));
  QCOMPARE(eval.current_run()->summary.pck, a.pck);
  QVERIFY(eval.current_run()->complete);

  // Compare with a run of other layers (B), evaluated by the core.
  {
    c10::InferenceMode inference;
    MatchSettings other = test_settings();
    other.match.layers = {4, 10};
    const auto dataset = open_dataset("spair", root_.toStdString());
    const HyperpixelFlow flow(*backbone_, to_match_options(other));
    EvalOptions options;
    options.alphas = {"0.05", "0.1"};
    options.output_dir = dir_.filePath("run-b").toStdString();
    RunDescription run;
    run.backbone = "mobilenet_v2";
    run.layers = "4,10";
    run_evaluation(*dataset, flow, run, options);
  }
  eval.load_comparison(dir_.filePath("run-b"));
  QVERIFY(changed.wait(kWaitMs));
  const Summary& b = eval.comparison_run()->summary;
  QTableWidget* compare = eval.table(EvalPanel::Table::Comparison);
  QCOMPARE(compare->columnCount(), 6);  // A, B, B-A for the alphas both runs have: 0.05 and 0.1
  QCOMPARE(compare->horizontalHeaderItem(5)->text(), QString("B−A α=0.1"));
  QCOMPARE(compare->rowCount(), 3);
  QCOMPARE(compare->verticalHeaderItem(2)->text(), QString("all"));
  QCOMPARE(compare->item(2, 3)->text(), percent(a.pck.at("0.1")));
  QCOMPARE(compare->item(2, 4)->text(), percent(b.pck.at("0.1")));
  QCOMPARE(compare->item(2, 5)->text(),
           QString::asprintf("%+.1f", 100 * (b.pck.at("0.1") - a.pck.at("0.1"))));
  eval.set_chart_view("overall");
  const QList<QAbstractSeries*> series = eval.chart()->chart()->series();
  QCOMPARE(series.size(), 2);
  QCOMPARE(series[1]->name(), QString("B: HPF mobilenet_v2 (4,10)"));
  QCOMPARE(qobject_cast<QLineSeries*>(series[1])->pen().style(), Qt::DashLine);
  QVERIFY(std::abs(qobject_cast<QLineSeries*>(series[1])->at(10).y() - 100 * b.curve[10]) < 1e-9);

  // A folder with summary.json and pck_curve.csv only (pairs.jsonl deleted) still plots.
  const QString bare = dir_.filePath("bare");
  QDir().mkpath(bare);
  QVERIFY(QFile::copy(run_dir_ + "/summary.json", bare + "/summary.json"));
  QVERIFY(QFile::copy(run_dir_ + "/pck_curve.csv", bare + "/pck_curve.csv"));
  const RunData loaded = load_run_folder(bare);
  QCOMPARE(loaded.summary.pck, a.pck);
  QCOMPARE(loaded.summary.curve.size(), a.curve.size());
  for (size_t i = 0; i < a.curve.size(); ++i) QVERIFY(std::abs(loaded.summary.curve[i] - a.curve[i]) < 1e-6);
  QCOMPARE(loaded.summary.pck_per_category.at("dog"), a.pck_per_category.at("dog"));

  // Not a run folder / a malformed pairs.jsonl: clear messages naming the file.
  try {
    load_run_folder(dir_.filePath("exports"));
    QFAIL("expected an error");
  } catch (const std::exception& e) {
    QVERIFY2(QString(e.what()).contains("not an evaluation output folder"), e.what());
  }
  QFile broken(bare + "/pairs.jsonl");
  QVERIFY(broken.open(QIODevice::WriteOnly));
  broken.write("not json\n");
  broken.close();
  try {
    load_run_folder(bare);
    QFAIL("expected an error");
  } catch (const std::exception& e) {
    QVERIFY2(QString(e.what()).contains("pairs.jsonl:1"), e.what());
  }
  eval.clear_comparison();
  QVERIFY(!eval.comparison_run());
  QCOMPARE(eval.table(EvalPanel::Table::Comparison)->rowCount(), 0);
}

void BrowseEvalTest::search_panel_shows_search_output() {
  QVERIFY(window_);
  MainWindow& window = *window_;
  SearchPanel& search = window.search_panel();
  // A search output folder as `hpf search` writes it, with a partial last line of a search still running.
  const QString folder = dir_.filePath("search");
  QDir().mkpath(folder);
  QFile lines(folder + "/search.jsonl");
  QVERIFY(lines.open(QIODevice::WriteOnly));
  lines.write(R"({"depth":0,"layers":[4],"score":0.21,"seconds":1.5}
{"depth":0,"layers":[7],"score":0.31,"seconds":1.4}
{"depth":0,"layers":[10],"score":0.26,"seconds":1.2}
{"depth":1,"layers":[7,10],"score":0.36,"seconds":2.0}
{"depth":1,"layers":[7,13],"score":0.33,"seconds":2.1}
{"depth":1,"layers":[4,7],"score":0.35,"seconds":2.2}
{"depth":2,"lay)");
  lines.close();
  search.set_beam(2, 3);
  QSignalSpy changed(&search, &SearchPanel::results_changed);
  search.load_folder(folder);
  QVERIFY(changed.wait(10000));
  QCOMPARE(search.table()->rowCount(), 6);
  QVERIFY(search.results()->has_best);
  QVERIFY(!search.results()->complete);
  QCOMPARE(search.results()->best.layers, std::vector<int>({7, 10}));
  QCOMPARE(search.results()->beam.size(), size_t(2));
  QCOMPARE(search.results()->beam[0][1].layers, std::vector<int>({10}));  // k = 2: 7 then 10
  // Chart: candidates, beam and the best-per-depth line.
  const QList<QAbstractSeries*> series = search.chart()->chart()->series();
  QCOMPARE(series.size(), 3);
  QCOMPARE(qobject_cast<QXYSeries*>(series[1])->count(), 4);  // 2 kept per depth
  QCOMPARE(qobject_cast<QXYSeries*>(series[2])->at(1), QPointF(2, 36));

  // The finished summary names the best set; applying it sets the layers of the pair view.
  QFile summary(folder + "/search_summary.json");
  QVERIFY(summary.open(QIODevice::WriteOnly));
  summary.write(
      R"({"dataset":"spair","split":"test","backbone":"mobilenet_v2","alpha":"0.1","beam":2,"pairs":16,
    "best":{"layers":[4,7],"score":0.37,"depth":1},
    "depths":[{"depth":0,"top":[{"layers":[7],"score":0.31},{"layers":[10],"score":0.26}]},
              {"depth":1,"top":[{"layers":[4,7],"score":0.37},{"layers":[7,10],"score":0.36}]}]})");
  summary.close();
  search.load_folder(folder);
  QVERIFY(changed.wait(10000));
  QVERIFY(search.results()->complete);
  QCOMPARE(search.results()->best.layers, std::vector<int>({4, 7}));
  QSignalSpy ready(&window.session(), &PairSession::result_ready);
  Q_EMIT search.apply_layers_requested(search.results()->best.layers);
  QCOMPARE(window.settings_panel().settings().match.layers, LayerSet({4, 7}));
  QCOMPARE(window.session().settings().match.layers, LayerSet({4, 7}));
  QVERIFY2(ready.wait(kWaitMs), qPrintable(window.last_error()));  // the open pair is matched again

  // A malformed line is reported with file and line.
  QVERIFY(lines.open(QIODevice::WriteOnly));
  lines.write(R"({"depth":0,"layers":[4],"score":0.2,"seconds":1}
{"depth":"x","layers":[4],"score":0.2,"seconds":1}
)");
  lines.close();
  try {
    read_search_folder(folder.toStdString());
    QFAIL("expected an error");
  } catch (const std::exception& e) {
    QVERIFY2(QString(e.what()).contains("search.jsonl:2: field \"depth\""), e.what());
  }

  // A small search run on the fixture through the panel; its result is the core's summary.
  search.set_backbone(backbone_);
  search.set_beam(2, 2);
  QSignalSpy finished(&search, &SearchPanel::run_finished);
  const QString run_folder = dir_.filePath("search-run");
  QVERIFY(search.run(run_folder));
  QVERIFY2(finished.wait(kWaitMs), qPrintable(search.status_text()));
  const QJsonObject best = read_json(run_folder + "/search_summary.json")["best"].toObject();
  std::vector<int> layers;
  for (const QJsonValue& v : best["layers"].toArray()) layers.push_back(v.toInt());
  QCOMPARE(search.results()->best.layers, layers);
  QCOMPARE(search.results()->best.score, best["score"].toDouble());
  QCOMPARE(search.table()->rowCount(), count_lines(run_folder + "/search.jsonl"));
}

void BrowseEvalTest::large_dataset_stays_responsive() {
  MainWindow window(false);
  window.resize(1400, 900);
  window.show();
  window.show_tab(&window.dataset_browser());
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  DatasetBrowser& browser = window.dataset_browser();
  auto dataset = std::make_shared<SyntheticDataset>();
  StallMeter stalls;
  QElapsedTimer clock;
  clock.start();
  QSignalSpy loaded(&browser, &DatasetBrowser::loaded);
  browser.open_with("synthetic", [dataset](const JobContext&) {
    BrowserData data;
    data.dataset = dataset;
    data.split = "trn";
    data.splits = dataset->splits();
    data.pairs = std::make_shared<const std::vector<PairAnnotation>>(dataset->pairs("trn"));
    data.split_statistics = dataset_statistics(*data.pairs);
    return data;
  });
  QVERIFY(loaded.wait(kWaitMs));
  const qint64 usable_ms = clock.elapsed();
  QCOMPARE(browser.model()->rowCount(), 70000);
  QTest::qWait(100);  // the first paint of the table and its thumbnail requests
  const qint64 load_stall = stalls.max_ms();

  // Filter: viewpoint hard and truncation both.
  stalls.reset();
  clock.restart();
  PairFilter filter;
  filter.flag(DifficultyFlag::Viewpoint) = 2;
  filter.flag(DifficultyFlag::Truncation) = 3;
  QSignalSpy applied(&browser, &DatasetBrowser::filter_applied);
  browser.set_filter(filter);
  QVERIFY(applied.wait(kWaitMs));
  const qint64 filter_ms = clock.elapsed();
  int expected = 0;
  for (int i = 0; i < 70000; ++i) expected += i % 3 == 2 && i % 4 == 3;
  QCOMPARE(browser.model()->rowCount(), expected);
  QCOMPARE(browser.statistics()->filtered_count("Viewpoint: hard"), static_cast<long long>(expected));
  QTest::qWait(50);
  const qint64 filter_stall = stalls.max_ms();

  // Back to all 70k, then sort them by category (on the GUI thread).
  browser.set_filter(PairFilter{});
  QVERIFY(applied.wait(kWaitMs));
  QTest::qWait(50);
  const qint64 unfilter_stall = stalls.max_ms();
  stalls.reset();
  clock.restart();
  QSignalSpy rows(&browser, &DatasetBrowser::rows_changed);
  browser.table()->sortByColumn(PairTableModel::Category, Qt::AscendingOrder);
  QVERIFY(rows.wait(kWaitMs));
  const qint64 sort_ms = clock.elapsed();
  QTest::qWait(50);
  const qint64 sort_stall = stalls.max_ms();
  QCOMPARE(browser.pair_at_row(0)->category, std::string("aeroplane"));

  // Scroll to the middle: the thumbnails of the rows on screen are decoded lazily.
  stalls.reset();
  const int decoded_before = browser.thumbnails()->decoded();
  browser.table()->scrollTo(browser.model()->index(35000, 0));
  QTRY_VERIFY_WITH_TIMEOUT(browser.thumbnails()->decoded() > decoded_before + 5, 20000);
  const qint64 scroll_stall = stalls.max_ms();
  QVERIFY(browser.thumbnails()->decoded() < 200);  // only what is on screen, not 70k

  qInfo(
      "70k pairs: table usable after %lld ms (max stall %lld ms); filter applied in %lld ms (max stall %lld "
      "ms, "
      "%lld ms clearing it); sort by category %lld ms (max stall %lld ms); scrolling with lazy thumbnails: "
      "max "
      "stall %lld ms, %d thumbnails decoded",
      static_cast<long long>(usable_ms), static_cast<long long>(load_stall),
      static_cast<long long>(filter_ms), static_cast<long long>(filter_stall),
      static_cast<long long>(unfilter_stall), static_cast<long long>(sort_ms),
      static_cast<long long>(sort_stall), static_cast<long long>(scroll_stall),
      browser.thumbnails()->decoded());
  QVERIFY2(load_stall < 100, qPrintable(QString("loading stalled the event loop for %1 ms").arg(load_stall)));
  QVERIFY2(filter_stall < 100,
           qPrintable(QString("filtering stalled the event loop for %1 ms").arg(filter_stall)));
  QVERIFY2(unfilter_stall < 100,
           qPrintable(QString("clearing the filter stalled for %1 ms").arg(unfilter_stall)));
  QVERIFY2(sort_stall < 100, qPrintable(QString("sorting stalled the event loop for %1 ms").arg(sort_stall)));
  QVERIFY2(scroll_stall < 100,
           qPrintable(QString("scrolling stalled the event loop for %1 ms").arg(scroll_stall)));
}

QTEST_MAIN(BrowseEvalTest)
#include "browse_eval_test.moc"
