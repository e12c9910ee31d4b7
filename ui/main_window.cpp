#include "ui/main_window.h"

#include "core/compute/runtime.h"
#include "core/fileio/atomic_file.h"
#include "core/weights/weights_cache.h"
#include "core/weights/weights_download.h"
#include "core/weights/weights_error.h"
#include "ui/dataset_browser.h"
#include "ui/dataset_pair_dialog.h"
#include "ui/eval_panel.h"
#include "ui/export_bundle.h"
#include "ui/figure_export.h"
#include "ui/flow_wheel.h"
#include "ui/layers_panel.h"
#include "ui/pair_view.h"
#include "ui/query_rows.h"
#include "ui/search_panel.h"
#include "ui/settings_panel.h"
#include "ui/start_page.h"

#include <opencv2/core/version.hpp>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSlider>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWidgetAction>

#include <algorithm>
#include <filesystem>

namespace hpf {

namespace {

constexpr int kMaxRecent = 10;
const char* const kImageFilter = "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;All files (*)";

QList<int> to_list(const LayerSet& layers) {
  return QList<int>(layers.begin(), layers.end());
}

}  // namespace

MainWindow::MainWindow(bool restore, QWidget* parent) : QMainWindow(parent), restore_(restore) {
  setWindowTitle(tr("Hyperpixel Studio"));
  setAcceptDrops(true);
  resize(1400, 860);

  build_central_area();
  build_settings_dock();
  build_status_bar();
  build_actions();
  add_settings_dock_toggle();

  connect_start_page();
  connect_jobs();
  connect_settings_dock();
  connect_layers_tab();
  connect_dataset_panels();
  connect_point_query();

  restore_state();
}

MainWindow::~MainWindow() = default;

// Central area: error banner above a stack of {start page, tabs}.
void MainWindow::build_central_area() {
  auto* central = new QWidget(this);
  auto* column = new QVBoxLayout(central);
  column->setContentsMargins(0, 0, 0, 0);
  column->setSpacing(0);
  column->addWidget(build_error_banner(central));
  column->addWidget(build_page_stack(central), 1);
  setCentralWidget(central);
}

// Hidden until show_error(); offers the weights download when they are what is missing.
QWidget* MainWindow::build_error_banner(QWidget* parent) {
  error_banner_ = new QWidget(parent);
  error_banner_->setStyleSheet(QStringLiteral("background: #fdecea; color: #611a15;"));
  auto* banner = new QHBoxLayout(error_banner_);
  error_text_ = new QLabel(error_banner_);
  error_text_->setWordWrap(true);
  error_text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  banner->addWidget(error_text_, 1);
  error_weights_ = new QPushButton(tr("Get weights…"), error_banner_);
  banner->addWidget(error_weights_);
  auto* dismiss = new QPushButton(tr("Dismiss"), error_banner_);
  banner->addWidget(dismiss);
  error_banner_->hide();
  connect(dismiss, &QPushButton::clicked, this, &MainWindow::clear_error);
  connect(error_weights_, &QPushButton::clicked, this, &MainWindow::download_weights);
  return error_banner_;
}

// The start page, and the tabs: pair, hyperpixel layers, datasets, evaluation, layer search.
QStackedWidget* MainWindow::build_page_stack(QWidget* parent) {
  stack_ = new QStackedWidget(parent);
  start_ = new StartPage(stack_);
  tabs_ = new QTabWidget(stack_);
  auto* pair_tab = new QWidget(tabs_);
  build_pair_tab(pair_tab);
  tabs_->addTab(pair_tab, tr("Pair"));
  layers_ = new LayersPanel(tabs_);
  tabs_->addTab(layers_, tr("Hyperpixel layers"));
  browser_ = new DatasetBrowser(tabs_);
  tabs_->addTab(browser_, tr("Datasets"));
  eval_ = new EvalPanel(browser_, tabs_);
  tabs_->addTab(eval_, tr("Evaluation"));
  search_ = new SearchPanel(browser_, tabs_);
  set_backbone_service(session_.backbone_service());  // needs eval_ and search_
  tabs_->addTab(search_, tr("Layer search"));
  stack_->addWidget(start_);
  stack_->addWidget(tabs_);
  return stack_;
}

void MainWindow::build_settings_dock() {
  settings_panel_ = new SettingsPanel;
  auto* scroll = new QScrollArea;
  scroll->setWidget(settings_panel_);
  scroll->setWidgetResizable(true);
  scroll->setMinimumWidth(300);
  settings_dock_ = new QDockWidget(tr("Settings"), this);
  settings_dock_->setObjectName("settingsDock");
  settings_dock_->setWidget(scroll);
  addDockWidget(Qt::RightDockWidgetArea, settings_dock_);
}

// Status bar: what runs, its progress, and a cancel button.
void MainWindow::build_status_bar() {
  status_text_ = new QLabel(tr("Ready"), this);
  progress_ = new QProgressBar(this);
  progress_->setMaximumWidth(260);
  progress_->setTextVisible(false);
  progress_->hide();
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setToolTip(tr("Stop the running job (Esc)."));
  cancel_->hide();
  statusBar()->addWidget(status_text_, 1);
  statusBar()->addPermanentWidget(progress_);
  statusBar()->addPermanentWidget(cancel_);
}

// Ctrl+, and the View menu show and hide the settings dock (after build_actions(), which makes the menu).
void MainWindow::add_settings_dock_toggle() {
  settings_dock_->toggleViewAction()->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
  menuBar()->findChild<QMenu*>("viewMenu")->addAction(settings_dock_->toggleViewAction());
}

void MainWindow::connect_start_page() {
  connect(start_, &StartPage::open_images_requested, this, &MainWindow::ask_open_images);
  connect(start_, &StartPage::open_dataset_requested, this, [this] { show_tab(browser_); });
  connect(start_, &StartPage::weights_requested, this, [this] {
    settings_dock_->show();
    settings_dock_->raise();
    refresh_weights_status();
  });
  connect(start_, &StartPage::recent_requested, this, &MainWindow::open_images);
}

// The pair session's and the weight downloads' progress, results and errors reach the status bar, the
// error banner and the layers tab; Cancel stops both.
void MainWindow::connect_jobs() {
  connect(cancel_, &QPushButton::clicked, this, [this] {
    session_.cancel();
    downloads_.cancel_all();
  });
  connect(&session_, &PairSession::busy_changed, this, [this](bool busy) {
    progress_->setVisible(busy || downloads_.pending() > 0);
    cancel_->setVisible(busy || downloads_.pending() > 0);
    if (busy) progress_->setRange(0, 0);
  });
  const auto on_progress = [this](qint64 done, qint64 total, const QString& what) {
    progress_->setRange(0, total > 0 ? 1000 : 0);
    if (total > 0) progress_->setValue(static_cast<int>(1000 * done / total));
    status_text_->setText(what);
  };
  connect(&session_, &PairSession::progress, this, on_progress);
  connect(&session_, &PairSession::result_ready, this, &MainWindow::on_result);
  connect(&session_, &PairSession::failed, this, [this](const QString& message) { show_error(message); });
  connect(&session_, &PairSession::cancelled, this, [this] { status_text_->setText(tr("Cancelled")); });
  connect(&session_, &PairSession::notice, this,
          [this](const QString& message) { status_text_->setText(tr("Note: %1").arg(message)); });
  connect(&session_, &PairSession::weights_missing, this,
          [this](const QString&, const QString& message) { show_error(message, true); });
  connect(&session_, &PairSession::layer_maps_ready, this, [this] {
    layers_->set_tiles(session_.layer_tiles(), to_list(layer_ids(session_.settings())));
    status_text_->setText(tr("Layer maps ready"));
  });
  connect(&downloads_, &JobRunner::busy_changed, this, [this](bool busy) {
    progress_->setVisible(busy || session_.busy());
    cancel_->setVisible(busy || session_.busy());
  });
  connect(&downloads_, &JobRunner::progress, this,
          [on_progress](quint64, qint64 done, qint64 total, const QString& what) {
            on_progress(done, total, what);
          });
  connect(&downloads_, &JobRunner::failed, this, [this](quint64, const QString& m) { show_error(m, true); });
  connect(&downloads_, &JobRunner::cancelled, this, [this](quint64) {
    status_text_->setText(tr("Download cancelled; it resumes where it stopped next time"));
  });
}

void MainWindow::connect_settings_dock() {
  connect(settings_panel_, &SettingsPanel::apply_requested, this, [this] {
    if (const auto s = dock_settings()) {
      apply_settings(*s);
      session_.compute();
    }
  });
  connect(settings_panel_, &SettingsPanel::evaluation_changed, this, [this] {
    MatchSettings s = session_.settings();
    s.alpha = settings_panel_->alpha();
    s.threshold = settings_panel_->threshold();
    session_.set_settings(s);
    refresh_evaluation();
  });
  connect(settings_panel_, &SettingsPanel::browse_weights_requested, this, &MainWindow::ask_weights_file);
  connect(settings_panel_, &SettingsPanel::download_weights_requested, this, &MainWindow::download_weights);
  connect(settings_panel_, &SettingsPanel::backbone_changed, this, [this] { refresh_weights_status(); });
}

// Toggling layers recomputes the pair; the layer maps are computed when the tab is first shown.
void MainWindow::connect_layers_tab() {
  connect(layers_, &LayersPanel::layers_toggled, this, [this](const QList<int>& ids) {
    if (ids.isEmpty()) {
      layers_->set_selected(to_list(layer_ids(session_.settings())));  // at least one layer must stay
      return;
    }
    MatchSettings s = session_.settings();
    s.match.layers = LayerSet(ids.begin(), ids.end());
    std::sort(s.match.layers.begin(), s.match.layers.end());
    apply_settings(s);
    layers_->set_message(
        tr("Recomputing with layers %1…").arg(QString::fromStdString(format_layer_ids(s.match.layers))));
    session_.compute();
  });
  connect(tabs_, &QTabWidget::currentChanged, this, [this](int index) {
    if (tabs_->widget(index) == layers_ && layers_stale_ && session_.figure()) {
      layers_stale_ = false;
      layers_->set_message(tr("Computing the maps of every layer…"));
      session_.compute_layer_maps();
    }
  });
}

// Part 2: the dataset browser opens pairs in the pair view; evaluation and search run with the dock's
// model.
void MainWindow::connect_dataset_panels() {
  connect(browser_, &DatasetBrowser::pair_activated, this,
          [this](std::shared_ptr<const Dataset> dataset, const PairAnnotation& pair) {
            open_dataset_pair(std::move(dataset), pair);
            tabs_->setCurrentIndex(0);
          });
  connect(browser_, &DatasetBrowser::loaded, this, [this] {
    if (!restore_) return;
    QSettings store;
    store.setValue("browser/kind", browser_->kind());
    store.setValue("browser/location", browser_->location());
  });
  eval_->set_settings_provider([this] { return dock_settings(); });
  eval_->set_extra_bundle_entries([this] { return pair_bundle_entries(); });
  search_->set_settings_provider([this] { return dock_settings(); });
  connect(search_, &SearchPanel::apply_layers_requested, this, [this](const LayerSet& layers) {
    std::optional<MatchSettings> s = dock_settings();
    if (!s) return;
    s->match.layers = layers;
    apply_settings(*s);
    status_text_->setText(tr("Layers %1 applied").arg(QString::fromStdString(format_layer_ids(layers))));
    if (session_.has_pair()) {
      session_.compute();
      tabs_->setCurrentIndex(0);
    }
  });
}

// Hover queries are coalesced: the latest mouse position is queried once the event queue is empty.
void MainWindow::connect_point_query() {
  auto* query_timer = new QTimer(this);
  query_timer->setSingleShot(true);
  query_timer->setInterval(0);
  connect(query_timer, &QTimer::timeout, this, &MainWindow::run_query);
  connect(view_, &PairView::source_hovered, this, [this, query_timer](const QPointF& p) {
    if (pinned_) return;
    pending_query_ = p;
    query_timer->start();
  });
  connect(view_, &PairView::source_clicked, this, [this, query_timer](const QPointF& p) {
    pinned_ = pinned_ ? std::nullopt : std::optional<QPointF>(p);
    pending_query_ = p;
    query_timer->start();
  });
}

// The settings, recent pairs, window layout and dataset location of the last session (when restore_), or
// the defaults, shown in the dock, the recent menu and the weights status.
void MainWindow::restore_state() {
  MatchSettings settings;
  if (restore_) {
    QSettings store;
    settings = MatchSettings::load(store);
    recent_ = store.value("recent").toStringList();
    restoreGeometry(store.value("window/geometry").toByteArray());
    restoreState(store.value("window/state").toByteArray());
    const QString location = store.value("browser/location").toString();
    if (!location.isEmpty()) browser_->set_location(store.value("browser/kind").toString(), location);
  }
  apply_settings(settings);
  rebuild_recent_menu();
  refresh_weights_status();
}

void MainWindow::build_pair_tab(QWidget* tab) {
  auto* layout = new QVBoxLayout(tab);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* bar = new QToolBar(tab);
  bar->setObjectName("overlayBar");
  view_ = new PairView(tab);
  layout->addWidget(bar);
  layout->addWidget(view_, 1);

  const struct {
    Overlay overlay;
    QString name, tip;
    QKeySequence key;
  } overlays[] = {
      {Overlay::Keypoints, tr("Keypoints"),
       tr("Ground-truth keypoints, numbered, one colour per keypoint id (or "
          "the transferred grid)"),
       QKeySequence(Qt::Key_1)},
      {Overlay::Transferred, tr("Transferred"),
       tr("Transferred keypoints; with ground truth green = correct, red = "
          "wrong at α, dashed circle = PCK radius"),
       QKeySequence(Qt::Key_2)},
      {Overlay::MatchLines, tr("Lines"), tr("Match lines: a line from each keypoint to where it transfers"),
       QKeySequence(Qt::Key_3)},
      {Overlay::HyperpixelLines, tr("Hyperpixels"),
       tr("Hyperpixel matches: the best match of each hyperpixel above the confidence set under "
          "Display"),
       QKeySequence(Qt::Key_4)},
      {Overlay::WarpedSource, tr("Warp"),
       tr("Warped source: the source warped onto the target by the dense flow (opacity under "
          "Display)"),
       QKeySequence(Qt::Key_5)},
      {Overlay::FlowColours, tr("Flow"),
       tr("Flow colours: the dense flow colour-coded over the source, hue = direction, "
          "saturation = length (see the wheel)"),
       QKeySequence(Qt::Key_6)},
      {Overlay::Query, tr("Query"),
       tr("Point query: hover the source for the confidence heatmap over the target, the best match "
          "and the covering receptive fields. Click to pin, click again to follow."),
       QKeySequence(Qt::Key_7)},
      {Overlay::Activation, tr("CAM"),
       tr("SCOT's class activation maps (the likeliest two ImageNet classes, three scales) with each "
          "hyperpixel's marginal weight as a dot: small and dark 0.5, large and white 1.0. Only with the "
          "scot matcher and CAM marginals"),
       QKeySequence(Qt::Key_8)},
      {Overlay::Comparison, tr("vs HPF"),
       tr("With the scot matcher: where HPF sends the same points (rings), green where the two methods agree "
          "within the PCK radius (one grid cell without ground truth), orange where they do not"),
       QKeySequence(Qt::Key_9)},
  };
  for (const auto& o : overlays) {
    QAction* a = bar->addAction(o.name);
    a->setCheckable(true);
    a->setChecked(view_->overlay_visible(o.overlay));
    a->setToolTip(QStringLiteral("%1 (%2)").arg(o.tip, o.key.toString()));
    a->setShortcut(o.key);
    const Overlay overlay = o.overlay;
    connect(a, &QAction::toggled, this,
            [this, overlay](bool on) { view_->set_overlay_visible(overlay, on); });
    overlay_actions_ << a;
  }
  bar->addSeparator();
  // The sliders sit in a popup so that every overlay toggle stays in one row, one click away, at 1280 px.
  auto* display = new QToolButton(bar);
  display->setText(tr("Display"));
  display->setToolTip(
      tr("Opacity of the warped source and flow colours; minimum confidence of the hyperpixel "
         "matches drawn"));
  display->setPopupMode(QToolButton::InstantPopup);
  auto* display_menu = new QMenu(display);
  auto* sliders = new QWidget(display_menu);
  auto* form = new QFormLayout(sliders);
  auto* opacity = new QSlider(Qt::Horizontal, sliders);
  opacity->setRange(0, 100);
  opacity->setValue(60);
  opacity->setMinimumWidth(160);
  opacity->setToolTip(tr("Opacity of the warped source and of the flow colours"));
  form->addRow(tr("Opacity"), opacity);
  connect(opacity, &QSlider::valueChanged, this, [this](int v) { view_->set_flow_opacity(v / 100.0); });
  auto* confidence = new QSlider(Qt::Horizontal, sliders);
  confidence->setRange(0, 100);
  confidence->setValue(50);
  confidence->setToolTip(
      tr("Hyperpixel matches drawn: those with at least this fraction of the strongest "
         "match's confidence (at most 200 lines)"));
  form->addRow(tr("Min. confidence"), confidence);
  connect(confidence, &QSlider::valueChanged, this,
          [this](int v) { view_->set_line_filter(v / 100.0, 200); });
  auto* sliders_action = new QWidgetAction(display_menu);
  sliders_action->setDefaultWidget(sliders);
  display_menu->addAction(sliders_action);
  display->setMenu(display_menu);
  bar->addWidget(display);
  wheel_ = new FlowWheel(bar);
  bar->addWidget(wheel_);
  bar->addSeparator();
  QAction* stacked = bar->addAction(tr("Stacked"));
  stacked->setCheckable(true);
  stacked->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
  stacked->setToolTip(tr("Target below the source instead of beside it (Ctrl+L)"));
  connect(stacked, &QAction::toggled, this,
          [this](bool on) { view_->set_pair_layout(on ? PairLayout::Stacked : PairLayout::SideBySide); });
  query_info_ = new QLabel(tab);
  query_info_->setContentsMargins(8, 2, 8, 2);
  query_info_->setText(tr("Hover the source image to query a point."));
  layout->addWidget(query_info_);
  query_rows_ = new QueryRows(tab);
  layout->addWidget(query_rows_);
}

void MainWindow::build_actions() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open images…"), this, &MainWindow::ask_open_images);
  open->setShortcut(QKeySequence::Open);
  QAction* browse = file->addAction(tr("Browse &datasets…"), this, [this] { show_tab(browser_); });
  browse->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
  file->addAction(tr("Open dataset pair by &name…"), this, &MainWindow::ask_open_dataset);
  file->addAction(tr("Load evaluation &run…"), this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Evaluation output folder"));
    if (dir.isEmpty()) return;
    show_tab(eval_);
    eval_->load_run(dir);
  });
  file->addAction(tr("Load layer &search…"), this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Layer search output folder"));
    if (dir.isEmpty()) return;
    show_tab(search_);
    search_->load_folder(dir);
  });
  recent_menu_ = file->addMenu(tr("&Recent pairs"));
  file->addAction(tr("Choose &weights file…"), this, &MainWindow::ask_weights_file);
  file->addAction(tr("Do&wnload weights"), this, &MainWindow::download_weights);
  file->addSeparator();
  export_action_ =
      file->addAction(tr("&Export figure (PNG, SVG, PDF)…"), this, &MainWindow::ask_export_figure);
  export_action_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
  export_json_action_ = file->addAction(tr("Export results as &JSON…"), this, &MainWindow::ask_export_json);
  export_json_action_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
  export_action_->setEnabled(false);
  export_json_action_->setEnabled(false);
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* run = menuBar()->addMenu(tr("&Run"));
  QAction* recompute = run->addAction(tr("&Recompute"), this, [this] {
    if (const auto s = dock_settings()) {
      apply_settings(*s);
      session_.compute();
    }
  });
  recompute->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  QAction* cancel = run->addAction(tr("&Cancel"), this, [this] {
    session_.cancel();
    downloads_.cancel_all();
  });
  cancel->setShortcut(QKeySequence(Qt::Key_Escape));
  run->addSeparator();
  QAction* evaluate = run->addAction(tr("Run &evaluation on the filtered pairs"), this, [this] {
    show_tab(eval_);
    eval_->run(eval_->output_dir());
  });
  evaluate->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
  run->addAction(tr("Run layer &search on the filtered pairs"), this, [this] {
    show_tab(search_);
    search_->run();
  });

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->setObjectName("viewMenu");
  QAction* fit = view->addAction(tr("&Fit to window"), this, [this] { view_->fit(); });
  fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
  QAction* zoom_in = view->addAction(tr("Zoom &in"), this, [this] { view_->zoom_by(1.25); });
  zoom_in->setShortcut(QKeySequence::ZoomIn);
  QAction* zoom_out = view->addAction(tr("Zoom &out"), this, [this] { view_->zoom_by(0.8); });
  zoom_out->setShortcut(QKeySequence::ZoomOut);
  QAction* layers = view->addAction(tr("Hyperpixel &layers"), this, &MainWindow::show_layers_tab);
  layers->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
  QAction* pair = view->addAction(tr("&Pair"), this, [this] { tabs_->setCurrentIndex(0); });
  pair->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
  QAction* datasets = view->addAction(tr("&Datasets"), this, [this] { show_tab(browser_); });
  datasets->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
  QAction* evaluation = view->addAction(tr("&Evaluation"), this, [this] { show_tab(eval_); });
  evaluation->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
  QAction* search = view->addAction(tr("Layer &search"), this, [this] { show_tab(search_); });
  search->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_5));
  view->addSeparator();

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Hyperpixel Studio"), this, &MainWindow::show_about);
}

