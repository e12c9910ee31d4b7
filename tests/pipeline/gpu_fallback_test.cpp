// A CUDA out-of-memory during a pair moves the backbone to the CPU, finishes the pair there and says so. No
// GPU is needed: a backbone that reports a CUDA device and throws LibTorch's out-of-memory error stands in
// for one.
#include "fixtures.h"
#include "tests/support/fake_gpu_backbone.h"

#include "core/eval/evaluation_job.h"
#include "core/image/image_io.h"
#include "core/pipeline/pair_matching.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <gtest/gtest.h>

namespace hpf {
namespace {

using OutOfMemoryOnGpu = test::FakeGpuBackbone;

class GpuFallback : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_synthetic_png((dir_.path() / "a.png").string(), 160, 120, 1);
    test::write_synthetic_png((dir_.path() / "b.png").string(), 120, 160, 2);
    options_.layers = {2, 4, 7};
  }
  DecodedImage image(const char* name) const { return read_image((dir_.path() / name).string()); }

  test::TempDir dir_;
  MatchOptions options_;
};

TEST_F(GpuFallback, OutOfMemoryFinishesThePairOnTheCpuAndSaysSo) {
  OutOfMemoryOnGpu backbone(test::seeded_mobilenet(), test::cuda_out_of_memory_message());
  const HyperpixelFlow flow(backbone, options_);
  const MatchedPair pair = match_images(flow, image("a.png"), image("b.png"));
  EXPECT_TRUE(backbone.device().is_cpu());  // and it stays there for the following pairs
  EXPECT_NE(pair.notice.find("out of memory"), std::string::npos) << pair.notice;
  EXPECT_NE(pair.notice.find("CPU"), std::string::npos) << pair.notice;

  // The same answer as a pair computed on the CPU from the start.
  const auto cpu = test::seeded_mobilenet();
  const MatchedPair expected = match_images(HyperpixelFlow(*cpu, options_), image("a.png"), image("b.png"));
  EXPECT_TRUE(expected.notice.empty());
  EXPECT_TRUE(at::equal(pair.match.best.target_index, expected.match.best.target_index));
}

TEST_F(GpuFallback, OtherGpuErrorsAreNotHidden) {
  OutOfMemoryOnGpu backbone(test::seeded_mobilenet(), "CUDA error: an illegal memory access was encountered");
  const HyperpixelFlow flow(backbone, options_);
  EXPECT_THROW(match_images(flow, image("a.png"), image("b.png")), c10::Error);
  EXPECT_TRUE(backbone.device().is_cuda());
}

// `hpf eval` goes through the same pair job: the first pair falls back, the cached GPU features are dropped,
// every later pair runs on the CPU, the fallback is a warning (reported and recorded with the pair), and the
// numbers are those of a run on the CPU from the start.
TEST_F(GpuFallback, EvaluationFallsBackOnceAndRecordsIt) {
  test::write_pf_willow_fixture(dir_.path() / "data", 3, 5);
  const auto dataset = open_dataset("pf-willow", (dir_.path() / "data").string());
  EvalOptions options;
  options.alphas = {"0.1"};
  RunDescription run;
  run.backbone = "mobilenet_v2";

  OutOfMemoryOnGpu gpu(test::seeded_mobilenet(), test::cuda_out_of_memory_message());
  std::vector<std::string> warnings;
  JobContext context;
  context.warning = [&](const std::string& message) { warnings.push_back(message); };
  options.output_dir = (dir_.path() / "gpu").string();
  const EvalResult fallen_back =
      run_evaluation(*dataset, HyperpixelFlow(gpu, options_), run, options, context);
  EXPECT_TRUE(gpu.device().is_cpu());
  EXPECT_EQ(gpu.gpu_failures, 1);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("out of memory"), std::string::npos) << warnings[0];

  const auto cpu = test::seeded_mobilenet();
  options.output_dir = (dir_.path() / "cpu").string();
  const EvalResult expected = run_evaluation(*dataset, HyperpixelFlow(*cpu, options_), run, options);
  ASSERT_TRUE(fallen_back.complete);
  EXPECT_EQ(fallen_back.summary.pairs, expected.summary.pairs);
  EXPECT_EQ(fallen_back.summary.pck, expected.summary.pck);

  const std::vector<PairRecord> records = read_pair_records((dir_.path() / "gpu/pairs.jsonl").string());
  ASSERT_EQ(records.size(), static_cast<size_t>(expected.summary.pairs));
  ASSERT_EQ(records[0].warnings.size(), 1u);
  EXPECT_NE(records[0].warnings[0].find("ran on the CPU"), std::string::npos);
  for (size_t i = 1; i < records.size(); ++i) EXPECT_TRUE(records[i].warnings.empty()) << i;
}

}  // namespace
}  // namespace hpf
