#include "ui/eval_panel.h"

#include "core/compute/hyperpixel_flow.h"
#include "core/eval/evaluation_job.h"
#include "core/eval/run_comparison.h"
#include "core/fileio/atomic_file.h"
#include "ui/data_folders.h"
#include "ui/dataset_browser.h"
#include "ui/filtered_dataset.h"
#include "ui/pair_filter.h"
#include "ui/statistics_table.h"
#include "ui/table_csv.h"

#include <c10/core/InferenceMode.h>

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>
#include <set>

namespace hpf {

struct EvalPanel::Input {
  std::shared_ptr<const Dataset> dataset;
  std::string split;
  std::shared_ptr<const std::vector<PairAnnotation>> pairs;
  std::shared_ptr<const std::vector<int>> rows;
  QJsonObject filter;
  MatchSettings settings;
  EvalOptions options;
};

struct EvalPanel::Live {
  explicit Live(const std::string& path) : tail(path) {}
  RecordTail tail;
  std::vector<PairRecord> records;
  RunDescription run;
  QString folder;
};

namespace {

constexpr int kLiveIntervalMs = 500;

QString percent(double v) {
  return QString::number(100.0 * v, 'f', 1);
}

std::optional<DifficultyFlag> flag_by_key(const QString& key) {
  for (DifficultyFlag f : kDifficultyFlags) {
    if (flag_key(f) == key) return f;
  }
  return std::nullopt;
}

QString value_label(const std::string& flag, const std::string& value) {
  const auto f = flag_by_key(QString::fromStdString(flag));
  return f ? flag_value_label(*f, std::stoi(value)) : QString::fromStdString(value);
}

QString flag_name(const std::string& flag) {
  const auto f = flag_by_key(QString::fromStdString(flag));
  return f ? flag_title(*f) : QString::fromStdString(flag);
}

QTableWidget* make_table(QWidget* parent) {
  auto* t = new QTableWidget(parent);
  t->setEditTriggers(QAbstractItemView::NoEditTriggers);
  t->setSelectionMode(QAbstractItemView::ContiguousSelection);
  t->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  t->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 6);
  return t;
}

QTableWidgetItem* number_item(const QString& text) {
  auto* item = new QTableWidgetItem(text);
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

}  // namespace

EvalPanel::EvalPanel(DatasetBrowser* browser, QWidget* parent) : QWidget(parent), browser_(browser) {
  settings_ = [] { return std::optional<MatchSettings>(MatchSettings{}); };
  auto* column = new QVBoxLayout(this);
  column->addWidget(build_run_box());
  column->addLayout(build_runs_bar());
  runs_label_ = new QLabel(tr("No run yet: run an evaluation or load a run folder."), this);
  runs_label_->setWordWrap(true);
  runs_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  column->addWidget(runs_label_);
  column->addWidget(build_chart_and_tables(), 1);

  set_up_live_updates();
  connect_runner();
  track_browser_input();
  resume_button_->setEnabled(false);
  refresh();
}

// What to run: the input (the browser's dataset and filter), the options, and run, cancel and resume.
QGroupBox* EvalPanel::build_run_box() {
  auto* run_box = new QGroupBox(tr("Evaluate the current dataset and filter"), this);
  auto* form = new QGridLayout(run_box);
  input_label_ = new QLabel(run_box);
  input_label_->setWordWrap(true);
  form->addWidget(input_label_, 0, 0, 1, 8);
  add_run_options(run_box, form);
  form->addLayout(build_run_buttons(run_box), 3, 0, 1, 8);
  return run_box;
}

// Rows 1 and 2 of the run box: the output folder, then α, PCK kind, threshold and pair limit.
void EvalPanel::add_run_options(QWidget* run_box, QGridLayout* form) {
  output_ = new QLineEdit(run_box);
  output_->setPlaceholderText(tr("Output folder (empty: a new folder under the application data)"));
  output_->setToolTip(
      tr("Where pairs.jsonl, run.json, summary.json and pck_curve.csv are written. Resume "
         "continues the run in this folder."));
  auto* browse = new QPushButton(tr("Browse…"), run_box);
  browse->setToolTip(tr("Choose the output folder"));
  alphas_ = new QLineEdit(QStringLiteral("0.05, 0.1, 0.15"), run_box);
  alphas_->setToolTip(
      tr("α values of the PCK table: a keypoint is correct when it lands within α·T of the "
         "ground truth. The curves always span α = 0 … 0.2."));
  pck_kind_ = new QComboBox(run_box);
  pck_kind_->addItem(tr("per image"), static_cast<int>(PckKind::PerImage));
  pck_kind_->addItem(tr("per keypoint"), static_cast<int>(PckKind::PerKeypoint));
  pck_kind_->setToolTip(
      tr("Per image: mean of each pair's fraction correct (the paper). Per keypoint: correct "
         "keypoints over all keypoints."));
  threshold_ = new QComboBox(run_box);
  threshold_->addItem(tr("dataset default"), QStringLiteral("default"));
  threshold_->addItem(tr("image size"), QStringLiteral("img"));
  threshold_->addItem(tr("bounding box"), QStringLiteral("bbox"));
  threshold_->setToolTip(
      tr("T of the PCK criterion: the target image's longer side, or the target object's "
         "bounding box (SPair-71k, PF-WILLOW)."));
  limit_ = new QSpinBox(run_box);
  limit_->setRange(0, 1000000);
  limit_->setSpecialValueText(tr("all"));
  limit_->setToolTip(tr("Evaluate only the first N filtered pairs (all: 0)"));
  form->addWidget(new QLabel(tr("Output"), run_box), 1, 0);
  form->addWidget(output_, 1, 1, 1, 6);
  form->addWidget(browse, 1, 7);
  form->addWidget(new QLabel(tr("α"), run_box), 2, 0);
  form->addWidget(alphas_, 2, 1);
  form->addWidget(new QLabel(tr("PCK"), run_box), 2, 2);
  form->addWidget(pck_kind_, 2, 3);
  form->addWidget(new QLabel(tr("Threshold"), run_box), 2, 4);
  form->addWidget(threshold_, 2, 5);
  form->addWidget(new QLabel(tr("Pairs"), run_box), 2, 6);
  form->addWidget(limit_, 2, 7);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Output folder"), output_->text());
    if (!dir.isEmpty()) output_->setText(dir);
  });
}