void MainWindow::apply_settings(const MatchSettings& settings) {
  settings_panel_->set_settings(settings);
  session_.set_settings(settings);
  refresh_evaluation();
  refresh_weights_status();
}

bool MainWindow::showing_start_page() const {
  return stack_->currentWidget() == start_;
}

void MainWindow::show_layers_tab() {
  if (!showing_start_page()) tabs_->setCurrentWidget(layers_);
}

void MainWindow::show_tab(QWidget* tab) {
  stack_->setCurrentWidget(tabs_);
  tabs_->setCurrentWidget(tab);
}

std::vector<BundleEntry> MainWindow::pair_bundle_entries() {
  std::vector<BundleEntry> entries;
  if (!session_.figure()) return entries;
  const QRectF region = view_->visible_figure_rect();
  entries.push_back(
      {QStringLiteral("figures/pair.png"), render_figure(*view_->scene(), region, FigureFormat::Png)});
  entries.push_back(
      {QStringLiteral("figures/pair.svg"), render_figure(*view_->scene(), region, FigureFormat::Svg)});
  entries.push_back(
      {QStringLiteral("figures/pair.pdf"), render_figure(*view_->scene(), region, FigureFormat::Pdf)});
  entries.push_back({QStringLiteral("figures/pair_matches.json"), session_.report_json()});
  return entries;
}

