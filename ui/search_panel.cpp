#include "ui/search_panel.h"

#include "core/compute/hyperpixel_flow.h"
#include "ui/data_folders.h"
#include "ui/dataset_browser.h"
#include "ui/filtered_dataset.h"
#include "ui/run_data.h"

#include "core/search/search_folder.h"
#include "core/search/search_job.h"

#include <c10/core/InferenceMode.h>

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegend>
#include <QLineEdit>
#include <QLineSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>
#include <set>

namespace hpf {

namespace {

constexpr int kLiveIntervalMs = 700;

QTableWidgetItem* number_item(double value, int decimals) {
  auto* item = new QTableWidgetItem;
  item->setData(Qt::DisplayRole, QString::number(value, 'f', decimals).toDouble());  // sorts numerically
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

}  // namespace

SearchPanel::SearchPanel(DatasetBrowser* browser, QWidget* parent) : QWidget(parent), browser_(browser) {
  settings_ = [] { return std::optional<MatchSettings>(MatchSettings{}); };
  auto* column = new QVBoxLayout(this);
  column->addWidget(build_run_box());
  column->addLayout(build_best_row());
  column->addWidget(build_chart_and_table(), 1);

  set_up_live_updates();
  connect_runner();
  fill();
}

// What to run: the output folder, the beam options, and run, cancel, resume and load.
QGroupBox* SearchPanel::build_run_box() {
  auto* box = new QGroupBox(tr("Beam search over hyperpixel layers on the current dataset and filter"), this);
  auto* grid = new QGridLayout(box);
  add_run_options(box, grid);
  grid->addLayout(build_run_buttons(box), 2, 0, 1, 3);
  return box;
}

// Rows 0 and 1 of the run box: the output folder, then beam width, depth, α and pair limit.
void SearchPanel::add_run_options(QWidget* box, QGridLayout* grid) {
  output_ = new QLineEdit(box);
  output_->setPlaceholderText(tr("Output folder (empty: a new folder under the application data)"));
  output_->setToolTip(tr("search.jsonl, search_progress.jsonl and search_summary.json are written here"));
  auto* browse = new QPushButton(tr("Browse…"), box);
  beam_ = new QSpinBox(box);
  beam_->setRange(1, 32);
  beam_->setValue(4);
  beam_->setToolTip(tr("k: how many layer sets are kept and extended at each depth"));
  depth_ = new QSpinBox(box);
  depth_->setRange(1, 40);
  depth_->setValue(6);
  depth_->setToolTip(tr("Largest number of layers in a set (depths 0 … n−1)"));
  alpha_ = new QLineEdit(QStringLiteral("0.1"), box);
  alpha_->setToolTip(tr("The PCK α each candidate set is scored with"));
  alpha_->setMaximumWidth(70);
  limit_ = new QSpinBox(box);
  limit_->setRange(0, 1000000);
  limit_->setSpecialValueText(tr("all"));
  limit_->setToolTip(tr("Score on the first N filtered pairs only (all: 0)"));
  grid->addWidget(new QLabel(tr("Output"), box), 0, 0);
  grid->addWidget(output_, 0, 1);
  grid->addWidget(browse, 0, 2);
  auto* options = new QHBoxLayout;
  for (auto [label, widget] : {std::pair<QString, QWidget*>{tr("Beam"), beam_},
                               {tr("Max. layers"), depth_},
                               {tr("α"), alpha_},
                               {tr("Pairs"), limit_}}) {
    options->addWidget(new QLabel(label, box));
    options->addWidget(widget);
    options->addSpacing(10);
  }
  options->addStretch(1);
  grid->addLayout(options, 1, 0, 1, 3);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Output folder"), output_->text());
    if (!dir.isEmpty()) output_->setText(dir);
  });
}

// Run, cancel, resume, load, the progress bar and the status line.
QHBoxLayout* SearchPanel::build_run_buttons(QWidget* box) {
  auto* buttons = new QHBoxLayout;
  run_button_ = new QPushButton(tr("Run search"), box);
  cancel_button_ = new QPushButton(tr("Cancel"), box);
  cancel_button_->setEnabled(false);
  resume_button_ = new QPushButton(tr("Resume"), box);
  resume_button_->setEnabled(false);
  auto* load = new QPushButton(tr("Load search…"), box);
  load->setToolTip(
      tr("Show a search's output folder (search.jsonl, search_summary.json); a search still "
         "running is followed"));
  progress_ = new QProgressBar(box);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  status_ = new QLabel(box);
  buttons->addWidget(run_button_);
  buttons->addWidget(cancel_button_);
  buttons->addWidget(resume_button_);
  buttons->addWidget(load);
  buttons->addWidget(progress_, 1);
  buttons->addWidget(status_, 1);
  connect(run_button_, &QPushButton::clicked, this, [this] { run(output_->text().trimmed()); });
  connect(cancel_button_, &QPushButton::clicked, this, &SearchPanel::cancel);
  connect(resume_button_, &QPushButton::clicked, this, &SearchPanel::resume);
  connect(load, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Search output folder"), output_->text());
    if (!dir.isEmpty()) load_folder(dir);
  });
  return buttons;
}

