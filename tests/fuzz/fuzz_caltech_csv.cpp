// Fuzzes the Caltech-101 reader on its pair file (test_pairs_caltech_with_category.csv, mask polygons as
// quoted number lists) in a scratch dataset folder. The only acceptable failure is a DatasetError.

#include "datasets/caltech.h"
#include "tests/fuzz/fuzz_scratch.h"
#include "tests/fuzz/pair_invariants.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hpf::fuzz::write_scratch_file("caltech/test_pairs_caltech_with_category.csv", data, size);
  try {
    const auto dataset = hpf::open_caltech(hpf::fuzz::scratch_dir() + "/caltech");
    hpf::fuzz::check_pairs(dataset->pairs("test"), dataset->annotation_kind());
  } catch (const hpf::DatasetError&) {
  }
  return 0;
}