void MainWindow::open_images(const QString& source, const QString& target) {
  clear_error();
  PairSource s;
  s.source_path = source;
  s.target_path = target;
  setWindowTitle(tr("%1 — Hyperpixel Studio").arg(s.describe()));
  session_.open(s);
  add_recent(source, target);
}

void MainWindow::open_dataset_pair(std::shared_ptr<const Dataset> dataset, const PairAnnotation& pair) {
  clear_error();
  PairSource s;
  s.source_path = QString::fromStdString(pair.source_image);
  s.target_path = QString::fromStdString(pair.target_image);
  s.dataset = std::move(dataset);
  s.annotation = pair;
  setWindowTitle(tr("%1 — Hyperpixel Studio").arg(s.describe()));
  session_.open(s);
}

void MainWindow::on_result() {
  const auto figure = session_.figure();
  view_->set_figure(figure);
  query_rows_->set_target(figure->target_image, figure->target_size);
  stack_->setCurrentWidget(tabs_);
  refresh_evaluation();
  wheel_->set_max_flow(figure->max_flow);
  export_action_->setEnabled(true);
  export_json_action_->setEnabled(true);
  pinned_.reset();
  int uncovered = 0;
  for (const auto& t : figure->transferred) uncovered += t ? 0 : 1;
  QString text = tr("%1: %2 × %3 hyperpixels, %4 points transferred (%5 uncovered), %6 ms")
                     .arg(session_.source().describe())
                     .arg(figure->source_hyperpixels)
                     .arg(figure->target_hyperpixels)
                     .arg(figure->transferred.size() - uncovered)
                     .arg(uncovered)
                     .arg(figure->compute_ms, 0, 'f', 0);
  if (figure->has_truth()) {
    const MatchSettings& s = session_.settings();
    const double t = s.threshold == ThresholdChoice::Image ? figure->threshold_image : figure->threshold_bbox;
    int correct = 0;
    for (size_t i = 0; i < figure->transferred.size(); ++i)
      correct += prediction_correct(*figure, i, s.alpha, t);
    text += tr(" — PCK@%1: %2/%3").arg(s.alpha).arg(correct).arg(figure->transferred.size());
  }
  if (!figure->comparison_transferred.empty()) {
    const MatchSettings& s = session_.settings();
    const double t = s.threshold == ThresholdChoice::Image ? figure->threshold_image : figure->threshold_bbox;
    const double radius = agreement_radius(*figure, s.alpha, t);
    int agree = 0;
    for (size_t i = 0; i < figure->transferred.size(); ++i) agree += methods_agree(*figure, i, radius);
    text +=
        tr(" — %1 agrees on %2/%3").arg(figure->comparison_method).arg(agree).arg(figure->transferred.size());
  }
  status_text_->setText(text);
  layers_stale_ = true;
  layers_->set_tiles({}, {});
  if (tabs_->currentWidget() == layers_) {
    layers_stale_ = false;
    layers_->set_message(tr("Computing the maps of every layer…"));
    session_.compute_layer_maps();
  }
}

