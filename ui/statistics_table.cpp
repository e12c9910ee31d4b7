#include "ui/statistics_table.h"

#include "ui/pair_filter.h"
#include "ui/table_csv.h"

#include <QHeaderView>

namespace hpf {

namespace {
constexpr int kKeyRole = Qt::UserRole;  // "Viewpoint: hard": the row's stable name
}

StatisticsTable::StatisticsTable(QWidget* parent) : QTableWidget(0, 3, parent) {
  setHorizontalHeaderLabels({tr("Statistics"), tr("Filtered"), tr("Split")});
  horizontalHeader()->setSectionResizeMode(Label, QHeaderView::Stretch);
  horizontalHeader()->setSectionResizeMode(Filtered, QHeaderView::ResizeToContents);
  horizontalHeader()->setSectionResizeMode(Split, QHeaderView::ResizeToContents);
  verticalHeader()->hide();
  verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  setSelectionMode(QAbstractItemView::NoSelection);
  setToolTip(
      tr("Pairs per difficulty flag value and per category, for the filtered pairs and the whole split "
         "(as in the SPair-71k paper's statistics table)"));
}

void StatisticsTable::add_row(const QString& key, const QString& text, size_t filtered, size_t split,
                              bool heading) {
  const int row = rowCount();
  insertRow(row);
  auto* label = new QTableWidgetItem(heading ? text : QStringLiteral("    ") + text);
  label->setData(kKeyRole, key);
  QFont font = label->font();
  font.setBold(heading);
  label->setFont(font);
  setItem(row, Label, label);
  for (const auto& [column, value] : {std::pair{Filtered, filtered}, std::pair{Split, split}}) {
    auto* item = new QTableWidgetItem(QString::number(value));
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    item->setFont(font);
    setItem(row, column, item);
  }
}

void StatisticsTable::set_statistics(const DatasetStatistics& filtered, const DatasetStatistics& split,
                                     bool with_flags) {
  setUpdatesEnabled(false);
  setRowCount(0);
  add_row(QStringLiteral("Pairs"), tr("Pairs"), filtered.pairs, split.pairs, true);
  add_row(QStringLiteral("Keypoints"), tr("Keypoints"), filtered.keypoints, split.keypoints, true);
  const auto count = [](const std::map<int, size_t>& m, int v) {
    const auto it = m.find(v);
    return it == m.end() ? size_t(0) : it->second;
  };
  if (with_flags) {
    for (DifficultyFlag flag : kDifficultyFlags) {
      const QString title = flag_title(flag);
      add_row(title, title, filtered.pairs, split.pairs, true);
      for (int v : flag_values(flag)) {
        const QString label = flag_value_label(flag, v);
        add_row(title + QStringLiteral(": ") + label, label, count(flag_counts(filtered, flag), v),
                count(flag_counts(split, flag), v));
      }
    }
  }
  add_row(QStringLiteral("Categories"), tr("Categories"), filtered.per_category.size(),
          split.per_category.size(), true);
  for (const auto& [category, n] : split.per_category) {
    const auto it = filtered.per_category.find(category);
    const QString name = QString::fromStdString(category);
    add_row(QStringLiteral("Category: ") + name, name, it == filtered.per_category.end() ? 0 : it->second, n);
  }
  setUpdatesEnabled(true);
}

long long StatisticsTable::filtered_count(const QString& row_label) const {
  for (int r = 0; r < rowCount(); ++r) {
    if (item(r, Label)->data(kKeyRole).toString() == row_label) return item(r, Filtered)->text().toLongLong();
  }
  return -1;
}

QString StatisticsTable::to_csv() const {
  QStringList lines{csv_row({tr("row"), tr("filtered"), tr("split")})};
  for (int r = 0; r < rowCount(); ++r) {
    lines << csv_row(
        {item(r, Label)->data(kKeyRole).toString(), item(r, Filtered)->text(), item(r, Split)->text()});
  }
  return lines.join('\n') + '\n';
}

}  // namespace hpf