// The best set found so far and the button that applies it to the pair view.
QHBoxLayout* SearchPanel::build_best_row() {
  auto* best_row = new QHBoxLayout;
  best_label_ = new QLabel(tr("No search yet: run one or load an output folder."), this);
  best_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  apply_ = new QPushButton(tr("Apply best layers to the pair view"), this);
  apply_->setEnabled(false);
  apply_->setToolTip(tr("Use the best set in the settings and recompute the open pair"));
  best_row->addWidget(best_label_, 1);
  best_row->addWidget(apply_);
  connect(apply_, &QPushButton::clicked, this, [this] {
    if (results_ && results_->has_best) Q_EMIT apply_layers_requested(results_->best.layers);
  });
  return best_row;
}

// The chart beside the table of every scored candidate; a double-click applies a candidate's layers.
QSplitter* SearchPanel::build_chart_and_table() {
  auto* splitter = new QSplitter(Qt::Horizontal, this);
  chart_ = new QChartView(splitter);
  chart_->setRenderHint(QPainter::Antialiasing);
  chart_->setMinimumSize(360, 260);
  table_ = new QTableWidget(0, 5, splitter);
  table_->setHorizontalHeaderLabels({tr("Depth"), tr("Layers"), tr("PCK (%)"), tr("Seconds"), tr("In beam")});
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setToolTip(tr("Every scored candidate; double-click one to apply its layers"));
  splitter->addWidget(chart_);
  splitter->addWidget(table_);
  table_->setMinimumWidth(380);  // the layer lists stay readable
  splitter->setStretchFactor(0, 1);
  splitter->setStretchFactor(1, 1);
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
    Q_EMIT apply_layers_requested(parse_layer_set(table_->item(row, 1)->text().toStdString()));
  });
  return splitter;
}

// While a search runs, its output folder is polled every kLiveIntervalMs and what it holds so far is shown.
void SearchPanel::set_up_live_updates() {
  live_timer_ = new QTimer(this);
  live_timer_->setInterval(kLiveIntervalMs);
  connect(live_timer_, &QTimer::timeout, this, &SearchPanel::poll_live);
  connect(&live_watcher_, &QFutureWatcherBase::finished, this, [this] {
    const auto results = live_watcher_.result();
    if (results && job_) show_results(std::move(*results));
  });
}

// The search job's progress (with an estimate of the time left at this depth), failure and cancel.
void SearchPanel::connect_runner() {
  connect(&runner_, &JobRunner::progress, this,
          [this](quint64 id, qint64 done, qint64 total, const QString& what) {
            if (id != job_) return;
            progress_->setRange(0, static_cast<int>(total));
            progress_->setValue(static_cast<int>(done));
            if (!eta_clock_.isValid()) eta_clock_.start();
            rate_.update(done, eta_clock_.elapsed() / 1000.0);  // restarts at each depth (done falls back)
            QString text = what;
            if (const std::optional<double> left = rate_.seconds_left(total)) {
              text += tr(" — this depth: about %1 left").arg(QString::fromStdString(clock_text(*left)));
            }
            set_status(text);
          });
  connect(&runner_, &JobRunner::failed, this, [this](quint64 id, const QString& message) {
    if (id == job_) {
      job_ = 0;
      live_timer_->stop();
      cancel_button_->setEnabled(false);
      run_button_->setEnabled(true);
      resume_button_->setEnabled(true);
    }
    set_status(message, true);
  });
  connect(&runner_, &JobRunner::cancelled, this, [this](quint64 id) {
    if (id != job_) return;
    job_ = 0;
    live_timer_->stop();
    cancel_button_->setEnabled(false);
    run_button_->setEnabled(true);
    resume_button_->setEnabled(true);
    set_status(tr("Cancelled: Resume continues where it stopped"));
    load_folder(live_folder_);
    Q_EMIT run_cancelled();
  });
}

SearchPanel::~SearchPanel() {
  runner_.cancel_all();
  live_watcher_.waitForFinished();
}

QString SearchPanel::status_text() const {
  return status_->text();
}

void SearchPanel::set_status(const QString& text, bool error) {
  status_->setText(text);
  status_->setToolTip(text);
  status_->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
}

