// Fuzzes read_checkpoint, the whole torch.save reader (zip layout, CRCs, data.pkl, storage sizes), in two
// modes chosen by the first input byte:
//  - even: the rest of the input is the checkpoint file itself (mutated zip archives);
//  - odd: the rest is data.pkl, wrapped by the harness into a well-formed archive that also holds the
//    storages data/0 (16 bytes), data/1 (64 bytes) and data/2 (0 bytes), so that pickles which parse go on
//    to the storage size and view checks.
// The only acceptable failure is a CheckpointError.

#include "core/checkpoint/checkpoint_reader.h"
#include "tests/fuzz/fuzz_scratch.h"

#include <quazip/quazip.h>
#include <quazip/quazipfile.h>
#include <quazip/quazipnewinfo.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace {

// Stored (uncompressed) records keep each iteration cheap; the reader handles both stored and deflated.
void write_zip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& records) {
  QuaZip zip(QString::fromStdString(path));
  if (!zip.open(QuaZip::mdCreate)) __builtin_trap();
  for (const auto& [name, content] : records) {
    QuaZipFile file(&zip);
    if (!file.open(QIODevice::WriteOnly, QuaZipNewInfo(QString::fromStdString(name)), nullptr, 0, 0)) {
      __builtin_trap();
    }
    file.write(content.data(), qint64(content.size()));
    file.close();
  }
  zip.close();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool wrap_pickle = (data[0] & 1) != 0;
  std::string path;
  if (wrap_pickle) {
    path = hpf::fuzz::scratch_dir() + "/wrapped.pth";
    write_zip(path, {{"archive/data.pkl", std::string(reinterpret_cast<const char*>(data + 1), size - 1)},
                     {"archive/data/0", std::string(16, '\x01')},
                     {"archive/data/1", std::string(64, '\x02')},
                     {"archive/data/2", std::string()},
                     {"archive/version", "3\n"},
                     {"archive/byteorder", "little"}});
  } else {
    path = hpf::fuzz::write_scratch_file("raw.pth", data + 1, size - 1);
  }
  try {
    const hpf::RawStateDict state = hpf::read_checkpoint(path);
    for (const auto& [name, tensor] : state) {
      if (!tensor.storage || tensor.shape.size() != tensor.stride.size()) __builtin_trap();
    }
  } catch (const hpf::CheckpointError&) {
  }
  return 0;
}
