#include "tests/fuzz/fuzz_archive_members.h"

#include "datasets/dataset_error.h"
#include "datasets/source.h"
#include "tests/fuzz/fuzz_scratch.h"

#include <vector>

namespace hpf::fuzz {

void open_and_read_archive(const uint8_t* data, size_t size, const std::string& file_name) {
  const std::string path = write_scratch_file(file_name, data, size);
  std::unique_ptr<DatasetSource> source;
  try {
    source = open_source(path, "test_pairs.csv");
  } catch (const DatasetError&) {
    return;
  }
  // The names the seed archives hold, plus paths that must never resolve outside the dataset root.
  static const char* const kPaths[] = {"test_pairs.csv", "a.txt",          "sub/b.json",  "img/c.png",
                                       "./sub//b.json",  "../outside.txt", "/etc/passwd", "sub/../../x"};
  for (const char* relative : kPaths) {
    const std::string name(relative);
    const bool escaping = name.rfind("../", 0) == 0 || name.front() == '/' || name.find("/../") != name.npos;
    try {
      const bool exists = source->exists(name);
      if (escaping) __builtin_trap();  // exists() must refuse such a path rather than answer
      const std::vector<uint8_t> bytes = source->read(name);
      if (!exists) __builtin_trap();  // read() found a member that exists() denied
    } catch (const DatasetError&) {
    }
  }
}

}  // namespace hpf::fuzz
