#pragma once
// The dataset statistics beside the pair table, laid out like the SPair-71k paper's table: pairs per
// difficulty flag value and per category, for the filtered pairs and for the whole split.

#include "datasets/statistics.h"

#include <QTableWidget>

namespace hpf {

class StatisticsTable : public QTableWidget {
  Q_OBJECT
 public:
  enum Column { Label, Filtered, Split };
  explicit StatisticsTable(QWidget* parent = nullptr);

  // `with_flags`: show the SPair-71k difficulty rows (datasets without flags only have category rows).
  void set_statistics(const DatasetStatistics& filtered, const DatasetStatistics& split, bool with_flags);

  // The count shown for a row label such as "Viewpoint: hard" or "Category: cat" (-1 when absent), for tests.
  long long filtered_count(const QString& row_label) const;
  // "label,filtered,split" rows with a header line.
  QString to_csv() const;

 private:
  void add_row(const QString& key, const QString& text, size_t filtered, size_t split, bool heading = false);
};

}  // namespace hpf