void MainWindow::query_source_point(const QPointF& point) {
  pending_query_ = point;
  run_query();
}

void MainWindow::run_query() {
  if (!pending_query_) return;
  const QPointF p = *pending_query_;
  pending_query_.reset();
  const std::optional<QueryOverlay> q = session_.query(p);
  view_->show_query(q);
  query_rows_->show_query(q);
  if (!q) return;
  QString text = tr("Source (%1, %2)").arg(p.x(), 0, 'f', 1).arg(p.y(), 0, 'f', 1);
  if (q->best_match) {
    text += tr(" → target (%1, %2)").arg(q->best_match->x(), 0, 'f', 1).arg(q->best_match->y(), 0, 'f', 1);
  } else {
    text += tr(": no hyperpixel covers this point");
  }
  text += tr(", %1 covering hyperpixels").arg(q->covering.size());
  if (pinned_) text += tr(" (pinned: click to follow the mouse again)");
  query_info_->setText(text);
  layers_->set_similarity(q->layer_similarity);
}

void MainWindow::refresh_evaluation() {
  const auto figure = session_.figure();
  if (!figure) return;
  const MatchSettings& s = session_.settings();
  view_->set_evaluation(
      s.alpha, s.threshold == ThresholdChoice::Image ? figure->threshold_image : figure->threshold_bbox);
}

