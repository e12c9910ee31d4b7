// Fuzzes the zip dataset source (QuaZip underneath): the input is a .zip opened as a dataset and read member
// by member. The only acceptable failure is a DatasetError.

#include "tests/fuzz/fuzz_archive_members.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hpf::fuzz::open_and_read_archive(data, size, "input.zip");
  return 0;
}
