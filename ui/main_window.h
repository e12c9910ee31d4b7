#pragma once
// The application window: a start page until a pair is open, then the pair view and the hyperpixel layers
// view in tabs, the settings in a dock, progress and cancel in the status bar. Part 2 (dataset browser,
// evaluation panels) adds tabs and docks beside these.

#include "ui/pair_session.h"

#include <QMainWindow>

#include <memory>
#include <optional>
#include <vector>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QSlider;
class QStackedWidget;
class QTabWidget;

namespace hpf {

struct BundleEntry;
class DatasetBrowser;
class EvalPanel;
class FlowWheel;
class LayersPanel;
class SearchPanel;
class PairView;
class SettingsPanel;
class StartPage;

class QueryRows;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  // `restore` reads settings, window state and recent files from QSettings (tests pass false).
  explicit MainWindow(bool restore = true, QWidget* parent = nullptr);
  ~MainWindow() override;

  PairSession& session() { return session_; }
  PairView& pair_view() { return *view_; }
  LayersPanel& layers_panel() { return *layers_; }
  SettingsPanel& settings_panel() { return *settings_panel_; }
  DatasetBrowser& dataset_browser() { return *browser_; }
  EvalPanel& eval_panel() { return *eval_; }
  SearchPanel& search_panel() { return *search_; }
  // Leaves the start page and shows `tab` (one of the tab widgets above).
  void show_tab(QWidget* tab);

  // Applies settings (e.g. from the command line) to the panel and the session.
  void apply_settings(const MatchSettings& settings);
  // The networks of the pair view, the evaluation and the layer search (one service, shared by all three).
  void set_backbone_service(std::shared_ptr<BackboneService> service);
  // The settings dock's settings, or nullopt after showing what is wrong with them (an unreadable layer set).
  std::optional<MatchSettings> dock_settings();

  void open_images(const QString& source, const QString& target);
  void open_dataset_pair(std::shared_ptr<const Dataset> dataset, const PairAnnotation& pair);

  // Export the figure as shown (visible region) to PNG/SVG/PDF by suffix, or the results as JSON. Return
  // false and show the error on failure.
  bool export_figure_to(const QString& path);
  bool export_json_to(const QString& path);

  // The error currently shown (empty when none).
  QString last_error() const { return last_error_; }
  bool showing_start_page() const;
  void show_layers_tab();
  // Queries a source point as hovering it does (heatmap, boxes, the query rows below the view).
  void query_source_point(const QPointF& point);
  QueryRows& query_rows() { return *query_rows_; }
  // The current pair figure (PNG, SVG, PDF) and its results JSON, for the export bundle; empty without a
  // pair.
  std::vector<BundleEntry> pair_bundle_entries();

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  // The constructor's steps.
  void build_central_area();
  QWidget* build_error_banner(QWidget* parent);
  QStackedWidget* build_page_stack(QWidget* parent);
  void build_settings_dock();
  void build_status_bar();
  void add_settings_dock_toggle();
  void connect_start_page();
  void connect_jobs();
  void connect_settings_dock();
  void connect_layers_tab();
  void connect_dataset_panels();
  void connect_point_query();
  void restore_state();

  void build_actions();
  void build_pair_tab(QWidget* tab);
  void show_error(const QString& message, bool offer_weights = false);
  void clear_error();
  void on_result();
  void run_query();
  void refresh_evaluation();
  void refresh_weights_status();
  void add_recent(const QString& source, const QString& target);
  void rebuild_recent_menu();
  void ask_open_images();
  void ask_open_dataset();
  void ask_weights_file();
  void ask_export_figure();
  void ask_export_json();
  void download_weights();
  void show_about();
  void save_state();

  PairSession session_;
  JobRunner downloads_;
  QStackedWidget* stack_ = nullptr;
  StartPage* start_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  PairView* view_ = nullptr;
  LayersPanel* layers_ = nullptr;
  DatasetBrowser* browser_ = nullptr;
  EvalPanel* eval_ = nullptr;
  SearchPanel* search_ = nullptr;
  SettingsPanel* settings_panel_ = nullptr;
  QDockWidget* settings_dock_ = nullptr;
  FlowWheel* wheel_ = nullptr;
  QLabel* error_text_ = nullptr;
  QWidget* error_banner_ = nullptr;
  QPushButton* error_weights_ = nullptr;
  QLabel* query_info_ = nullptr;
  QueryRows* query_rows_ = nullptr;
  QLabel* status_text_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QMenu* recent_menu_ = nullptr;
  QList<QAction*> overlay_actions_;
  QAction* export_action_ = nullptr;
  QAction* export_json_action_ = nullptr;

  QString last_error_;
  QString pending_drop_;  // first of two dropped images
  QStringList recent_;
  std::optional<QPointF> pending_query_;
  std::optional<QPointF> pinned_;
  bool layers_stale_ = true;
  bool restore_ = true;
};

}  // namespace hpf
