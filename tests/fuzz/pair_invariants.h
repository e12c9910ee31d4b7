#pragma once
// What every reader promises about the pairs it returns (datasets/dataset.h), checked on each fuzz input
// that a reader accepts: a violation traps, so libFuzzer records the input as a crash.

#include "datasets/dataset.h"

#include <cmath>
#include <vector>

namespace hpf::fuzz {

inline void check_pairs(const std::vector<PairAnnotation>& pairs, AnnotationKind kind) {
  for (const PairAnnotation& pair : pairs) {
    if (pair.source_image.empty() || pair.target_image.empty()) __builtin_trap();
    if (kind == AnnotationKind::Keypoints) {
      // Rows invisible in either image are dropped, so what remains is matched, finite and non-empty.
      if (pair.source_kps.empty() || pair.source_kps.size() != pair.target_kps.size() ||
          pair.kps_ids.size() != pair.source_kps.size()) {
        __builtin_trap();
      }
      for (size_t i = 0; i < pair.source_kps.size(); ++i) {
        if (!std::isfinite(pair.source_kps[i].x) || !std::isfinite(pair.source_kps[i].y) ||
            !std::isfinite(pair.target_kps[i].x) || !std::isfinite(pair.target_kps[i].y)) {
          __builtin_trap();
        }
      }
    }
  }
}

}  // namespace hpf::fuzz