void MainWindow::refresh_weights_status() {
  const QString weights_path = settings_panel_->weights_path(), backbone = settings_panel_->backbone();
  QString text;
  bool ok = true;
  if (!weights_path.isEmpty()) {
    ok = QFileInfo::exists(weights_path);
    text = ok ? tr("Using %1").arg(weights_path) : tr("File not found: %1").arg(weights_path);
  } else {
    try {
      const std::filesystem::path cached = cached_weights_path(default_weights(backbone.toStdString()));
      ok = std::filesystem::exists(cached);
      text = ok ? tr("Cached: %1").arg(QString::fromStdString(cached.string()))
                : tr("No %1 weights yet: Download them (%2) or choose a file.")
                      .arg(backbone, QString::fromStdString(cached.parent_path().string()));
    } catch (const std::exception& e) {
      ok = false;
      text = QString::fromStdString(e.what());
    }
  }
  settings_panel_->set_weights_status(text, ok);
  start_->set_weights_note(text, ok);
}

void MainWindow::set_backbone_service(std::shared_ptr<BackboneService> service) {
  session_.set_backbone_service(service);
  eval_->set_backbone_service(service);
  search_->set_backbone_service(service);
}

std::optional<MatchSettings> MainWindow::dock_settings() {
  try {
    return settings_panel_->settings();
  } catch (const OptionError& e) {
    show_error(describe_option_error(e));
    return std::nullopt;
  }
}

