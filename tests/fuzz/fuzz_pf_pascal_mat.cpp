// Fuzzes .mat parsing (matio underneath, via read_mat_matrix) through the PF-PASCAL reader: the input is the
// annotation of the source image a.jpg, read for its `kps` and `bbox` variables and paired with a valid
// b.jpg annotation. The only acceptable failure is a DatasetError.
//
// matio itself is a system library without coverage instrumentation: the fuzzer is guided by our code only,
// and ASan sees matio's memory errors only where they reach intercepted calls (memcpy, free, ...).

#include "datasets/pf_pascal.h"
#include "tests/fuzz/fuzz_scratch.h"
#include "tests/fuzz/pair_invariants.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  hpf::fuzz::write_scratch_file("mat/test_pairs.csv", "JPEGImages/a.jpg,JPEGImages/b.jpg,1\n");
  hpf::fuzz::write_pascal_annotation("mat/Annotations/aeroplane/b.mat", {11, 21, 22, 23}, {0, 0, 70, 80});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hpf::fuzz::write_scratch_file("mat/Annotations/aeroplane/a.mat", data, size);
  try {
    const auto dataset = hpf::open_pf_pascal(hpf::fuzz::scratch_dir() + "/mat");
    hpf::fuzz::check_pairs(dataset->pairs("test"), dataset->annotation_kind());
  } catch (const hpf::DatasetError&) {
  }
  return 0;
}
