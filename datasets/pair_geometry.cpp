#include "datasets/pair_geometry.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hpf {
namespace {
bool finite(const Keypoint& point) {
  return std::isfinite(point.x) && std::isfinite(point.y);
}
}  // namespace

void keep_pairwise_visible(PairAnnotation& pair) {
  std::vector<Keypoint> source, target;
  std::vector<int> ids;
  for (size_t i = 0; i < pair.source_kps.size() && i < pair.target_kps.size(); ++i) {
    if (!finite(pair.source_kps[i]) || !finite(pair.target_kps[i])) continue;
    source.push_back(pair.source_kps[i]);
    target.push_back(pair.target_kps[i]);
    if (i < pair.kps_ids.size()) ids.push_back(pair.kps_ids[i]);
  }
  pair.source_kps = std::move(source);
  pair.target_kps = std::move(target);
  pair.kps_ids = std::move(ids);
}

std::array<double, 4> keypoint_extent(const std::vector<Keypoint>& points, const std::string& context) {
  if (points.empty()) throw DatasetError(context + ": no keypoints to take a bounding box from");
  std::array<double, 4> box{points[0].x, points[0].y, points[0].x, points[0].y};
  for (const Keypoint& point : points) {
    box[0] = std::min(box[0], point.x);
    box[1] = std::min(box[1], point.y);
    box[2] = std::max(box[2], point.x);
    box[3] = std::max(box[3], point.y);
  }
  return box;
}

std::string strip_first_component(const std::string& path, const std::string& context) {
  const size_t slash = path.find('/');
  if (slash == std::string::npos || slash + 1 >= path.size()) {
    throw DatasetError(context + ": expected an image path '<prefix>/<folder>/<file>', found '" + path + "'");
  }
  return path.substr(slash + 1);
}

std::string path_component(const std::string& path, size_t index) {
  size_t start = 0;
  for (size_t i = 0; i < index; ++i) {
    start = path.find('/', start);
    if (start == std::string::npos) return "";
    ++start;
  }
  const size_t end = path.find('/', start);
  return path.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string path_basename(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::vector<int> iota_ids(size_t count) {
  std::vector<int> ids(count);
  std::iota(ids.begin(), ids.end(), 0);
  return ids;
}

}  // namespace hpf
