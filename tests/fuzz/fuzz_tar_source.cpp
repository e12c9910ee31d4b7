// Fuzzes the tar dataset source (libarchive underneath; gzip and the other filters are detected from the
// content, so plain .tar seeds reach the tar parser directly). The only acceptable failure is a DatasetError.

#include "tests/fuzz/fuzz_archive_members.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hpf::fuzz::open_and_read_archive(data, size, "input.tar.gz");
  return 0;
}
