#include "ui/table_csv.h"

#include <QAbstractItemModel>

namespace hpf {

QString csv_row(const QStringList& fields) {
  QStringList out;
  for (QString f : fields) {
    if (f.contains(',') || f.contains('"') || f.contains('\n') || f.contains('\r')) {
      f.replace('"', QStringLiteral("\"\""));
      f = '"' + f + '"';
    }
    out << f;
  }
  return out.join(',');
}

QString model_csv(const QAbstractItemModel& model, bool row_headers) {
  QStringList lines;
  QStringList header;
  if (row_headers) header << QString();
  for (int c = 0; c < model.columnCount(); ++c) header << model.headerData(c, Qt::Horizontal).toString();
  lines << csv_row(header);
  for (int r = 0; r < model.rowCount(); ++r) {
    QStringList row;
    if (row_headers) row << model.headerData(r, Qt::Vertical).toString();
    for (int c = 0; c < model.columnCount(); ++c) row << model.data(model.index(r, c)).toString();
    lines << csv_row(row);
  }
  return lines.join('\n') + '\n';
}

}  // namespace hpf
