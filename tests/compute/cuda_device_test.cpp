// The compute core on CUDA gives the CPU's answer: backbone features, similarity, Hough histogram, best
// matches and transferred keypoints agree within fp32 rounding. Skipped, saying why, where LibTorch sees no
// CUDA GPU (CI has none); on a GPU machine, tests/gpu/run_compute_checks.sh builds and runs them (README,
// "On a GPU").

#include "core/compute/backbone.h"
#include "core/compute/hyperpixel_flow.h"
#include "core/compute/runtime.h"
#include "core/compute/transfer.h"

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <c10/util/Exception.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace hpf {
namespace {

class CudaDevice : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cuda_available()) GTEST_SKIP() << "LibTorch " << torch_version() << " sees no CUDA GPU";
    cuda_ = select_device("cuda");
  }
  c10::Device cuda_{c10::kCPU};
};

// A smooth, structured (1, 3, h, w) image (gradients, stripes and a few blobs), shifted by (dx, dy) pixels,
// so that features vary across the image and a shifted copy has a clear best match.
PreparedImage synthetic_image(int width, int height, int dx, int dy) {
  const at::Tensor x = at::arange(width, at::kFloat).sub(dx).unsqueeze(0).expand({height, width});
  const at::Tensor y = at::arange(height, at::kFloat).sub(dy).unsqueeze(1).expand({height, width});
  const at::Tensor blobs = at::exp(-((x - 90).pow(2) + (y - 70).pow(2)) / 400) -
                           at::exp(-((x - 200).pow(2) + (y - 150).pow(2)) / 900) +
                           at::exp(-((x - 240).pow(2) + (y - 40).pow(2)) / 250);
  const at::Tensor r = at::sin(x / 17) + blobs;
  const at::Tensor g = at::cos(y / 11) * at::sin((x + y) / 29);
  const at::Tensor b = at::sin(x * y / 2000) - blobs;
  PreparedImage image;
  image.tensor = at::stack({r, g, b}).unsqueeze(0).contiguous();
  image.original_width = width;
  image.original_height = height;
  return image;
}

// max |a - b| relative to max |a|.
double relative_difference(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor ca = a.to(at::kCPU, at::kDouble), cb = b.to(at::kCPU, at::kDouble);
  const double scale = std::max(ca.abs().max().item<double>(), 1e-30);
  return (ca - cb).abs().max().item<double>() / scale;
}

struct PairResult {
  PairMatch match;
  ImageFeatures source, target;
};

PairResult run_pair(HyperpixelFlow& flow) {
  PairResult r;
  r.source = flow.describe(synthetic_image(300, 225, 0, 0));
  r.target = flow.describe(synthetic_image(300, 200, 14, 9));
  r.match = flow.match(r.source, r.target);
  return r;
}

struct Config {
  std::string backbone;
  std::vector<int> layers;
  bool factorized;
};

void expect_same_pair_on_both_devices(const Config& config, c10::Device cuda) {
  at::manual_seed(7);
  std::unique_ptr<Backbone> backbone = make_backbone(config.backbone);
  MatchOptions options;
  options.layers = config.layers;
  options.max_side = default_max_side(config.backbone);
  options.rhm.factorized_similarity = config.factorized;
  HyperpixelFlow flow(*backbone, options);

  const PairResult cpu = run_pair(flow);
  backbone->to(cuda);
  const PairResult gpu = run_pair(flow);
  ASSERT_TRUE(gpu.match.correlation.similarity.is_cuda());

  const Correlation& c = cpu.match.correlation;
  const Correlation& g = gpu.match.correlation;
  ASSERT_EQ(c.similarity.sizes(), g.similarity.sizes());
  ASSERT_EQ(c.hough.sizes(), g.hough.sizes());
  const double similarity_diff = relative_difference(c.similarity, g.similarity);
  const double hough_diff = relative_difference(c.hough, g.hough);
  const at::Tensor same = cpu.match.best.target_index.eq(gpu.match.best.target_index.cpu());
  const double same_fraction = same.to(at::kDouble).mean().item<double>();
  const double confidence_diff = relative_difference(cpu.match.best.confidence.masked_select(same),
                                                     gpu.match.best.confidence.cpu().masked_select(same));

  // Keypoints on a 10 px grid over the source image, transferred with each device's matches.
  const at::Tensor xs = at::arange(5, 300, 10, at::kFloat), ys = at::arange(5, 225, 10, at::kFloat);
  const std::vector<at::Tensor> mesh = at::meshgrid({xs, ys}, "ij");
  const at::Tensor keypoints = at::stack({mesh[0].reshape(-1), mesh[1].reshape(-1)}, 1);
  const auto transfer = [&](const PairResult& r) {
    return transfer_keypoints(r.source.hyperpixels.boxes, r.target.hyperpixels.boxes,
                              r.match.best.target_index, keypoints);
  };
  const TransferredKeypoints kc = transfer(cpu), kg = transfer(gpu);
  EXPECT_TRUE(at::equal(kc.covering, kg.covering));
  const at::Tensor distance = (kc.points - kg.points).pow(2).sum(1).sqrt();
  const double within_half_pixel = (distance.le(0.5) | (kc.points.isnan().any(1) & kg.points.isnan().any(1)))
                                       .to(at::kDouble)
                                       .mean()
                                       .item<double>();

  std::printf(
      "[cuda-vs-cpu] %s factorized=%d: N=%lld similarity %.2e, hough %.2e, same best match %.4f, "
      "confidence %.2e, keypoints within 0.5 px %.4f\n",
      config.backbone.c_str(), config.factorized ? 1 : 0, static_cast<long long>(c.similarity.size(0)),
      similarity_diff, hough_diff, same_fraction, confidence_diff, within_half_pixel);
  EXPECT_LT(similarity_diff, 1e-4);
  EXPECT_LT(hough_diff, 1e-4);
  EXPECT_GE(same_fraction, 0.99);
  EXPECT_LT(confidence_diff, 1e-4);
  EXPECT_GE(within_half_pixel, 0.99);
}

