// Fuzzes the PF-WILLOW reader on its pair file (test_pairs.csv) in a scratch dataset folder. The only
// acceptable failure is a DatasetError.

#include "datasets/pf_willow.h"
#include "tests/fuzz/fuzz_scratch.h"
#include "tests/fuzz/pair_invariants.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hpf::fuzz::write_scratch_file("willow/test_pairs.csv", data, size);
  try {
    // Opened per input: opening only locates the marker file, and must cope with any content too.
    const auto dataset = hpf::open_pf_willow(hpf::fuzz::scratch_dir() + "/willow");
    hpf::fuzz::check_pairs(dataset->pairs("test"), dataset->annotation_kind());
  } catch (const hpf::DatasetError&) {
  }
  return 0;
}
