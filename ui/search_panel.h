#pragma once
// The "Layer search" tab: runs the core's beam search over hyperpixel layer sets on the dataset browser's
// filtered pairs (progress, ETA, cancel, resume), or loads a search's output folder; shows each candidate as
// it is scored, the beam kept at each depth and the best set, which one click applies to the pair view.

#include "core/pipeline/progress_rate.h"
#include "core/search/search_folder.h"
#include "ui/backbone_service.h"
#include "ui/job_runner.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QWidget>

#include <functional>
#include <memory>
#include <optional>

class QChartView;
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
class QTimer;

namespace hpf {

class DatasetBrowser;

class SearchPanel : public QWidget {
  Q_OBJECT
 public:
  explicit SearchPanel(DatasetBrowser* browser, QWidget* parent = nullptr);
  ~SearchPanel() override;

  void set_settings_provider(std::function<std::optional<MatchSettings>()> provider) {
    settings_ = std::move(provider);
  }
  // The networks this panel runs with (by default its own; the main window shares one with every panel).
  void set_backbone_service(std::shared_ptr<BackboneService> service) { backbones_ = std::move(service); }
  // Runs with `backbone` whatever the settings say (tests).
  void set_backbone(std::shared_ptr<Backbone> backbone) { backbones_->inject(std::move(backbone)); }
  // Whether this build can run searches (the core's search library was built); loading works always.

  bool run(const QString& output_dir = {});
  bool resume();
  void cancel();
  bool busy() const { return job_ != 0; }
  void set_beam(int beam, int depth);
  // Score on the first `limit` filtered pairs only (0: all).
  void set_limit(int limit);

  void load_folder(const QString& folder);
  void show_results(SearchFolder results);
  const std::optional<SearchFolder>& results() const { return results_; }
  QTableWidget* table() const { return table_; }
  QChartView* chart() const { return chart_; }
  QString status_text() const;

 Q_SIGNALS:
  void apply_layers_requested(const LayerSet& layers);
  void results_changed();
  void run_finished();
  void run_cancelled();

 private:
  // The constructor's steps.
  QGroupBox* build_run_box();
  void add_run_options(QWidget* box, QGridLayout* grid);
  QHBoxLayout* build_run_buttons(QWidget* box);
  QHBoxLayout* build_best_row();
  QSplitter* build_chart_and_table();
  void set_up_live_updates();
  void connect_runner();

  bool start(const QString& output_dir, bool resume);
  void poll_live();
  void fill();
  void set_status(const QString& text, bool error = false);

  DatasetBrowser* browser_;
  std::function<std::optional<MatchSettings>()> settings_;  // nullopt: invalid, already reported
  std::shared_ptr<BackboneService> backbones_ = std::make_shared<BackboneService>();
  JobRunner runner_;
  quint64 job_ = 0;
  QString live_folder_;
  QTimer* live_timer_;
  QFutureWatcher<std::shared_ptr<SearchFolder>> live_watcher_;
  QElapsedTimer eta_clock_;  // started at the search's first progress report
  ProgressRate rate_;
  std::optional<SearchFolder> results_;

  QLineEdit* output_;
  QSpinBox* beam_;
  QSpinBox* depth_;
  QLineEdit* alpha_;
  QSpinBox* limit_;
  QPushButton* run_button_;
  QPushButton* cancel_button_;
  QPushButton* resume_button_;
  QProgressBar* progress_;
  QLabel* status_;
  QLabel* best_label_;
  QPushButton* apply_;
  QChartView* chart_;
  QTableWidget* table_;
};

}  // namespace hpf
