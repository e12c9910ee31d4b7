#pragma once
// The "Datasets" tab: open a benchmark (folder or archive), filter its pairs by split, category and SPair-71k
// difficulty flags, see the statistics of the filtered pairs, browse them in a sortable table with lazy
// thumbnails, and open one in the pair view. Annotations load and filters apply on a worker thread, so a
// 70k-pair split never freezes the window.

#include "datasets/dataset.h"
#include "datasets/statistics.h"
#include "ui/job_runner.h"
#include "ui/pair_filter.h"

#include <QWidget>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QTableView;
class QTimer;

namespace hpf {

class PairTableModel;
class StatisticsTable;
class ThumbnailLoader;

// What a load delivers to the GUI thread.
struct BrowserData {
  std::shared_ptr<const Dataset> dataset;
  std::string split;
  std::vector<std::string> splits;
  std::shared_ptr<const std::vector<PairAnnotation>> pairs;
  DatasetStatistics split_statistics;
};

class DatasetBrowser : public QWidget {
  Q_OBJECT
 public:
  // Runs on the worker thread; throws to report an error.
  using Loader = std::function<BrowserData(const JobContext&)>;

  explicit DatasetBrowser(QWidget* parent = nullptr);
  ~DatasetBrowser() override;

  // Opens `kind` at `location` (a folder or an archive) on the worker; `split` empty: the dataset's default.
  void open_dataset(const QString& kind, const QString& location, const QString& split = {});
  // Fills in the kind and location fields without opening (restored from the last session).
  void set_location(const QString& kind, const QString& location);
  // Loads through `loader` instead (tests, embedding).
  void open_with(const QString& title, Loader loader);
  // Reloads the pairs of another split of the open dataset.
  void set_split(const QString& split);
  // Shows the filter in the controls and applies it (on the worker).
  void set_filter(const PairFilter& filter);
  PairFilter filter() const;

  bool busy() const { return runner_.pending() > 0; }
  std::shared_ptr<const Dataset> dataset() const { return data_.dataset; }
  QString kind() const;
  QString location() const;
  QString split() const { return QString::fromStdString(data_.split); }
  std::shared_ptr<const std::vector<PairAnnotation>> pairs() const { return data_.pairs; }
  // Indices into pairs() of the filtered pairs, in file order (the table may show them in another order).
  std::shared_ptr<const std::vector<int>> filtered_rows() const { return rows_; }
  const DatasetStatistics& filtered_statistics() const { return filtered_stats_; }
  bool has_difficulty_flags() const { return has_flags_; }

  // Each pair's PCK from a run (pair id -> value at `alpha`) in the PCK column; empty map clears it.
  void set_pck(const std::unordered_map<std::string, double>& pck_by_id, const QString& alpha);
  void set_warnings(const std::unordered_map<std::string, std::vector<std::string>>& warnings_by_id);

  QTableView* table() const { return table_; }
  PairTableModel* model() const { return model_; }
  StatisticsTable* statistics() const { return stats_; }
  ThumbnailLoader* thumbnails() const { return thumbnails_; }
  QString status_text() const;

  // The pair shown at `row` of the (filtered, sorted) table; nullptr when out of range.
  const PairAnnotation* pair_at_row(int row) const;
  // Opens the pair at `row` of the table in the pair view (emits pair_activated).
  void activate_row(int row);

 Q_SIGNALS:
  void loaded();
  void filter_applied();
  // The table shows a new set or order of rows (after a load, a filter or a sort).
  void rows_changed();
  void failed(const QString& message);
  void pair_activated(std::shared_ptr<const Dataset> dataset, const PairAnnotation& pair);

 private:
  // The constructor's steps.
  QHBoxLayout* build_source_row();
  QHBoxLayout* build_filter_row();
  QHBoxLayout* build_flag_row();
  QSplitter* build_pairs_area();
  QTableView* build_pair_table(QWidget* parent);
  void connect_filter_controls();
  void connect_pair_table();
  void connect_runner();

  void load(const QString& title, Loader loader);
  void on_loaded(BrowserData data);
  void apply_filter();
  void sort_rows_by(int column, Qt::SortOrder order);
  void show_rows(std::shared_ptr<const std::vector<int>> rows);
  void read_filter_controls();
  void show_details();
  void show_download_help();
  void set_status(const QString& text, bool error = false);

  JobRunner runner_;
  ThumbnailLoader* thumbnails_;
  PairTableModel* model_;
  QComboBox* kind_;
  QLineEdit* location_;
  QComboBox* split_;
  QComboBox* category_;
  std::vector<QComboBox*> flag_boxes_;  // per DifficultyFlag
  QLineEdit* text_;
  QLabel* count_;
  QTableView* table_;
  StatisticsTable* stats_;
  QLabel* details_;
  QLabel* status_;
  QPushButton* open_pair_;
  QTimer* text_timer_;

  BrowserData data_;
  PairFilter filter_;
  std::shared_ptr<const std::vector<int>> rows_;
  DatasetStatistics filtered_stats_;
  bool has_flags_ = false;
  quint64 filter_job_ = 0;
  quint64 sort_job_ = 0;
};

}  // namespace hpf
