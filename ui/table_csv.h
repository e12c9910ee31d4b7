#pragma once
// CSV text of tables (RFC 4180 quoting), for the exports.

#include <QString>
#include <QStringList>

class QAbstractItemModel;

namespace hpf {

// One CSV line (no newline): fields with a comma, quote or line break are quoted, quotes doubled.
QString csv_row(const QStringList& fields);

// The model's display text with its horizontal header as the first line (and the vertical header as the first
// column when `row_headers`).
QString model_csv(const QAbstractItemModel& model, bool row_headers = false);

}  // namespace hpf
