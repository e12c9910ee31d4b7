#pragma once
// The published implementations' outputs on ../shared/data/pf-willow-dev (../shared/reference, HPF's and
// reference/scot/ SCOT's), and how our predictions are compared with them. Needs HPF_SHARED_DIR.

#include "fixtures.h"

#include "core/compute/match_options.h"
#include "core/eval/pair_record.h"

#include <QJsonObject>

#include <memory>
#include <string>
#include <vector>

namespace hpf::test {

#define REQUIRE_SHARED()                                                 \
  if (::hpf::test::shared_dir().empty())                                 \
  GTEST_SKIP() << "HPF_SHARED_DIR is not set: real-data parity not run " \
                  "(.ci/run sets it to ../shared)"

// A reference file under ../shared/reference (e.g. "scot/pf-willow-dev_scot-cam_...json").
QJsonObject read_reference(const std::string& file);

std::string dev_root();  // ../shared/data/pf-willow-dev

// The shared ImageNet MobileNetV2 on the CPU.
std::unique_ptr<Backbone> shared_mobilenet();

// The options the reference ran with: its layers; for SCOT files, method "scot" with its eps, exp2 and
// classmap.
MatchOptions reference_options(const QJsonObject& reference);

// How many keypoints land within 0.5 px of the reference's (resized target frame) and how many pairs have
// the reference's PCK.
struct Agreement {
  int keypoints = 0, close = 0, pairs = 0, same_pck = 0;
  double keypoint_rate() const { return keypoints ? static_cast<double>(close) / keypoints : 0; }
  double pair_rate() const { return pairs ? static_cast<double>(same_pck) / pairs : 0; }
  // Adds one pair: our record (alpha "0.1") against the reference's pair object.
  void add(const PairRecord& ours, const QJsonObject& reference_pair);
};

}  // namespace hpf::test
