#include "datasets/folder_source.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "datasets/dataset_error.h"

namespace hpf {
namespace {

// Breadth-first so that the shallowest folder holding the marker wins; two levels covers the usual
// "downloads/SPair-71k/" and "downloads/PF-WILLOW/PF-WILLOW/" nestings without walking a whole disk.
QString find_marker_folder(const QString& folder, const QString& marker) {
  QStringList level{folder};
  for (int depth = 0; depth <= 2 && !level.isEmpty(); ++depth) {
    QStringList next;
    for (const QString& candidate : level) {
      if (QFileInfo::exists(candidate + "/" + marker)) return candidate;
      const QDir dir(candidate);
      for (const QString& child : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        next << candidate + "/" + child;
      }
    }
    level = next;
  }
  return {};
}

}  // namespace

FolderSource::FolderSource(const std::string& folder, const std::string& marker) {
  const QString absolute = QFileInfo(QString::fromStdString(folder)).absoluteFilePath();
  const QString found = find_marker_folder(absolute, QString::fromStdString(marker));
  if (found.isEmpty()) {
    throw DatasetError("folder " + folder + ": no '" + marker +
                       "' in it or in its subfolders (up to two levels); is this the right dataset folder?");
  }
  root_ = QDir::cleanPath(found).toStdString();
}

std::string FolderSource::location(const std::string& relative_path) const {
  return root_ + "/" + relative_path;
}

bool FolderSource::exists(const std::string& relative_path) const {
  const std::string path = normalize_relative_path(relative_path, "folder " + root_);
  return QFileInfo(QString::fromStdString(root_ + "/" + path)).isFile();
}

std::vector<uint8_t> FolderSource::read(const std::string& relative_path) const {
  const std::string path = normalize_relative_path(relative_path, "folder " + root_);
  QFile file(QString::fromStdString(root_ + "/" + path));
  if (!QFileInfo(file).isFile()) throw DatasetError(location(path) + ": file not found");
  if (!file.open(QIODevice::ReadOnly)) {
    throw DatasetError(location(path) + ": cannot open: " + file.errorString().toStdString());
  }
  const QByteArray bytes = file.readAll();
  if (file.error() != QFileDevice::NoError) {
    throw DatasetError(location(path) + ": read failed: " + file.errorString().toStdString());
  }
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

}  // namespace hpf
