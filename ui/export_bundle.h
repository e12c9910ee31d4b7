#pragma once
// The one-click bundle: every current figure, chart, table and report in one .zip (QuaZip), written
// atomically, with a manifest listing the entries.

#include <QByteArray>
#include <QString>

#include <vector>

namespace hpf {

struct BundleEntry {
  QString name;  // path inside the zip, "charts/pck_overall.png"
  QByteArray bytes;
};

// The zip archive of `entries` plus "MANIFEST.txt" (one line per entry: name and size). Throws
// std::runtime_error for a duplicate or empty name or when QuaZip fails.
QByteArray zip_bundle(const std::vector<BundleEntry>& entries);

// zip_bundle() written atomically to `path`; throws std::runtime_error naming the file.
void write_bundle(const QString& path, const std::vector<BundleEntry>& entries);

}  // namespace hpf
