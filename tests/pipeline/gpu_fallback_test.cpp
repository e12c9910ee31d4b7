// A CUDA out-of-memory during a pair moves the backbone to the CPU, finishes the pair there and says so. No
// GPU is needed: a backbone that reports a CUDA device and throws LibTorch's out-of-memory error stands in
// for one.
#include "fixtures.h"

#include "core/image/image_io.h"
#include "core/pipeline/pair_matching.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <gtest/gtest.h>

namespace hpf {
namespace {

class OutOfMemoryOnGpu : public Backbone {
 public:
  OutOfMemoryOnGpu(std::unique_ptr<Backbone> cpu, std::string error)
      : cpu_(std::move(cpu)), error_(std::move(error)) {}
  const std::string& name() const override { return cpu_->name(); }
  const std::vector<LayerInfo>& layers() const override { return cpu_->layers(); }
  std::vector<at::Tensor> extract(const at::Tensor& image, const std::vector<int>& layer_ids) override {
    TORCH_CHECK(!on_gpu_, error_);
    return cpu_->extract(image, layer_ids);
  }
  at::Tensor classify(const at::Tensor& image) override { return cpu_->classify(image); }
  void load_state_dict(const StateDict& state) override { cpu_->load_state_dict(state); }
  StateDict expected_state() override { return cpu_->expected_state(); }
  void to(c10::Device device) override { on_gpu_ = device.is_cuda(); }
  c10::Device device() const override {
    return on_gpu_ ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  }

 private:
  std::unique_ptr<Backbone> cpu_;
  std::string error_;
  bool on_gpu_ = true;
};

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
  OutOfMemoryOnGpu backbone(
      test::seeded_mobilenet(),
      "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)");
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

}  // namespace
}  // namespace hpf
