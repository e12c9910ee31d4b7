#pragma once
// The "Evaluation" tab: runs the core's evaluation job on the dataset browser's current dataset and filter
// (progress, ETA, cancel, resume), shows the results live as they are written (PCK curves overall, per
// category and per difficulty value; per-category and per-difficulty tables), loads a previous run's folder,
// compares two runs, and exports charts, tables, the report and a zip bundle of everything.

#include "core/eval/eval_options.h"
#include "core/pipeline/progress_rate.h"
#include "ui/backbone_service.h"
#include "ui/export_bundle.h"
#include "ui/job_runner.h"
#include "ui/pck_chart.h"
#include "ui/run_data.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QWidget>

#include <functional>
#include <memory>
#include <optional>

class QComboBox;
class QGridLayout;
class QGroupBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QSplitter;
class QTableWidget;
class QTabWidget;
class QTimer;
class QToolButton;

namespace hpf {

class DatasetBrowser;

class EvalPanel : public QWidget {
  Q_OBJECT
 public:
  enum class Table { PerCategory, PerDifficulty, Comparison };

  explicit EvalPanel(DatasetBrowser* browser, QWidget* parent = nullptr);
  ~EvalPanel() override;

  // Where the model settings come from (the settings dock).
  void set_settings_provider(std::function<std::optional<MatchSettings>()> provider) {
    settings_ = std::move(provider);
  }
  // Runs with this network instead of loading one (tests).
  // The networks this panel runs with (by default its own; the main window shares one with every panel).
  void set_backbone_service(std::shared_ptr<BackboneService> service) { backbones_ = std::move(service); }
  // Runs with `backbone` whatever the settings say (tests).
  void set_backbone(std::shared_ptr<Backbone> backbone) { backbones_->inject(std::move(backbone)); }
  // Extra entries for the bundle (e.g. the pair view's figure).
  void set_extra_bundle_entries(std::function<std::vector<BundleEntry>()> provider) {
    extra_entries_ = std::move(provider);
  }

  // Evaluates the browser's filtered pairs into `output_dir` (empty: a new folder under the application's
  // data location). Returns false and shows why when it cannot start.
  bool run(const QString& output_dir = {});
  // Continues the last cancelled or interrupted run (or the run in the output folder field).
  bool resume();
  void cancel();
  bool busy() const { return job_ != 0; }

  // Loads a run's output folder as the current run, or as the second run of a comparison.
  void load_run(const QString& folder);
  void load_comparison(const QString& folder);
  void clear_comparison();
  // Shows `data` directly (current or comparison run).
  void show_run(RunData data);
  void show_comparison(RunData data);

  const std::optional<RunData>& current_run() const { return current_; }
  const std::optional<RunData>& comparison_run() const { return compare_; }
  QString output_dir() const;
  void set_alphas(const QString& alphas);
  void set_limit(int limit);

  // Chart views: "overall", "per_category", and a flag key for each difficulty flag the run has.
  QStringList chart_views() const;
  void set_chart_view(const QString& view);
  ChartContent chart_content(const QString& view) const;
  PckChart* chart() const { return chart_; }
  QTableWidget* table(Table which) const;

  // Exports (false + last_error() on failure). The chart is the one on screen; its format follows the suffix.
  bool export_chart_to(const QString& path);
  bool export_chart_csv_to(const QString& path);
  bool export_table_to(Table which, const QString& path);
  bool export_report_to(const QString& path);
  bool export_bundle_to(const QString& path);
  // Everything the bundle holds, by entry name.
  std::vector<BundleEntry> bundle_entries() const;
  QString last_error() const { return last_error_; }
  QString status_text() const;

 Q_SIGNALS:
  void run_finished();  // a run completed and its results are shown
  void run_cancelled();
  void run_failed(const QString& message);
  void results_changed();  // the current or comparison run changed (live updates included)
  void busy_changed(bool busy);

 private:
  // What the Export menu offers.
  enum class Export { Chart, ChartCsv, TableShown, Report, Bundle };

  // The constructor's steps.
  QGroupBox* build_run_box();
  void add_run_options(QWidget* run_box, QGridLayout* form);
  QHBoxLayout* build_run_buttons(QWidget* run_box);
  QHBoxLayout* build_runs_bar();
  QToolButton* build_export_button();
  QSplitter* build_chart_and_tables();
  void set_up_live_updates();
  void connect_runner();
  void track_browser_input();

  struct Input;
  bool start(std::shared_ptr<Input> input);
  std::shared_ptr<Input> current_input(const QString& output_dir, QString* error) const;
  void on_progress(qint64 done, qint64 total);
  void poll_live();
  void refresh();
  void fill_tables();
  void fill_category_table();
  void fill_difficulty_table();
  void fill_comparison_table();
  void show_error(const QString& message);
  void set_status(const QString& text);
  // Asks where to save (proposing `file_name`, offering `filter`), then exports `kind` there.
  void ask_export(Export kind, const char* file_name, const char* filter);
  // Writes `contents()` to `path`; when that throws, shows `failure` with the reason as %1 and returns false.
  bool save_export(const QString& path, const QString& failure, const std::function<std::string()>& contents);

  DatasetBrowser* browser_;
  std::function<std::optional<MatchSettings>()> settings_;  // nullopt: invalid, already reported
  std::function<std::vector<BundleEntry>()> extra_entries_;
  std::shared_ptr<BackboneService> backbones_ = std::make_shared<BackboneService>();
  JobRunner runner_;
  quint64 job_ = 0;
  std::shared_ptr<Input> last_input_;

  // Live results: pairs.jsonl is tailed off the GUI thread while the job runs.
  struct Live;
  std::shared_ptr<Live> live_;
  QTimer* live_timer_;
  QFutureWatcher<std::shared_ptr<RunData>> live_watcher_;
  QElapsedTimer eta_clock_;  // started at the run's first progress report
  ProgressRate rate_;

  std::optional<RunData> current_, compare_;
  QString last_error_;

  QLabel* input_label_;
  QLineEdit* output_;
  QLineEdit* alphas_;
  QComboBox* pck_kind_;
  QComboBox* threshold_;
  QSpinBox* limit_;
  QPushButton* run_button_;
  QPushButton* cancel_button_;
  QPushButton* resume_button_;
  QProgressBar* progress_;
  QLabel* status_;
  QLabel* runs_label_;
  QComboBox* view_;
  PckChart* chart_;
  QTabWidget* tables_;
  QTableWidget* category_table_;
  QTableWidget* difficulty_table_;
  QTableWidget* compare_table_;
};

}  // namespace hpf
