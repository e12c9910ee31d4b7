#include "datasets/statistics.h"

namespace hpf {

DatasetStatistics dataset_statistics(const std::vector<PairAnnotation>& pairs) {
  DatasetStatistics stats;
  for (const PairAnnotation& pair : pairs) {
    ++stats.pairs;
    stats.keypoints += pair.source_kps.size();
    ++stats.per_category[pair.category];
    ++stats.viewpoint_variation[pair.viewpoint_variation];
    ++stats.scale_variation[pair.scale_variation];
    ++stats.truncation[pair.truncation];
    ++stats.occlusion[pair.occlusion];
    ++stats.mirror[pair.mirror];
  }
  return stats;
}

}  // namespace hpf
