#pragma once
// The dataset browser's table: the loaded split's pairs (thumbnail, id, category, images, keypoints, SPair
// difficulty flags, and each pair's PCK once a run has scored it), shown in a given row order. Which pairs
// are shown and in what order is computed on a worker thread (filter_pairs + sort_rows) and handed over
// whole: a QSortFilterProxyModel did both on the GUI thread and stalled the window for 0.6 s on 70k pairs.

#include "datasets/dataset.h"

#include <QAbstractTableModel>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace hpf {

class ThumbnailLoader;

// Orders `rows` (pair indices) by `column` of PairTableModel; ties keep ascending pair index. `pck` is
// indexed by pair (may be empty).
void sort_rows(std::vector<int>& rows, const std::vector<PairAnnotation>& pairs,
               const std::vector<double>& pck, int column, Qt::SortOrder order);

class PairTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    Thumbnail,
    Id,
    Category,
    Source,
    Target,
    Keypoints,
    Viewpoint,
    Scale,
    Truncation,
    Occlusion,
    Pck,
    ColumnCount
  };
  // Qt::UserRole on any column: the pair's index in pairs().
  static constexpr int kPairIndexRole = Qt::UserRole;

  explicit PairTableModel(ThumbnailLoader* thumbnails, QObject* parent = nullptr);

  // New pairs, every one shown in file order.
  void set_pairs(std::shared_ptr<const std::vector<PairAnnotation>> pairs);
  const std::vector<PairAnnotation>& pairs() const { return *pairs_; }
  // Shows the pairs at `rows` (indices into pairs()) in that order.
  void set_rows(std::shared_ptr<const std::vector<int>> rows);
  // The pair index shown at `row` (-1 when out of range) and the row showing pair `index` (-1 when hidden).
  int pair_index(int row) const;
  int row_of(int pair_index) const;

  // Each pair's PCK by pair id (at `alpha`), from a run; pairs without one show nothing. Empty map: clear.
  void set_pck(const std::unordered_map<std::string, double>& pck_by_id, const QString& alpha);
  // The run's warnings per pair id: a ⚠ beside the pair's PCK, the messages in its tooltip.
  void set_warnings(const std::unordered_map<std::string, std::vector<std::string>>& warnings_by_id);
  // By pair index; empty when no run.
  const std::vector<double>& pck_values() const { return pck_; }
  double pck(int pair_index) const;  // NaN when none

  int sort_column() const { return sort_column_; }
  Qt::SortOrder sort_order() const { return sort_order_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
  // Records the order and asks for it (sort_requested): the browser sorts on its worker and calls set_rows().
  void sort(int column, Qt::SortOrder order) override;

 Q_SIGNALS:
  void sort_requested(int column, Qt::SortOrder order);

 private:
  ThumbnailLoader* thumbnails_;
  std::shared_ptr<const std::vector<PairAnnotation>> pairs_;
  std::shared_ptr<const std::vector<int>> rows_;
  std::vector<int> row_of_;                                             // per pair index: its row, or -1
  std::vector<double> pck_;                                             // per pair index; empty when no run
  std::unordered_map<std::string, std::vector<std::string>> warnings_;  // by pair id
  QString pck_alpha_;
  int sort_column_ = Id;
  Qt::SortOrder sort_order_ = Qt::AscendingOrder;
};

}  // namespace hpf