// Run, cancel, resume, the progress bar and the status line.
QHBoxLayout* EvalPanel::build_run_buttons(QWidget* run_box) {
  auto* buttons = new QHBoxLayout;
  run_button_ = new QPushButton(tr("Run evaluation"), run_box);
  run_button_->setToolTip(
      tr("Evaluate the filtered pairs with the model of the settings dock (Ctrl+Shift+R)"));
  cancel_button_ = new QPushButton(tr("Cancel"), run_box);
  cancel_button_->setToolTip(
      tr("Stop after the pair in flight; finished pairs are kept and Resume continues"));
  cancel_button_->setEnabled(false);
  resume_button_ = new QPushButton(tr("Resume"), run_box);
  resume_button_->setToolTip(
      tr("Continue the run in the output folder, skipping the pairs it already scored"));
  progress_ = new QProgressBar(run_box);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  progress_->setFormat(QStringLiteral("%v / %m"));
  status_ = new QLabel(run_box);
  buttons->addWidget(run_button_);
  buttons->addWidget(cancel_button_);
  buttons->addWidget(resume_button_);
  buttons->addWidget(progress_, 1);
  buttons->addWidget(status_, 1);
  connect(run_button_, &QPushButton::clicked, this, [this] { run(output_->text().trimmed()); });
  connect(cancel_button_, &QPushButton::clicked, this, &EvalPanel::cancel);
  connect(resume_button_, &QPushButton::clicked, this, &EvalPanel::resume);
  return buttons;
}

// Runs shown (load, compare, clear), the chart view and the Export menu.
QHBoxLayout* EvalPanel::build_runs_bar() {
  auto* bar = new QHBoxLayout;
  auto* load = new QPushButton(tr("Load run…"), this);
  load->setToolTip(tr("Show a previous run's output folder (summary.json, pairs.jsonl)"));
  auto* compare = new QPushButton(tr("Compare with…"), this);
  compare->setToolTip(tr("Overlay a second run's curves and show the differences (e.g. two layer sets)"));
  auto* clear = new QPushButton(tr("Clear comparison"), this);
  view_ = new QComboBox(this);
  view_->setToolTip(tr("Which curves the chart shows"));
  view_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  view_->setMinimumContentsLength(16);
  auto* export_button = build_export_button();
  bar->addWidget(load);
  bar->addWidget(compare);
  bar->addWidget(clear);
  bar->addSpacing(12);
  bar->addWidget(new QLabel(tr("Chart"), this));
  bar->addWidget(view_);
  bar->addStretch(1);
  bar->addWidget(export_button);
  connect(load, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Run folder"), output_->text());
    if (!dir.isEmpty()) load_run(dir);
  });
  connect(compare, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Run folder to compare with"));
    if (!dir.isEmpty()) load_comparison(dir);
  });
  connect(clear, &QPushButton::clicked, this, &EvalPanel::clear_comparison);
  return bar;
}

