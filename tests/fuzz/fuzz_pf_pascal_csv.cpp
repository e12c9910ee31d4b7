// Fuzzes the PF-PASCAL reader on its pair file (test_pairs.csv) in a scratch dataset folder whose
// Annotations/ hold a few valid .mat files: a.jpg, b.jpg (aeroplane, 3 keypoints), c.jpg (aeroplane,
// 2 keypoints: counts differ from a/b), d.jpg (aeroplane, every keypoint invisible) and e.jpg (bicycle).
// The only acceptable failure is a DatasetError.

#include "datasets/pf_pascal.h"
#include "tests/fuzz/fuzz_scratch.h"
#include "tests/fuzz/pair_invariants.h"

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace {

void write_annotations() {
  const double nan = std::nan("");
  using hpf::fuzz::write_pascal_annotation;
  write_pascal_annotation("pascal/Annotations/aeroplane/a.mat", {10, 20, 30, 40, nan, nan}, {1, 2, 50, 60});
  write_pascal_annotation("pascal/Annotations/aeroplane/b.mat", {11, 21, nan, nan, 33, 44}, {0, 0, 70, 80});
  write_pascal_annotation("pascal/Annotations/aeroplane/c.mat", {5, 6, 7, 8}, {0, 0, 9, 9});
  write_pascal_annotation("pascal/Annotations/aeroplane/d.mat", {nan, nan, nan, nan, nan, nan}, {0, 0, 9, 9});
  write_pascal_annotation("pascal/Annotations/bicycle/e.mat", {1, 2, 3, 4, 5, 6}, {0, 0, 9, 9});
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  write_annotations();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hpf::fuzz::write_scratch_file("pascal/test_pairs.csv", data, size);
  try {
    const auto dataset = hpf::open_pf_pascal(hpf::fuzz::scratch_dir() + "/pascal");
    hpf::fuzz::check_pairs(dataset->pairs("test"), dataset->annotation_kind());
  } catch (const hpf::DatasetError&) {
  }
  return 0;
}
