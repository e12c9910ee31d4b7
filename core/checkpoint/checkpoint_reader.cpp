#include "core/checkpoint/checkpoint_reader.h"

#include "core/checkpoint/pickle_reader.h"
#include "core/checkpoint/raw_dtype.h"
#include "core/checkpoint/zip_records.h"

#include <QFile>
#include <QFileInfo>

#include <cstring>
#include <map>
#include <memory>

namespace hpf {

namespace {

// A state-dict pickle is ~150 bytes per tensor; 16 MiB is far beyond any real model.
constexpr uint64_t kMaxPickleBytes = uint64_t{16} << 20;
const char kSavedWithTorchSave[] = "a PyTorch checkpoint saved with torch.save is a zip file";

using Storage = std::shared_ptr<const std::vector<uint8_t>>;

// Rejects, with a specific message, files that are not zip archives: missing, empty, the pre-1.6 pickle or
// tar formats, or anything else.
void check_is_zip_file(const std::string& path) {
  const QString qpath = QString::fromStdString(path);
  if (QFileInfo(qpath).isDir()) throw std::runtime_error("is a directory, not a checkpoint file");
  QFile file(qpath);
  if (!file.open(QIODevice::ReadOnly)) {
    throw std::runtime_error("cannot open file (" + file.errorString().toStdString() + ")");
  }
  const QByteArray head = file.read(512);
  if (head.isEmpty()) throw std::runtime_error(std::string("file is empty (") + kSavedWithTorchSave + ")");
  const auto byte = [&](int i) { return i < head.size() ? static_cast<uint8_t>(head[i]) : 0; };
  if (head.startsWith("PK\x03\x04") || head.startsWith("PK\x05\x06")) return;
  // torch < 1.6 pickled a magic number straight into the file (PROTO opcode first); torch < 0.4 wrote a tar.
  const bool legacy_pickle = byte(0) == 0x80 && byte(1) >= 1 && byte(1) <= 5;
  const bool legacy_tar = head.size() >= 262 && std::memcmp(head.constData() + 257, "ustar", 5) == 0;
  if (legacy_pickle || legacy_tar) {
    throw std::runtime_error(
        "legacy (pre-1.6, non-zip) PyTorch checkpoint format not supported; re-save with torch>=1.6, e.g. "
        "torch.save(torch.load(f), f)");
  }
  throw std::runtime_error(std::string("not a zip archive (") + kSavedWithTorchSave + ")");
}

// The folder that holds data.pkl: torch.save names it after the file, but renamed files keep the old name.
std::string find_archive_folder(const ZipRecords& zip) {
  std::vector<std::string> found;
  for (const std::string& name : zip.names()) {
    const auto slash = name.find('/');
    if (slash != std::string::npos && slash > 0 && name.compare(slash, std::string::npos, "/data.pkl") == 0) {
      found.push_back(name);
    }
  }
  if (found.empty()) {
    throw std::runtime_error(
        "no data.pkl in archive (torch.save writes <folder>/data.pkl; is this a checkpoint?)");
  }
  if (found.size() > 1) {
    throw std::runtime_error("archive has " + std::to_string(found.size()) + " data.pkl records (" +
                             found[0] + ", " + found[1] + "); a checkpoint has one");
  }
  return found[0].substr(0, found[0].size() - std::strlen("/data.pkl"));
}

void check_byte_order(ZipRecords& zip, const std::string& folder) {
  const std::string name = folder + "/byteorder";
  if (!zip.contains(name)) return;  // torch < 1.13 did not write it; those files are little-endian
  const std::vector<uint8_t> bytes = zip.read(name, 16);
  const std::string order(bytes.begin(), bytes.end());
  if (order != "little") {
    throw std::runtime_error("byteorder record says '" + order +
                             "'; only little-endian checkpoints are supported");
  }
}

Storage load_storage(ZipRecords& zip, const std::string& folder, const PickledTensor& t) {
  const std::string short_name = "data/" + t.storage_key;
  const std::string name = folder + "/" + short_name;
  if (!zip.contains(name)) throw std::runtime_error("storage " + short_name + " is missing from the archive");
  const uint64_t expected = static_cast<uint64_t>(t.storage_numel * raw_dtype_itemsize(t.dtype));
  const uint64_t found = zip.declared_size(name);
  if (found != expected) {
    throw std::runtime_error("storage " + short_name + " has " + std::to_string(found) + " bytes, expected " +
                             std::to_string(expected) + " (" + std::to_string(t.storage_numel) +
                             " elements of " + raw_dtype_name(t.dtype) + ")");
  }
  return std::make_shared<const std::vector<uint8_t>>(zip.read(name, expected));
}

RawStateDict read_zip_checkpoint(const std::string& path) {
  check_is_zip_file(path);
  ZipRecords zip(path);
  const std::string folder = find_archive_folder(zip);
  check_byte_order(zip, folder);

  std::vector<PickledTensor> tensors;
  try {
    tensors = parse_state_dict_pickle(zip.read(folder + "/data.pkl", kMaxPickleBytes));
  } catch (const PickleError& e) {
    throw std::runtime_error(std::string("data.pkl ") + e.what());
  }

  RawStateDict state;
  std::map<std::string, Storage> storages;  // by key: views of one storage share its bytes
  for (const PickledTensor& t : tensors) {
    Storage& storage = storages[t.storage_key];
    if (!storage) storage = load_storage(zip, folder, t);
    RawTensor& raw = state[t.name];
    raw.dtype = t.dtype;
    raw.shape = t.shape;
    raw.stride = t.stride;
    raw.storage_offset = t.storage_offset;
    raw.storage = storage;
  }
  return state;
}

}  // namespace

RawStateDict read_checkpoint(const std::string& path) {
  try {
    return read_zip_checkpoint(path);
  } catch (const std::bad_alloc&) {
    throw CheckpointError(path + ": out of memory while reading the checkpoint");
  } catch (const std::exception& e) {
    throw CheckpointError(path + ": " + e.what());
  }
}

}  // namespace hpf
