#pragma once

#include <map>
#include <string>
#include <vector>

#include "datasets/dataset.h"

namespace hpf {

// Pair counts of one split, broken down the way the SPair-71k paper's dataset table is: by category and by
// each difficulty flag value. Flags that a dataset lacks (-1) are counted under -1.
struct DatasetStatistics {
  size_t pairs = 0;
  size_t keypoints = 0;  // total over pairs (after dropping invisible ones)
  std::map<std::string, size_t> per_category;
  std::map<int, size_t> viewpoint_variation, scale_variation, truncation, occlusion, mirror;
};

DatasetStatistics dataset_statistics(const std::vector<PairAnnotation>& pairs);

}  // namespace hpf