TEST_F(CudaDevice, SelectingCudaTurnsTf32Off) {
  at::globalContext().setAllowTF32CuDNN(true);
  select_device("cuda");
  EXPECT_FALSE(at::globalContext().allowTF32CuDNN());
  EXPECT_FALSE(at::globalContext().allowTF32CuBLAS());
}

TEST_F(CudaDevice, BackboneFeaturesEqualTheCpuFeatures) {
  for (const std::string name :
       {"mobilenet_v2", "resnet101", "fcn_resnet101", "dinov2_vits14", "dinov2_vitb14"}) {
    at::manual_seed(3);
    std::unique_ptr<Backbone> backbone = make_backbone(name);
    const int deepest = static_cast<int>(backbone->layers().size()) - 1;
    const std::vector<int> ids = {0, deepest / 2, deepest};
    const at::Tensor image = synthetic_image(160, 120, 0, 0).tensor;
    const std::vector<at::Tensor> cpu = backbone->extract(image, ids);
    backbone->to(cuda_);
    const std::vector<at::Tensor> gpu = backbone->extract(image, ids);
    for (size_t i = 0; i < ids.size(); ++i) {
      ASSERT_TRUE(gpu[i].is_cuda());
      ASSERT_EQ(cpu[i].sizes(), gpu[i].sizes());
      const double diff = relative_difference(cpu[i], gpu[i]);
      std::printf("[cuda-vs-cpu] %s layer %d: relative difference %.2e\n", name.c_str(), ids[i], diff);
      EXPECT_LT(diff, 1e-4) << name << " layer " << ids[i];
    }
  }
}

TEST_F(CudaDevice, MobileNetV2PairMatchesTheCpuPair) {
  expect_same_pair_on_both_devices({"mobilenet_v2", {2, 4, 7, 10, 13}, false}, cuda_);
  expect_same_pair_on_both_devices({"mobilenet_v2", {2, 4, 7, 10, 13}, true}, cuda_);
}

TEST_F(CudaDevice, ResNet101PairMatchesTheCpuPair) {
  expect_same_pair_on_both_devices({"resnet101", {2, 17, 21, 22, 25, 26, 28}, false}, cuda_);
  expect_same_pair_on_both_devices({"resnet101", {2, 17, 21, 22, 25, 26, 28}, true}, cuda_);
}

// DINOv2 blocks as layers (random weights), at the side DINOv2 matches at by default.
TEST_F(CudaDevice, DinoV2PairsMatchTheCpuPairs) {
  expect_same_pair_on_both_devices({"dinov2_vits14", {11}, true}, cuda_);
  expect_same_pair_on_both_devices({"dinov2_vitb14", {7, 9, 11}, false}, cuda_);
}

// The CPU fallback (core/pipeline/pair_matching.cpp) relies on recognising LibTorch's real allocation
// failure.
TEST_F(CudaDevice, OutOfMemoryErrorIsRecognised) {
  bool thrown = false;
  try {
    at::empty({int64_t{1} << 42}, at::TensorOptions().device(cuda_).dtype(at::kFloat));  // 16 TiB
  } catch (const c10::Error& error) {
    thrown = true;
    EXPECT_TRUE(is_cuda_out_of_memory(error)) << error.what();
  }
  EXPECT_TRUE(thrown);
  // The device is still usable afterwards.
  EXPECT_EQ(at::ones({1000}, at::TensorOptions().device(cuda_)).sum().item<float>(), 1000.0f);
}

TEST(CudaErrors, OtherErrorsAreNotOutOfMemory) {
  try {
    at::ones({2, 3}).matmul(at::ones({4, 5}));
    FAIL() << "a shape mismatch must throw";
  } catch (const c10::Error& error) {
    EXPECT_FALSE(is_cuda_out_of_memory(error)) << error.what();
  }
}

}  // namespace
}  // namespace hpf