void MainWindow::show_error(const QString& message, bool offer_weights) {
  last_error_ = message;
  error_text_->setText(message);
  error_weights_->setVisible(offer_weights);
  error_banner_->show();
  status_text_->setText(tr("Error"));
}

void MainWindow::clear_error() {
  last_error_.clear();
  error_banner_->hide();
}

void MainWindow::add_recent(const QString& source, const QString& target) {
  const QString entry = QFileInfo(source).absoluteFilePath() + '\n' + QFileInfo(target).absoluteFilePath();
  recent_.removeAll(entry);
  recent_.prepend(entry);
  while (recent_.size() > kMaxRecent) recent_.removeLast();
  rebuild_recent_menu();
}

void MainWindow::rebuild_recent_menu() {
  recent_menu_->clear();
  for (const QString& entry : recent_) {
    const QStringList paths = entry.split('\n');
    if (paths.size() != 2) continue;
    recent_menu_->addAction(
        QFileInfo(paths[0]).fileName() + QStringLiteral(" → ") + QFileInfo(paths[1]).fileName(), this,
        [this, paths] { open_images(paths[0], paths[1]); });
  }
  recent_menu_->setEnabled(!recent_.isEmpty());
  start_->set_recent(recent_);
}

void MainWindow::ask_open_images() {
  QSettings store;
  const QString dir = store.value("last_dir").toString();
  const QStringList files = QFileDialog::getOpenFileNames(this,
                                                          tr("Choose the source image, then the target image "
                                                             "(or both at once)"),
                                                          dir, tr(kImageFilter));
  if (files.isEmpty()) return;
  QString source = files[0], target;
  if (files.size() >= 2) {
    target = files[1];
  } else {
    target = QFileDialog::getOpenFileName(this, tr("Choose the target image"), QFileInfo(source).path(),
                                          tr(kImageFilter));
    if (target.isEmpty()) return;
  }
  store.setValue("last_dir", QFileInfo(source).path());
  open_images(source, target);
}