void SearchPanel::set_beam(int beam, int depth) {
  beam_->setValue(beam);
  depth_->setValue(depth);
}

void SearchPanel::set_limit(int limit) {
  limit_->setValue(limit);
}

bool SearchPanel::run(const QString& output_dir) {
  return start(output_dir, false);
}

bool SearchPanel::resume() {
  return start(output_->text().trimmed().isEmpty() ? live_folder_ : output_->text().trimmed(), true);
}

void SearchPanel::cancel() {
  if (job_) runner_.cancel(job_);
}

bool SearchPanel::start(const QString& output_dir, bool resume) {
  if (job_) return false;
  if (!browser_ || !browser_->dataset() || !browser_->filtered_rows() || browser_->filtered_rows()->empty()) {
    set_status(tr("Open a dataset (and keep at least one pair in the filter) in the Datasets tab first."),
               true);
    return false;
  }
  QString dir = output_dir;
  if (dir.isEmpty()) {
    if (resume) {
      set_status(tr("Choose the output folder of the search to resume."), true);
      return false;
    }
    dir = studio_data_folder(QStringLiteral("searches/")) +
          QStringLiteral("%1-%2-%3")
              .arg(QString::fromStdString(browser_->dataset()->name()), browser_->split(),
                   QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
  }
  dir = QDir(dir).absolutePath();
  output_->setText(dir);
  live_folder_ = dir;
  const auto dataset = browser_->dataset();
  const auto pairs = browser_->pairs();
  const auto rows = browser_->filtered_rows();
  const std::string split = browser_->split().toStdString();
  const QJsonObject filter = browser_->filter().to_json();
  const std::optional<MatchSettings> chosen = settings_();
  if (!chosen) return false;  // the main window named the invalid option
  const MatchSettings settings = *chosen;
  SearchOptions options;
  options.split = split;
  options.threshold = dataset->default_threshold();
  options.alpha = alpha_->text().trimmed().toStdString();
  options.beam = beam_->value();
  options.depth = depth_->value();
  options.limit = limit_->value();
  options.output_dir = dir.toStdString();
  options.resume = resume;
  const std::shared_ptr<BackboneService> backbones = backbones_;
  rate_ = ProgressRate{};
  eta_clock_.invalidate();
  run_button_->setEnabled(false);
  resume_button_->setEnabled(false);
  cancel_button_->setEnabled(true);
  set_status(resume ? tr("Resuming…") : tr("Loading the model…"));
  job_ = runner_.start(tr("Layer search"), [=](const JobContext& ctx) -> JobRunner::Delivery {
    c10::InferenceMode inference;
    const BackboneService::Loaded model = backbones->get(settings);
    const std::shared_ptr<Backbone>& backbone = model.backbone;
    const std::string& weights = model.weights;
    std::vector<PairAnnotation> subset;
    for (int r : *rows) subset.push_back((*pairs)[static_cast<size_t>(r)]);
    const FilteredDataset filtered(dataset, split, std::move(subset));
    RunDescription run = describe_gui_run(settings, *backbone, weights, filter);
    run.dataset = dataset->name();
    run.split = split;
    const SearchResult result =
        run_search(filtered, *backbone, to_match_options(settings), run, options, ctx);
    if (!result.complete) {
      ctx.check_cancelled();
      throw std::runtime_error("the search stopped before its last depth");
    }
    auto loaded = std::make_shared<SearchFolder>(read_search_folder(options.output_dir));
    const double seconds = result.seconds;
    return [this, loaded, seconds] {
      job_ = 0;
      live_timer_->stop();
      cancel_button_->setEnabled(false);
      run_button_->setEnabled(true);
      progress_->setValue(progress_->maximum());
      show_results(std::move(*loaded));
      set_status(tr("Done in %1 s").arg(seconds, 0, 'f', 1));
      Q_EMIT run_finished();
    };
  });
  live_timer_->start();
  return true;
}

void SearchPanel::poll_live() {
  if (!job_ || live_watcher_.isRunning()) return;
  const QString folder = live_folder_;
  const int k = beam_->value();
  live_watcher_.setFuture(QtConcurrent::run([folder, k]() -> std::shared_ptr<SearchFolder> {
    try {
      return std::make_shared<SearchFolder>(read_search_folder(folder.toStdString(), k));
    } catch (const std::exception&) {
      return nullptr;  // nothing written yet
    }
  }));
}

void SearchPanel::load_folder(const QString& folder) {
  const int k = beam_->value();
  runner_.start(tr("Load search"), [this, folder, k](const JobContext&) -> JobRunner::Delivery {
    auto results = std::make_shared<SearchFolder>(read_search_folder(folder.toStdString(), k));
    return [this, results] {
      live_folder_ = QString::fromStdString(results->folder);
      if (output_->text().isEmpty()) output_->setText(live_folder_);
      show_results(std::move(*results));
    };
  });
}

void SearchPanel::show_results(SearchFolder results) {
  results_ = std::move(results);
  fill();
  Q_EMIT results_changed();
}

void SearchPanel::fill() {
  auto* chart = new QChart;
  chart->setTitle(tr("Layer search: PCK of each candidate set"));
  auto* x = new QValueAxis;
  x->setTitleText(tr("layers in the set"));
  x->setLabelFormat(QStringLiteral("%d"));
  auto* y = new QValueAxis;
  y->setTitleText(tr("PCK (%)"));
  y->setLabelFormat(QStringLiteral("%.0f"));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  table_->setSortingEnabled(false);
  table_->setRowCount(0);
  int max_size = 1;
  double low = 100, high = 0;
  if (results_) {
    auto* all = new QScatterSeries;
    all->setName(tr("candidates"));
    all->setMarkerSize(7);
    all->setColor(QColor(150, 170, 200));
    all->setBorderColor(QColor(150, 170, 200));
    auto* kept = new QScatterSeries;
    kept->setName(tr("beam"));
    kept->setMarkerSize(10);
    kept->setColor(QColor(31, 119, 180));
    auto* best_line = new QLineSeries;
    best_line->setName(tr("best per depth"));
    best_line->setPen(QPen(QColor(214, 39, 40), 2));
    std::set<std::pair<int, std::vector<int>>> in_beam;
    for (const auto& depth : results_->beam) {
      for (const SearchRecord& c : depth) in_beam.insert({c.depth, c.layers});
      if (!depth.empty())
        best_line->append(static_cast<double>(depth.front().layers.size()), 100 * depth.front().score);
    }
    table_->setRowCount(static_cast<int>(results_->candidates.size()));
    for (size_t i = 0; i < results_->candidates.size(); ++i) {
      const SearchRecord& c = results_->candidates[i];
      const double size = static_cast<double>(c.layers.size());
      const bool beam = in_beam.count({c.depth, c.layers}) != 0;
      (beam ? kept : all)->append(size, 100 * c.score);
      max_size = std::max(max_size, static_cast<int>(c.layers.size()));
      low = std::min(low, 100 * c.score);
      high = std::max(high, 100 * c.score);
      const int row = static_cast<int>(i);
      auto* depth_item = new QTableWidgetItem;
      depth_item->setData(Qt::DisplayRole, c.depth);
      table_->setItem(row, 0, depth_item);
      table_->setItem(row, 1, new QTableWidgetItem(QString::fromStdString(format_layer_ids(c.layers))));
      table_->setItem(row, 2, number_item(100 * c.score, 2));
      table_->setItem(row, 3, number_item(c.seconds, 2));
      table_->setItem(row, 4, new QTableWidgetItem(beam ? QStringLiteral("✓") : QString()));
    }
    for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{all, kept, best_line}) {
      chart->addSeries(s);
      s->attachAxis(x);
      s->attachAxis(y);
    }
  }
  x->setRange(0.5, max_size + 0.5);
  x->setTickCount(std::min(max_size, 12) + 1);
  x->setTickType(QValueAxis::TicksDynamic);
  x->setTickAnchor(1);
  x->setTickInterval(std::max(1, max_size / 12));
  if (high < low) {
    low = 0;
    high = 100;
  }
  y->setRange(std::max(0.0, std::floor(low / 5) * 5 - 5), std::min(100.0, std::ceil(high / 5) * 5 + 5));
  y->applyNiceNumbers();
  chart->legend()->setAlignment(Qt::AlignBottom);
  QChart* old = chart_->chart();
  chart_->setChart(chart);
  delete old;
  // Best first: the table answers "which sets score highest"; a header click gives the search order back.
  table_->setSortingEnabled(true);
  table_->sortByColumn(2, Qt::DescendingOrder);

  if (results_ && results_->has_best) {
    best_label_->setText(
        tr("<b>Best set</b>: layers %1 — PCK %2% (depth %3)%4%5")
            .arg(QString::fromStdString(format_layer_ids(results_->best.layers)))
            .arg(100 * results_->best.score, 0, 'f', 2)
            .arg(results_->best.depth)
            .arg(results_->complete ? QString() : tr(" <i>so far</i>"))
            .arg(results_->description.empty()
                     ? QString()
                     : QStringLiteral(" — ") + QString::fromStdString(results_->description)));
    apply_->setEnabled(true);
  } else {
    apply_->setEnabled(false);
  }
}

}  // namespace hpf
