#pragma once

#include <array>
#include <string>
#include <vector>

#include "datasets/dataset.h"

namespace hpf {

// Drops keypoint rows that are not finite (NaN = invisible) in the source OR the target, keeping kps_ids
// aligned, exactly as the reference keeps only keypoints valid in both images. Expects equal lengths.
void keep_pairwise_visible(PairAnnotation& pair);

// [min x, min y, max x, max y] of the points (PF-WILLOW's box). Throws DatasetError (with `context`) when
// empty.
std::array<double, 4> keypoint_extent(const std::vector<Keypoint>& points, const std::string& context);

// "PF-dataset/car(G)/Cars_000a.png" -> "car(G)/Cars_000a.png": the CSV datasets prefix every image path with
// a folder name that is not part of the dataset. Throws DatasetError (with `context`) when there is no second
// part.
std::string strip_first_component(const std::string& path, const std::string& context);

// The i-th '/'-separated component ("" when there are fewer).
std::string path_component(const std::string& path, size_t index);

// File name without folders ("PF-dataset-PASCAL/JPEGImages/2009_002457.jpg" -> "2009_002457.jpg").
std::string path_basename(const std::string& path);

// 0, 1, ..., n-1.
std::vector<int> iota_ids(size_t count);

}  // namespace hpf
