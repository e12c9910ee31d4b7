// SCOT's class activation maps (docs/method.md §10.2), quirks included: the 2x image resampled from the 1.5x
// one, (cam - min) / max, the two likeliest classes, the weight staircase.

#include "core/compute/class_activation.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace hpf {
namespace {

// A backbone whose classifier sees the mean over channels of the image (one channel, h x w = the image's
// size / 4) and whose classes 3 and 7 win; it records every image it was given.
class RecordingBackbone : public Backbone {
 public:
  const std::string& name() const override { return name_; }
  const std::vector<LayerInfo>& layers() const override { return layers_; }
  std::vector<at::Tensor> extract(const at::Tensor&, const std::vector<int>&) override { return {}; }
  at::Tensor classify(const at::Tensor&) override { return {}; }
  std::vector<at::Tensor> extract_with_classifier(const at::Tensor& image, const std::vector<int>&,
                                                  ClassifierPass* head) override {
    images.push_back(image);
    if (head) *head = pass(image);
    return {};
  }
  at::Tensor classifier_weight() override {
    at::Tensor w = at::zeros({1000, 1});
    w[3][0] = 1;
    w[7][0] = -1;
    return w;
  }
  void load_state_dict(const StateDict&) override {}
  StateDict expected_state() override { return {}; }
  void to(c10::Device) override {}
  c10::Device device() const override { return c10::kCPU; }

  static ClassifierPass pass(const at::Tensor& image) {
    ClassifierPass p;
    p.feature_map = at::avg_pool2d(image.mean(1, true), {4, 4});
    p.logits = at::zeros({1, 1000});
    p.logits[0][3] = 5;
    p.logits[0][7] = 4;
    return p;
  }

  std::vector<at::Tensor> images;

 private:
  std::string name_ = "recording";
  std::vector<LayerInfo> layers_;
};

TEST(ClassActivation, ScalesAreOneAndAHalfThenTwoCappedAt800Pixels) {
  const auto sizes = cam_scale_sizes(225, 300);
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_EQ(sizes[0], std::make_pair(int64_t{337}, int64_t{450}));  // int(1.5 * 225) truncates
  EXPECT_EQ(sizes[1], std::make_pair(int64_t{450}, int64_t{600}));
  // 2x of 500 x 500 exceeds 800 x 800: the cap min(800/500, 800/500, 1.5) = 1.5.
  EXPECT_EQ(cam_scale_sizes(500, 500)[1], std::make_pair(int64_t{750}, int64_t{750}));
}

TEST(ClassActivation, DividesByTheRawMaximumAndKeepsTheLargerOfTheTopTwoClasses) {
  ClassifierPass pass;
  pass.feature_map = at::tensor({1.0f, 2.0f, 3.0f, 4.0f}).view({1, 1, 2, 2});
  pass.logits = at::zeros({1, 1000});
  pass.logits[0][3] = 5;
  pass.logits[0][7] = 4;
  pass.logits[0][9] = 3;  // third: ignored
  at::Tensor w = at::zeros({1000, 1});
  w[3][0] = 1;
  w[7][0] = -1;
  w[9][0] = 10;
  const at::Tensor cam = single_scale_activation(pass, w, 2, 2);
  // Class 3: (cam - 1) / 4 (not / 3). Class 7: (-cam + 4) / -1 <= 0. The maximum is class 3's.
  EXPECT_TRUE(at::allclose(cam, at::tensor({0.0f, 0.25f, 0.5f, 0.75f}).view({2, 2})));
}

TEST(ClassActivation, TheTwoTimesImageIsResampledFromTheOneAndAHalfTimesImage) {
  RecordingBackbone backbone;
  at::manual_seed(1);
  const at::Tensor image = at::randn({1, 3, 30, 40});
  const at::Tensor cam = class_activation_map(backbone, image, RecordingBackbone::pass(image));
  ASSERT_EQ(backbone.images.size(), 2u);
  const at::Tensor one_and_a_half = at::upsample_bilinear2d(image, {45, 60}, true);
  EXPECT_TRUE(at::equal(backbone.images[0], one_and_a_half));
  const at::Tensor chained = at::upsample_bilinear2d(one_and_a_half, {60, 80}, true);
  EXPECT_TRUE(at::equal(backbone.images[1], chained));
  EXPECT_FALSE(at::allclose(backbone.images[1], at::upsample_bilinear2d(image, {60, 80}, true)));
  // Sum of the three scales over its maximum + 1e-5.
  const at::Tensor w = backbone.classifier_weight();
  const at::Tensor sum = single_scale_activation(RecordingBackbone::pass(image), w, 30, 40) +
                         single_scale_activation(RecordingBackbone::pass(backbone.images[0]), w, 30, 40) +
                         single_scale_activation(RecordingBackbone::pass(backbone.images[1]), w, 30, 40);
  EXPECT_TRUE(at::allclose(cam, sum / (sum.max() + 1e-5)));
  EXPECT_LT(cam.max().item<float>(), 1.0f);
}

TEST(ClassActivation, WeightsFollowTheStaircaseAtBoxCentres) {
  const at::Tensor cam = at::tensor({0.3f, 0.4f, 0.45f, 0.5f, 0.55f, 0.6f, 0.61f, 1.0f}).view({1, 8});
  at::Tensor centers = at::zeros({8, 2});
  centers.select(1, 0).copy_(at::arange(8, at::kFloat));
  const at::Tensor weights = cam_marginal_weights(cam, centers);
  EXPECT_TRUE(at::equal(weights, at::tensor({0.5f, 0.5f, 0.8f, 0.8f, 0.9f, 0.9f, 1.0f, 1.0f})));
  centers[0][0] = 8;  // beyond the map
  EXPECT_THROW(cam_marginal_weights(cam, centers), std::invalid_argument);
}

TEST(ClassActivation, BackbonesWithoutAClassifierSaySo) {
  auto fcn = make_backbone("fcn_resnet101");
  ClassifierPass head;
  try {
    fcn->extract_with_classifier(at::zeros({1, 3, 64, 64}), {}, &head);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no ImageNet classifier"), std::string::npos);
  }
}

TEST(ClassActivation, FullPassReturnsTheSameLayersAsExtract) {
  for (const char* name : {"mobilenet_v2", "resnet50"}) {
    auto backbone = make_backbone(name);
    at::manual_seed(2);
    const at::Tensor image = at::randn({1, 3, 64, 80});
    const std::vector<int> ids = {2, 4, 7};
    ClassifierPass head;
    const auto full = backbone->extract_with_classifier(image, ids, &head);
    const auto partial = backbone->extract(image, ids);
    ASSERT_EQ(full.size(), partial.size());
    for (size_t i = 0; i < full.size(); ++i) EXPECT_TRUE(at::equal(full[i], partial[i])) << name << " " << i;
    EXPECT_TRUE(at::allclose(head.logits, backbone->classify(image))) << name;
    EXPECT_EQ(head.feature_map.size(1), backbone->classifier_weight().size(1)) << name;
  }
}

}  // namespace
}  // namespace hpf
