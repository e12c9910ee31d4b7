#include "core/weights/file_sha256.h"

#include "core/weights/weights_error.h"

#include <QCryptographicHash>
#include <QFile>

namespace hpf {

std::string file_sha256_hex(const std::filesystem::path& file) {
  QFile in(QString::fromStdString(file.string()));
  if (!in.open(QIODevice::ReadOnly)) {
    throw WeightsError("cannot read " + file.string() + " to check its hash (" +
                       in.errorString().toStdString() + ")");
  }
  QCryptographicHash hash(QCryptographicHash::Sha256);
  if (!hash.addData(&in)) throw WeightsError("cannot read " + file.string() + " to check its hash");
  return hash.result().toHex().toStdString();
}

}  // namespace hpf
