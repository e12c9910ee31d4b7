// Whole-dev-set evaluations against the published implementations' numbers (label heavy: minutes of compute,
// run in the release suite; the sanitizer pass covers the same code through the shorter realdata tests).
// Needs HPF_SHARED_DIR; skipped, saying so, without it.

#include "fixtures.h"
#include "reference_data.h"

#include "core/eval/evaluation_job.h"
#include "core/eval/run_files.h"

#include <QJsonArray>
#include <QJsonObject>

#include <gtest/gtest.h>

#include <cstdio>

namespace hpf {
namespace {

// `hpf eval`'s job over the 360 dev pairs with the reference's options; PCK overall and per class within
// `tolerance` (a fraction), and each pair's keypoints against the reference's.
void expect_reference_evaluation(const std::string& file, double tolerance) {
  auto backbone = test::shared_mobilenet();
  const QJsonObject reference = test::read_reference(file);
  const HyperpixelFlow flow(*backbone, test::reference_options(reference));
  const auto dataset = open_dataset("pf-willow", test::dev_root());
  test::TempDir dir;
  EvalOptions eval;
  eval.output_dir = dir.str();
  eval.alphas = {"0.1"};
  const EvalResult result = run_evaluation(*dataset, flow, RunDescription{}, eval);
  ASSERT_TRUE(result.complete);
  EXPECT_EQ(result.summary.pairs, 360);
  std::printf("%s: PCK@0.1 %.4f (reference %.4f)\n", file.c_str(), result.summary.pck.at("0.1"),
              reference["pck"].toDouble());
  EXPECT_NEAR(result.summary.pck.at("0.1"), reference["pck"].toDouble(), tolerance);
  const QJsonObject classes = reference["cls_pck"].toObject();
  for (auto it = classes.begin(); it != classes.end(); ++it) {
    const double ours = result.summary.pck_per_category.at(it.key().toStdString()).at("0.1");
    std::printf("  %-14s %.4f (reference %.4f)\n", it.key().toStdString().c_str(), ours,
                it.value().toDouble());
    EXPECT_NEAR(ours, it.value().toDouble(), tolerance) << it.key().toStdString();
  }
  const QJsonArray expected = reference["pairs"].toArray();
  test::Agreement agreement;
  for (const PairRecord& record : read_pair_records((dir.path() / "pairs.jsonl").string())) {
    const QJsonObject ref = expected[static_cast<int>(record.index)].toObject();
    EXPECT_EQ(ref["src"].toString().toStdString(), record.source);
    agreement.add(record, ref);
  }
  std::printf("  %d/%d keypoints within 0.5 px, %d/%d pairs with identical PCK\n", agreement.close,
              agreement.keypoints, agreement.same_pck, agreement.pairs);
  EXPECT_EQ(agreement.pairs, 360);
  EXPECT_GE(agreement.keypoint_rate(), 0.99);
  EXPECT_GE(agreement.pair_rate(), 0.99);
}

TEST(ReferenceEvaluation, HpfReproducesTheReferencePck) {
  REQUIRE_SHARED();
  expect_reference_evaluation("pf-willow-dev_mobilenet_v2_2-4-7-10-13.json", 0.001);
}

TEST(ReferenceEvaluation, ScotWithCamReproducesTheReferencePck) {
  REQUIRE_SHARED();
  expect_reference_evaluation("scot/pf-willow-dev_scot-cam_mobilenet_v2_4-7-10-13-16.json", 0.0001);
}

TEST(ReferenceEvaluation, ScotWithUniformMarginalsReproducesTheReferencePck) {
  REQUIRE_SHARED();
  expect_reference_evaluation("scot/pf-willow-dev_scot-uniform_mobilenet_v2_4-7-10-13-16.json", 0.0001);
}

}  // namespace
}  // namespace hpf