// One menu entry per kind of export, each with the file name and filter its save dialog proposes.
QToolButton* EvalPanel::build_export_button() {
  static const struct {
    Export kind;
    const char* text;
    const char* file_name;
    const char* filter;
  } exports[] = {
      {Export::Chart, QT_TR_NOOP("Chart (PNG, SVG, PDF)…"), "pck.png",
       "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"},
      {Export::ChartCsv, QT_TR_NOOP("Chart data (CSV)…"), "pck.csv", "CSV (*.csv)"},
      {Export::TableShown, QT_TR_NOOP("Table shown (CSV)…"), "table.csv", "CSV (*.csv)"},
      {Export::Report, QT_TR_NOOP("Report (JSON)…"), "summary.json", "JSON (*.json)"},
      {Export::Bundle, QT_TR_NOOP("Everything as a .zip bundle…"), "hyperpixel-results.zip",
       "Zip archive (*.zip)"},
  };
  auto* export_button = new QToolButton(this);
  export_button->setText(tr("Export"));
  export_button->setPopupMode(QToolButton::InstantPopup);
  auto* export_menu = new QMenu(export_button);
  for (const auto& e : exports) {
    if (e.kind == Export::Bundle) export_menu->addSeparator();  // the bundle stands apart
    const Export kind = e.kind;
    const char* const file_name = e.file_name;
    const char* const filter = e.filter;
    export_menu->addAction(tr(e.text), this,
                           [this, kind, file_name, filter] { ask_export(kind, file_name, filter); });
  }
  export_button->setMenu(export_menu);
  return export_button;
}

// The PCK chart beside the per-category, per-difficulty and comparison tables; the chart follows view_.
QSplitter* EvalPanel::build_chart_and_tables() {
  auto* splitter = new QSplitter(Qt::Horizontal, this);
  chart_ = new PckChart(splitter);
  tables_ = new QTabWidget(splitter);
  category_table_ = make_table(tables_);
  difficulty_table_ = make_table(tables_);
  compare_table_ = make_table(tables_);
  tables_->addTab(category_table_, tr("Per category"));
  tables_->addTab(difficulty_table_, tr("Per difficulty"));
  tables_->addTab(compare_table_, tr("Comparison"));
  splitter->addWidget(chart_);
  splitter->addWidget(tables_);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);
  connect(view_, &QComboBox::currentIndexChanged, this,
          [this] { chart_->set_content(chart_content(view_->currentData().toString())); });
  return splitter;
}

// While a run goes, pairs.jsonl is polled every kLiveIntervalMs and what it holds so far is shown.
void EvalPanel::set_up_live_updates() {
  live_timer_ = new QTimer(this);
  live_timer_->setInterval(kLiveIntervalMs);
  connect(live_timer_, &QTimer::timeout, this, &EvalPanel::poll_live);
  connect(&live_watcher_, &QFutureWatcherBase::finished, this, [this] {
    const std::shared_ptr<RunData> data = live_watcher_.result();
    if (data && live_ && job_) show_run(std::move(*data));
  });
}

// The evaluation job's progress, warnings, failure and cancel (its completion is delivered by start()).
void EvalPanel::connect_runner() {
  connect(&runner_, &JobRunner::progress, this,
          [this](quint64 id, qint64 done, qint64 total, const QString&) {
            if (id == job_) on_progress(done, total);
          });
  connect(&runner_, &JobRunner::failed, this, [this](quint64 id, const QString& message) {
    if (id == job_) {
      job_ = 0;
      live_.reset();
      live_timer_->stop();
      cancel_button_->setEnabled(false);
      run_button_->setEnabled(true);
      resume_button_->setEnabled(last_input_ != nullptr);
      Q_EMIT busy_changed(false);
      Q_EMIT run_failed(message);
    }
    show_error(message);
  });
  connect(&runner_, &JobRunner::warning, this, [this](quint64, const QString& message) {
    set_status(tr("Warning: %1 (recorded with the pair)").arg(message));
  });
  connect(&runner_, &JobRunner::cancelled, this, [this](quint64 id) {
    if (id != job_) return;
    job_ = 0;
    live_.reset();
    live_timer_->stop();
    cancel_button_->setEnabled(false);
    run_button_->setEnabled(true);
    resume_button_->setEnabled(true);
    set_status(tr("Cancelled after %1 of %2 pairs: Resume continues")
                   .arg(progress_->value())
                   .arg(progress_->maximum()));
    Q_EMIT busy_changed(false);
    Q_EMIT run_cancelled();
    // Show what was finished before the cancel (nothing when it came while the model was loading).
    const QString folder = QString::fromStdString(last_input_->options.output_dir);
    if (QFileInfo::exists(folder + QStringLiteral("/run.json"))) load_run(folder);
  });
}

// The input label says what a run would evaluate: the browser's dataset, split and filter, now and after
// each filter.
void EvalPanel::track_browser_input() {
  if (!browser_) return;
  const auto describe = [this] {
    if (!browser_->dataset()) {
      input_label_->setText(tr("Open a dataset in the Datasets tab first."));
      return;
    }
    input_label_->setText(tr("<b>%1</b> %2 split, %3 of %4 pairs (%5). Model: the settings dock.")
                              .arg(QString::fromStdString(browser_->dataset()->name()), browser_->split())
                              .arg(browser_->filtered_rows() ? browser_->filtered_rows()->size() : 0)
                              .arg(browser_->pairs() ? browser_->pairs()->size() : 0)
                              .arg(browser_->filter().describe().toHtmlEscaped()));
  };
  connect(browser_, &DatasetBrowser::filter_applied, this, describe);
  describe();
}