void MainWindow::ask_open_dataset() {
  DatasetPairDialog dialog(this);
  QSettings store;
  dialog.set_location(store.value("dataset/kind").toString(), store.value("dataset/root").toString());
  if (dialog.exec() != QDialog::Accepted) return;
  store.setValue("dataset/kind", dialog.kind());
  store.setValue("dataset/root", dialog.root());
  if (const auto pair = dialog.selected_pair()) open_dataset_pair(dialog.dataset(), *pair);
}

void MainWindow::ask_weights_file() {
  const QString file =
      QFileDialog::getOpenFileName(this, tr("Weights file for %1").arg(session_.settings().backbone),
                                   QString(), tr("PyTorch checkpoints (*.pth *.pt);;All files (*)"));
  if (file.isEmpty()) return;
  std::optional<MatchSettings> s = dock_settings();
  if (!s) return;
  s->weights_path = file;
  apply_settings(*s);
  refresh_weights_status();
  clear_error();
  if (session_.has_pair()) session_.compute();
}

void MainWindow::download_weights() {
  const QString backbone = settings_panel_->backbone();
  WeightsEntry entry;
  try {
    entry = default_weights(backbone.toStdString());
  } catch (const std::exception& e) {
    show_error(QString::fromStdString(e.what()));
    return;
  }
  clear_error();
  status_text_->setText(tr("Downloading %1…").arg(QString::fromStdString(entry.file_name)));
  downloads_.start(tr("Download"), [this, entry](const JobContext& ctx) -> JobRunner::Delivery {
    std::filesystem::path path;
    try {
      path = hpf::download_weights(
          entry,
          [&ctx, &entry](int64_t done, int64_t total) {
            ctx.report(done, total > 0 ? total : entry.approx_bytes,
                       "downloading " + entry.file_name + ": " + std::to_string(done / 1000000) + " MB");
          },
          ctx.cancel_requested);
    } catch (const WeightsDownloadCancelled&) {
      throw JobCancelled();
    }
    return [this, path] {
      std::optional<MatchSettings> s = dock_settings();
      if (!s) return;
      s->weights_path.clear();  // the cache now has it
      apply_settings(*s);
      refresh_weights_status();
      status_text_->setText(tr("Weights saved to %1").arg(QString::fromStdString(path.string())));
      if (session_.has_pair()) session_.compute();
    };
  });
}

