#include "ui/export_bundle.h"

#include "core/fileio/atomic_file.h"

#include <quazip/quazip.h>
#include <quazip/quazipfile.h>
#include <quazip/quazipnewinfo.h>

#include <QBuffer>
#include <QDateTime>

#include <set>
#include <stdexcept>

namespace hpf {

QByteArray zip_bundle(const std::vector<BundleEntry>& entries) {
  std::set<QString> names;
  QString manifest = QStringLiteral("Hyperpixel Studio export, %1\n\n")
                         .arg(QDateTime::currentDateTime().toString(Qt::ISODate));
  for (const BundleEntry& e : entries) {
    if (e.name.isEmpty() || e.name.startsWith('/') || e.name.contains(QLatin1String(".."))) {
      throw std::runtime_error("bundle: invalid entry name '" + e.name.toStdString() + "'");
    }
    if (!names.insert(e.name).second)
      throw std::runtime_error("bundle: duplicate entry '" + e.name.toStdString() + "'");
    manifest += QStringLiteral("%1\t%2 bytes\n").arg(e.name).arg(e.bytes.size());
  }
  std::vector<BundleEntry> all = entries;
  all.push_back({QStringLiteral("MANIFEST.txt"), manifest.toUtf8()});

  QByteArray bytes;
  QBuffer buffer(&bytes);
  QuaZip zip(&buffer);
  if (!zip.open(QuaZip::mdCreate)) {
    throw std::runtime_error("bundle: cannot start the zip archive (QuaZip error " +
                             std::to_string(zip.getZipError()) + ")");
  }
  for (const BundleEntry& e : all) {
    QuaZipFile file(&zip);
    QuaZipNewInfo info(e.name);
    info.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                        QFileDevice::ReadOther);
    if (!file.open(QIODevice::WriteOnly, info) || file.write(e.bytes) != e.bytes.size()) {
      throw std::runtime_error("bundle: cannot add '" + e.name.toStdString() + "' (QuaZip error " +
                               std::to_string(file.getZipError()) + ")");
    }
    file.close();
    if (file.getZipError() != 0) {
      throw std::runtime_error("bundle: cannot finish '" + e.name.toStdString() + "' (QuaZip error " +
                               std::to_string(file.getZipError()) + ")");
    }
  }
  zip.close();
  if (zip.getZipError() != 0) {
    throw std::runtime_error("bundle: cannot finish the zip archive (QuaZip error " +
                             std::to_string(zip.getZipError()) + ")");
  }
  return bytes;
}

void write_bundle(const QString& path, const std::vector<BundleEntry>& entries) {
  const QByteArray bytes = zip_bundle(entries);
  write_file_atomically(path.toStdString(), bytes.toStdString());
}

}  // namespace hpf
