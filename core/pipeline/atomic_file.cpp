#include "core/pipeline/atomic_file.h"

#include <QDir>
#include <QSaveFile>

#include <stdexcept>

namespace hpf {

void write_file_atomically(const std::string& path, const std::string& content) {
  QSaveFile file(QString::fromStdString(path));
  if (!file.open(QIODevice::WriteOnly)) {
    throw std::runtime_error(path + ": cannot write: " + file.errorString().toStdString());
  }
  if (file.write(content.data(), static_cast<qint64>(content.size())) != static_cast<qint64>(content.size())) {
    const std::string reason = file.errorString().toStdString();
    file.cancelWriting();
    throw std::runtime_error(path + ": write failed: " + reason);
  }
  if (!file.commit()) throw std::runtime_error(path + ": could not be saved: " + file.errorString().toStdString());
}

void ensure_directory(const std::string& dir) {
  if (!QDir().mkpath(QString::fromStdString(dir))) throw std::runtime_error(dir + ": cannot create directory");
}

}  // namespace hpf
