#pragma once
// A small SPair-71k written by the GUI tests: Layout/large/test.txt, PairAnnotation/test/*.json and
// JPEGImages/<category>/*.png (textured patterns; each target is its source moved by a known offset), with
// difficulty flags varied pair by pair so that every filter value has its own count.

#include <QString>

#include <array>
#include <vector>

namespace hpf::test {

struct SpairFixturePair {
  QString name;  // "<id>-<source>-<target>:<category>"
  QString category;
  std::array<int, 4> flags;  // viewpoint, scale, truncation, occlusion
  int keypoints;
};

// Writes `count` pairs alternating over the categories "cat" and "dog" into `root`; returns what it wrote in
// list order.
std::vector<SpairFixturePair> write_spair(const QString& root, int count);

}  // namespace hpf::test