EvalPanel::~EvalPanel() {
  runner_.cancel_all();
  live_watcher_.waitForFinished();
}

QString EvalPanel::output_dir() const {
  return output_->text().trimmed();
}
void EvalPanel::set_alphas(const QString& alphas) {
  alphas_->setText(alphas);
}
void EvalPanel::set_limit(int limit) {
  limit_->setValue(limit);
}
QString EvalPanel::status_text() const {
  return status_->text();
}

void EvalPanel::set_status(const QString& text) {
  status_->setStyleSheet(QString());
  status_->setText(text);
}

void EvalPanel::show_error(const QString& message) {
  last_error_ = message;
  status_->setStyleSheet(QStringLiteral("color: #c0392b;"));
  status_->setText(message);
  status_->setToolTip(message);
}

std::shared_ptr<EvalPanel::Input> EvalPanel::current_input(const QString& output_dir, QString* error) const {
  if (!browser_ || !browser_->dataset() || !browser_->filtered_rows()) {
    *error = tr("Open a dataset in the Datasets tab first.");
    return nullptr;
  }
  if (browser_->busy()) {
    *error = tr("The dataset browser is still loading or filtering: try again in a moment.");
    return nullptr;
  }
  if (browser_->filtered_rows()->empty()) {
    *error = tr("The filter keeps no pair: nothing to evaluate.");
    return nullptr;
  }
  auto input = std::make_shared<Input>();
  input->dataset = browser_->dataset();
  input->split = browser_->split().toStdString();
  input->pairs = browser_->pairs();
  input->rows = browser_->filtered_rows();
  input->filter = browser_->filter().to_json();
  const std::optional<MatchSettings> settings = settings_();
  if (!settings) {
    *error = tr("The settings dock holds an invalid option (named in the message above).");
    return nullptr;
  }
  input->settings = *settings;
  try {
    input->options.alphas = parse_alphas(alphas_->text().toStdString());
  } catch (const OptionError& e) {
    *error = describe_option_error(e);
    return nullptr;
  }
  input->options.split = input->split;
  input->options.pck = static_cast<PckKind>(pck_kind_->currentData().toInt());
  const QString threshold = threshold_->currentData().toString();
  input->options.threshold_is_default = threshold == QLatin1String("default");
  input->options.threshold =
      threshold == QLatin1String("img") ? ThresholdKind::Image : ThresholdKind::BoundingBox;
  input->options.limit = limit_->value();
  input->options.skip_bad = true;  // one broken image must not end a long run; it is listed as skipped
  QString dir = output_dir;
  if (dir.isEmpty()) {
    dir = studio_data_folder(QStringLiteral("runs/")) +
          QStringLiteral("%1-%2-%3")
              .arg(QString::fromStdString(input->dataset->name()), browser_->split(),
                   QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
  }
  input->options.output_dir = QDir(dir).absolutePath().toStdString();
  return input;
}

bool EvalPanel::run(const QString& output_dir) {
  QString error;
  auto input = current_input(output_dir, &error);
  if (!input) {
    show_error(error);
    return false;
  }
  const QString records = QString::fromStdString(input->options.output_dir) + QStringLiteral("/pairs.jsonl");
  if (QFileInfo(records).size() > 0) {
    show_error(tr("%1 already holds a run: Resume continues it, or choose another output folder.")
                   .arg(QString::fromStdString(input->options.output_dir)));
    return false;
  }
  return start(input);
}

bool EvalPanel::resume() {
  std::shared_ptr<Input> input;
  const QString dir = output_dir();
  if (last_input_ &&
      (dir.isEmpty() || QDir(dir).absolutePath().toStdString() == last_input_->options.output_dir)) {
    input = std::make_shared<Input>(*last_input_);
  } else {
    if (dir.isEmpty()) {
      show_error(tr("Choose the output folder of the run to resume."));
      return false;
    }
    QString error;
    input = current_input(dir, &error);
    if (!input) {
      show_error(error);
      return false;
    }
  }
  input->options.resume = true;
  return start(input);
}

void EvalPanel::cancel() {
  if (job_) runner_.cancel(job_);
}

bool EvalPanel::start(std::shared_ptr<Input> input) {
  if (job_) {
    show_error(tr("An evaluation is already running."));
    return false;
  }
  last_error_.clear();
  last_input_ = input;
  output_->setText(QString::fromStdString(input->options.output_dir));
  const std::shared_ptr<BackboneService> backbones = backbones_;
  const QString folder = QString::fromStdString(input->options.output_dir);

  live_ = std::make_shared<Live>(input->options.output_dir + "/pairs.jsonl");
  live_->folder = folder;
  live_->run.dataset = input->dataset->name();
  live_->run.split = input->split;
  live_->run.backbone = input->settings.backbone.toStdString();
  live_->run.layers = format_layer_ids(layer_ids(input->settings));
  live_->run.alphas = input->options.alphas;
  live_->run.pck = input->options.pck;
  rate_ = ProgressRate{};
  eta_clock_.invalidate();
  progress_->setRange(0, static_cast<int>(input->rows->size()));
  progress_->setValue(0);
  set_status(input->options.resume ? tr("Resuming…") : tr("Loading the model…"));
  run_button_->setEnabled(false);
  resume_button_->setEnabled(false);
  cancel_button_->setEnabled(true);

  job_ = runner_.start(
      tr("Evaluation"), [this, input, backbones, folder](const JobContext& ctx) -> JobRunner::Delivery {
        c10::InferenceMode inference;
        const BackboneService::Loaded model = backbones->get(input->settings);
        const std::shared_ptr<Backbone>& backbone = model.backbone;
        const std::string& weights = model.weights;
        ctx.check_cancelled();
        const HyperpixelFlow flow(*backbone, to_match_options(input->settings));
        std::vector<PairAnnotation> subset;
        subset.reserve(input->rows->size());
        for (int r : *input->rows) subset.push_back((*input->pairs)[static_cast<size_t>(r)]);
        const FilteredDataset dataset(input->dataset, input->split, std::move(subset));
        const RunDescription run = describe_gui_run(input->settings, *backbone, weights, input->filter);
        const EvalResult result = run_evaluation(dataset, flow, run, input->options, ctx);
        if (!result.complete) {
          ctx.check_cancelled();
          throw std::runtime_error("the evaluation stopped before every pair was scored");
        }
        auto data = std::make_shared<RunData>(make_run_data(
            result.run, read_pair_records(input->options.output_dir + "/pairs.jsonl"), folder, true));
        const double seconds = result.seconds;
        const int64_t evaluated = result.evaluated, resumed = result.resumed;
        return [this, data, seconds, evaluated, resumed] {
          job_ = 0;
          last_input_
              .reset();  // complete: Resume now means the run in the output folder with the current filter
          live_.reset();
          live_timer_->stop();
          cancel_button_->setEnabled(false);
          run_button_->setEnabled(true);
          resume_button_->setEnabled(false);
          progress_->setValue(progress_->maximum());
          show_run(std::move(*data));
          set_status(tr("Done: %1 pairs scored in %2 (%3 resumed)")
                         .arg(evaluated)
                         .arg(QString::fromStdString(clock_text(seconds)))
                         .arg(resumed));
          Q_EMIT busy_changed(false);
          Q_EMIT run_finished();
        };
      });
  live_timer_->start();
  Q_EMIT busy_changed(true);
  return true;
}

void EvalPanel::on_progress(qint64 done, qint64 total) {
  progress_->setRange(0, static_cast<int>(total));
  progress_->setValue(static_cast<int>(done));
  if (!eta_clock_.isValid()) eta_clock_.start();
  rate_.update(done, eta_clock_.elapsed() / 1000.0);
  QString text = tr("%1 of %2 pairs").arg(done).arg(total);
  if (const std::optional<double> rate = rate_.units_per_second()) {
    text += tr(" — %1 pairs/s — ETA %2")
                .arg(*rate, 0, 'f', *rate < 10 ? 2 : 0)
                .arg(QString::fromStdString(clock_text(*rate_.seconds_left(total))));
  }
  set_status(text);
}

void EvalPanel::poll_live() {
  if (!live_ || live_watcher_.isRunning()) return;
  const std::shared_ptr<Live> live = live_;
  live_watcher_.setFuture(QtConcurrent::run([live]() -> std::shared_ptr<RunData> {
    try {
      if (live->tail.read_new(live->records) == 0) return nullptr;
      return std::make_shared<RunData>(make_run_data(live->run, live->records, live->folder, false));
    } catch (const std::exception&) {
      return nullptr;  // a line being written: the next poll reads it whole
    }
  }));
}

void EvalPanel::load_run(const QString& folder) {
  runner_.start(tr("Load run"), [this, folder](const JobContext&) -> JobRunner::Delivery {
    auto data = std::make_shared<RunData>(load_run_folder(folder));
    return [this, data] { show_run(std::move(*data)); };
  });
}

void EvalPanel::load_comparison(const QString& folder) {
  runner_.start(tr("Load run"), [this, folder](const JobContext&) -> JobRunner::Delivery {
    auto data = std::make_shared<RunData>(load_run_folder(folder));
    return [this, data] { show_comparison(std::move(*data)); };
  });
}

void EvalPanel::show_run(RunData data) {
  current_ = std::move(data);
  if (browser_ && browser_->dataset() && browser_->dataset()->name() == current_->run.dataset &&
      browser_->split().toStdString() == current_->run.split) {
    const std::string alpha = current_->headline_alpha();
    browser_->set_pck(current_->pck_by_pair(alpha), QString::fromStdString(alpha));
    browser_->set_warnings(current_->warnings_by_pair());
  }
  refresh();
}

void EvalPanel::show_comparison(RunData data) {
  compare_ = std::move(data);
  refresh();
  tables_->setCurrentWidget(compare_table_);
}

void EvalPanel::clear_comparison() {
  compare_.reset();
  refresh();
}

QStringList EvalPanel::chart_views() const {
  QStringList views;
  if (!current_) return views;
  views << QStringLiteral("overall") << QStringLiteral("per_category");
  for (DifficultyFlag f : kDifficultyFlags) {
    if (current_->difficulty_curves.count(flag_key(f).toStdString())) views << flag_key(f);
  }
  return views;
}

void EvalPanel::set_chart_view(const QString& view) {
  const int i = view_->findData(view);
  if (i >= 0) view_->setCurrentIndex(i);
}

ChartContent EvalPanel::chart_content(const QString& view) const {
  ChartContent content;
  if (!current_ || current_->summary.curve.empty()) return content;
  content.alphas = current_->summary.curve_alphas;
  const bool comparing = compare_ && !compare_->summary.curve.empty();
  const auto tagged = [comparing](const QString& name, bool second) {
    return comparing ? name + (second ? QStringLiteral(" [B]") : QStringLiteral(" [A]")) : name;
  };
  const auto add_runs = [&](const auto& add) {
    add(*current_, false);
    if (comparing) add(*compare_, true);
  };
  if (view == QLatin1String("overall")) {
    content.title = tr("PCK over α — all pairs");
    // Two runs get their own colour and a name that says what they are.
    add_runs([&](const RunData& r, bool second) {
      const QString name =
          comparing ? QStringLiteral("%1: %2 %3 (%4)")
                          .arg(second ? QStringLiteral("B") : QStringLiteral("A"), r.method(),
                               QString::fromStdString(r.run.backbone), QString::fromStdString(r.run.layers))
                    : tr("all");
      content.curves.push_back({name, r.summary.curve, second, !comparing});
    });
  } else if (view == QLatin1String("per_category")) {
    content.title = tr("PCK over α — per category");
    add_runs([&](const RunData& r, bool second) {
      if (!second) content.curves.push_back({tagged(tr("all"), false), r.summary.curve, false, true});
      for (const auto& [category, values] : r.summary.curve_per_category) {
        content.curves.push_back({tagged(QString::fromStdString(category), second), values, second, false});
      }
    });
  } else {
    const auto flag = flag_by_key(view);
    if (!flag) return {};
    content.title = tr("PCK over α — by %1 difficulty").arg(flag_title(*flag).toLower());
    add_runs([&](const RunData& r, bool second) {
      const auto found = r.difficulty_curves.find(view.toStdString());
      if (found == r.difficulty_curves.end()) return;
      for (const auto& [value, values] : found->second) {
        content.curves.push_back(
            {tagged(flag_value_label(*flag, std::stoi(value)), second), values, second, false});
      }
    });
  }
  return content;
}

QTableWidget* EvalPanel::table(Table which) const {
  switch (which) {
    case Table::PerCategory:
      return category_table_;
    case Table::PerDifficulty:
      return difficulty_table_;
    case Table::Comparison:
      break;
  }
  return compare_table_;
}

void EvalPanel::refresh() {
  const QString view = view_->currentData().toString();
  {
    const QSignalBlocker block(view_);
    view_->clear();
    for (const QString& v : chart_views()) {
      const auto flag = flag_by_key(v);
      view_->addItem(v == QLatin1String("overall")        ? tr("All pairs")
                     : v == QLatin1String("per_category") ? tr("Per category")
                                                          : tr("By %1").arg(flag_title(*flag).toLower()),
                     v);
    }
    view_->setCurrentIndex(
        std::max(0, view_->findData(view.isEmpty() ? QStringLiteral("per_category") : view)));
  }
  chart_->set_content(chart_content(view_->currentData().toString()));
  fill_tables();
  if (current_) {
    const Summary& s = current_->summary;
    QString text = tr("<b>A</b>: %1 — %2 pairs, %3 keypoints%4")
                       .arg(current_->label().toHtmlEscaped())
                       .arg(s.pairs)
                       .arg(s.keypoints)
                       .arg(current_->complete ? QString() : tr(" <i>(in progress or interrupted)</i>"));
    if (s.skipped) text += tr(", %1 skipped").arg(s.skipped);
    if (compare_) {
      text += tr("<br><b>B</b>: %1 — %2 pairs")
                  .arg(compare_->label().toHtmlEscaped())
                  .arg(compare_->summary.pairs);
    }
    runs_label_->setText(text);
  }
  Q_EMIT results_changed();
}

namespace {

using AlphaRows = std::vector<std::pair<QString, const std::map<std::string, double>*>>;

// One row per name, one column per alpha, values in percent (empty where a row has no value).
void fill_alpha_rows(QTableWidget* t, const std::vector<std::string>& alphas, const AlphaRows& rows) {
  t->setColumnCount(static_cast<int>(alphas.size()));
  QStringList header;
  for (const std::string& a : alphas) header << QStringLiteral("α = %1").arg(QString::fromStdString(a));
  t->setHorizontalHeaderLabels(header);
  t->setRowCount(static_cast<int>(rows.size()));
  QStringList names;
  for (size_t r = 0; r < rows.size(); ++r) {
    names << rows[r].first;
    for (size_t c = 0; c < alphas.size(); ++c) {
      const auto found = rows[r].second->find(alphas[c]);
      t->setItem(static_cast<int>(r), static_cast<int>(c),
                 number_item(found == rows[r].second->end() ? QString() : percent(found->second)));
    }
  }
  t->setVerticalHeaderLabels(names);
}

}  // namespace

void EvalPanel::fill_tables() {
  for (QTableWidget* t : {category_table_, difficulty_table_, compare_table_}) {
    t->clear();
    t->setRowCount(0);
    t->setColumnCount(0);
  }
  if (!current_) return;
  fill_category_table();
  fill_difficulty_table();
  if (compare_) fill_comparison_table();
}

// Per category, like the paper: one row per category, then all pairs (bold); LT-ACC and IoU for Caltech-101.
void EvalPanel::fill_category_table() {
  const Summary& s = current_->summary;
  if (s.lt_acc) {
    category_table_->setColumnCount(1);
    category_table_->setHorizontalHeaderLabels({tr("value")});
    category_table_->setRowCount(2);
    category_table_->setVerticalHeaderLabels({tr("LT-ACC"), tr("IoU")});
    category_table_->setItem(0, 0, number_item(QString::number(*s.lt_acc, 'f', 3)));
    category_table_->setItem(1, 0, number_item(QString::number(s.iou.value_or(0), 'f', 3)));
    return;
  }
  AlphaRows rows;
  for (const auto& [category, values] : s.pck_per_category)
    rows.push_back({QString::fromStdString(category), &values});
  rows.push_back({tr("all"), &s.pck});
  fill_alpha_rows(category_table_, current_->run.alphas, rows);
  const int last = category_table_->rowCount() - 1;
  for (int c = 0; c < category_table_->columnCount(); ++c) {
    QFont bold = category_table_->item(last, c)->font();
    bold.setBold(true);
    category_table_->item(last, c)->setFont(bold);
  }
}

// Per SPair-71k difficulty flag value.
void EvalPanel::fill_difficulty_table() {
  AlphaRows rows;
  for (const auto& [flag, by_value] : current_->summary.pck_per_difficulty) {
    for (const auto& [value, values] : by_value) {
      rows.push_back({flag_name(flag) + QStringLiteral(": ") + value_label(flag, value), &values});
    }
  }
  if (!rows.empty()) fill_alpha_rows(difficulty_table_, current_->run.alphas, rows);
}

// A, B and B - A (percentage points, green when B is better) per alpha both runs have (core's compare_runs).
void EvalPanel::fill_comparison_table() {
  const RunComparison comparison =
      compare_runs(current_->summary, current_->run.alphas, compare_->summary, compare_->run.alphas);
  QStringList header, names;
  for (const std::string& a : comparison.alphas) {
    const QString alpha = QString::fromStdString(a);
    header << QStringLiteral("A α=%1").arg(alpha) << QStringLiteral("B α=%1").arg(alpha)
           << QStringLiteral("B−A α=%1").arg(alpha);
  }
  compare_table_->setColumnCount(static_cast<int>(header.size()));
  compare_table_->setHorizontalHeaderLabels(header);
  compare_table_->setRowCount(static_cast<int>(comparison.rows.size()));
  for (size_t r = 0; r < comparison.rows.size(); ++r) {
    const ComparisonRow& row = comparison.rows[r];
    names << (r + 1 == comparison.rows.size() ? tr("all") : QString::fromStdString(row.name));
    for (size_t i = 0; i < row.values.size(); ++i) {
      const ComparedValue& v = row.values[i];
      const int c = static_cast<int>(3 * i), rr = static_cast<int>(r);
      compare_table_->setItem(rr, c, number_item(v.a ? percent(*v.a) : QString()));
      compare_table_->setItem(rr, c + 1, number_item(v.b ? percent(*v.b) : QString()));
      const std::optional<double> d = v.difference();
      auto* delta = number_item(d ? QString::asprintf("%+.1f", 100.0 * *d) : QString());
      if (d && std::abs(*d) >= 0.0005)
        delta->setForeground(*d > 0 ? QColor(0x1e, 0x84, 0x49) : QColor(0xc0, 0x39, 0x2b));
      compare_table_->setItem(rr, c + 2, delta);
    }
  }
  compare_table_->setVerticalHeaderLabels(names);
  // Three columns per alpha: sized to their numbers (scrolling when many), not squeezed to the width.
  compare_table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
}

bool EvalPanel::save_export(const QString& path, const QString& failure,
                            const std::function<std::string()>& contents) {
  try {
    write_file_atomically(path.toStdString(), contents());
    set_status(tr("Saved %1").arg(path));
    return true;
  } catch (const std::exception& e) {
    show_error(failure.arg(QString::fromStdString(e.what())));
    return false;
  }
}

bool EvalPanel::export_chart_to(const QString& path) {
  return save_export(path, tr("Could not export the chart: %1"), [this, &path] {
    const ChartContent content = chart_content(view_->currentData().toString());
    if (content.empty()) throw std::runtime_error("no chart to export: run or load an evaluation first");
    return render_pck_chart(content, figure_format_for(path)).toStdString();
  });
}

bool EvalPanel::export_chart_csv_to(const QString& path) {
  return save_export(path, tr("Could not export the chart data: %1"), [this] {
    const ChartContent content = chart_content(view_->currentData().toString());
    if (content.empty()) throw std::runtime_error("no chart data: run or load an evaluation first");
    return chart_csv(content).toStdString();
  });
}

bool EvalPanel::export_table_to(Table which, const QString& path) {
  return save_export(path, tr("Could not export the table: %1"), [this, which] {
    const QTableWidget* t = table(which);
    if (t->rowCount() == 0) throw std::runtime_error("the table is empty");
    return model_csv(*t->model(), true).toStdString();
  });
}

bool EvalPanel::export_report_to(const QString& path) {
  return save_export(path, tr("Could not export the report: %1"), [this] {
    if (!current_) throw std::runtime_error("no run to report: run or load an evaluation first");
    return summary_json(current_->summary, current_->run);
  });
}

std::vector<BundleEntry> EvalPanel::bundle_entries() const {
  std::vector<BundleEntry> entries;
  const auto utf8 = [](const std::string& s) { return QByteArray::fromStdString(s); };
  if (current_) {
    for (const QString& view : chart_views()) {
      const ChartContent content = chart_content(view);
      if (content.empty()) continue;
      const QString base = QStringLiteral("charts/pck_") + view;
      entries.push_back({base + ".png", render_pck_chart(content, FigureFormat::Png)});
      entries.push_back({base + ".svg", render_pck_chart(content, FigureFormat::Svg)});
      entries.push_back({base + ".pdf", render_pck_chart(content, FigureFormat::Pdf)});
      entries.push_back({base + ".csv", chart_csv(content).toUtf8()});
    }
    if (category_table_->rowCount() > 0) {
      entries.push_back(
          {QStringLiteral("tables/per_category.csv"), model_csv(*category_table_->model(), true).toUtf8()});
    }
    if (difficulty_table_->rowCount() > 0) {
      entries.push_back({QStringLiteral("tables/per_difficulty.csv"),
                         model_csv(*difficulty_table_->model(), true).toUtf8()});
    }
    entries.push_back(
        {QStringLiteral("report/summary.json"), utf8(summary_json(current_->summary, current_->run))});
    entries.push_back(
        {QStringLiteral("report/summary_table.txt"), utf8(summary_table(current_->summary, current_->run))});
  }
  if (compare_) {
    entries.push_back(
        {QStringLiteral("tables/comparison.csv"), model_csv(*compare_table_->model(), true).toUtf8()});
    entries.push_back({QStringLiteral("report/comparison_summary.json"),
                       utf8(summary_json(compare_->summary, compare_->run))});
  }
  if (browser_ && browser_->dataset()) {
    entries.push_back(
        {QStringLiteral("tables/dataset_statistics.csv"), browser_->statistics()->to_csv().toUtf8()});
  }
  if (extra_entries_) {
    for (BundleEntry& e : extra_entries_()) entries.push_back(std::move(e));
  }
  return entries;
}

bool EvalPanel::export_bundle_to(const QString& path) {
  try {
    const std::vector<BundleEntry> entries = bundle_entries();
    if (entries.empty())
      throw std::runtime_error("nothing to export yet: open a dataset or run an evaluation");
    write_bundle(path, entries);
    set_status(tr("Saved %1 (%2 files)").arg(path).arg(entries.size() + 1));
    return true;
  } catch (const std::exception& e) {
    show_error(tr("Could not export the bundle: %1").arg(QString::fromStdString(e.what())));
    return false;
  }
}

void EvalPanel::ask_export(Export kind, const char* file_name, const char* filter) {
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Export"), QString::fromLatin1(file_name), tr(filter));
  if (path.isEmpty()) return;
  switch (kind) {
    case Export::Chart:
      export_chart_to(path);
      break;
    case Export::ChartCsv:
      export_chart_csv_to(path);
      break;
    case Export::TableShown: {
      const int tab = tables_->currentIndex();
      export_table_to(tab == 0   ? Table::PerCategory
                      : tab == 1 ? Table::PerDifficulty
                                 : Table::Comparison,
                      path);
      break;
    }
    case Export::Report:
      export_report_to(path);
      break;
    case Export::Bundle:
      export_bundle_to(path);
      break;
  }
}

}  // namespace hpf
