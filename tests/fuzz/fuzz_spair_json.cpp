// Fuzzes the SPair-71k reader on one pair annotation (PairAnnotation/test/<pair>.json) listed by a fixed
// Layout/large/test.txt in a scratch dataset folder. The only acceptable failure is a DatasetError.

#include "datasets/spair.h"
#include "tests/fuzz/fuzz_scratch.h"
#include "tests/fuzz/pair_invariants.h"

#include <cstddef>
#include <cstdint>

namespace {
const char kPair[] = "000001-2008_000585-2008_000008:aeroplane";
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  hpf::fuzz::write_scratch_file("spair/Layout/large/test.txt", std::string(kPair) + "\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hpf::fuzz::write_scratch_file(std::string("spair/PairAnnotation/test/") + kPair + ".json", data, size);
  try {
    const auto dataset = hpf::open_spair(hpf::fuzz::scratch_dir() + "/spair", "large");
    hpf::fuzz::check_pairs(dataset->pairs("test"), dataset->annotation_kind());
  } catch (const hpf::DatasetError&) {
  }
  return 0;
}