bool MainWindow::export_figure_to(const QString& path) {
  try {
    hpf::export_figure(*view_->scene(), view_->visible_figure_rect(), path);
    status_text_->setText(tr("Saved %1").arg(path));
    return true;
  } catch (const std::exception& e) {
    show_error(tr("Could not export the figure: %1").arg(QString::fromStdString(e.what())));
    return false;
  }
}

bool MainWindow::export_json_to(const QString& path) {
  try {
    write_file_atomically(path.toStdString(), session_.report_json().toStdString());
    status_text_->setText(tr("Saved %1").arg(path));
    return true;
  } catch (const std::exception& e) {
    show_error(tr("Could not export the results: %1").arg(QString::fromStdString(e.what())));
    return false;
  }
}

void MainWindow::ask_export_figure() {
  QString selected;
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Export figure"), QStringLiteral("figure.png"),
      tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"), &selected);
  if (!path.isEmpty()) export_figure_to(path);
}

void MainWindow::ask_export_json() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Export results"),
                                                    QStringLiteral("matches.json"), tr("JSON (*.json)"));
  if (!path.isEmpty()) export_json_to(path);
}

void MainWindow::show_about() {
  QMessageBox::about(
      this, tr("About Hyperpixel Studio"),
      tr("<h3>Hyperpixel Studio %1</h3>"
         "<p>Semantic correspondence with Hyperpixel Flow.</p>"
         "<p>Juhong Min, Jongmin Lee, Jean Ponce, Minsu Cho. <i>Hyperpixel Flow: Semantic Correspondence "
         "with "
         "Multi-layer Neural Features.</i> ICCV 2019.</p>"
         "<pre>@inproceedings{min2019hyperpixel,\n  title={Hyperpixel Flow: Semantic Correspondence with "
         "Multi-layer Neural Features},\n  author={Min, Juhong and Lee, Jongmin and Ponce, Jean and Cho, "
         "Minsu},\n"
         "  booktitle={ICCV},\n  year={2019}\n}</pre>"
         "<p>LibTorch %2 · OpenCV %3 · Qt %4 (built with %5)</p>")
          .arg(QApplication::applicationVersion(), QString::fromStdString(torch_version()),
               QStringLiteral(CV_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR)));
}

void MainWindow::save_state() {
  if (!restore_) return;
  QSettings store;
  session_.settings().save(store);
  store.setValue("recent", recent_);
  store.setValue("window/geometry", saveGeometry());
  store.setValue("window/state", saveState());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  try {
    session_.set_settings(settings_panel_->settings());
  } catch (const OptionError&) {
    // The dock holds an unreadable layer set: keep the last applied settings.
  }
  save_state();
  session_.cancel();
  downloads_.cancel_all();
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  QStringList files;
  for (const QUrl& url : event->mimeData()->urls()) {
    if (url.isLocalFile()) files << url.toLocalFile();
  }
  if (files.size() >= 2) {
    pending_drop_.clear();
    open_images(files[0], files[1]);
  } else if (files.size() == 1) {
    if (pending_drop_.isEmpty()) {
      pending_drop_ = files[0];
      status_text_->setText(tr("Source: %1 — now drop the target image").arg(QFileInfo(files[0]).fileName()));
    } else {
      const QString source = pending_drop_;
      pending_drop_.clear();
      open_images(source, files[0]);
    }
  }
  event->acceptProposedAction();
}

}  // namespace hpf
