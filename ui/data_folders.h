#pragma once
// Where the application writes by default: ~/.local/share/hyperpixel-studio/<kind> on Linux (runs, searches).
// Qt's AppLocalDataLocation would nest the organisation and the application name
// (.../HyperpixelStudio/hyperpixel-studio), which name the same thing twice.

#include <QStandardPaths>
#include <QString>

namespace hpf {

inline QString studio_data_folder(const QString& kind) {
  return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
         QStringLiteral("/hyperpixel-studio/") + kind;
}

}  // namespace hpf
