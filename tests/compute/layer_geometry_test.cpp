#include "core/compute/backbone.h"

#include <gtest/gtest.h>

namespace hpf {
namespace {

std::vector<int64_t> jumps(const Backbone& b, int count) {
  std::vector<int64_t> out;
  for (int i = 0; i < count; ++i) out.push_back(b.layers()[i].jump);
  return out;
}
std::vector<int64_t> fields(const Backbone& b, int count) {
  std::vector<int64_t> out;
  for (int i = 0; i < count; ++i) out.push_back(b.layers()[i].receptive_field);
  return out;
}

TEST(LayerGeometry, ResNetTableOfTheReferenceComesOutOfTheArchitecture) {
  for (const char* name : {"resnet50", "resnet101"}) {
    auto backbone = make_backbone(name);
    EXPECT_EQ(jumps(*backbone, 10), (std::vector<int64_t>{4, 4, 4, 4, 8, 8, 8, 8, 16, 16})) << name;
    EXPECT_EQ(fields(*backbone, 10), (std::vector<int64_t>{11, 19, 27, 35, 43, 59, 75, 91, 107, 139})) << name;
  }
}

TEST(LayerGeometry, ResNetLayerIdsAndChannels) {
  auto r101 = make_backbone("resnet101");
  ASSERT_EQ(r101->layers().size(), 34u);  // stem + 3 + 4 + 23 + 3 bottlenecks
  EXPECT_EQ(r101->layers()[0].stage, "stem");
  EXPECT_EQ(r101->layers()[8].stage, "layer3.0");
  EXPECT_EQ(r101->layers()[30].stage, "layer3.22");
  EXPECT_EQ(r101->layers()[31].stage, "layer4.0");
  EXPECT_EQ(r101->layers()[0].channels, 64);
  EXPECT_EQ(r101->layers()[3].channels, 256);
  EXPECT_EQ(r101->layers()[30].channels, 1024);
  EXPECT_EQ(r101->layers()[33].channels, 2048);
  EXPECT_EQ(r101->layers()[33].jump, 32);
  auto r50 = make_backbone("resnet50");
  ASSERT_EQ(r50->layers().size(), 17u);
  EXPECT_EQ(r50->layers()[13].stage, "layer3.5");
  EXPECT_EQ(r50->layers()[14].stage, "layer4.0");
}

TEST(LayerGeometry, MobileNetV2MatchesTheReferenceTable) {
  auto backbone = make_backbone("mobilenet_v2");
  ASSERT_EQ(backbone->layers().size(), 19u);
  EXPECT_EQ(jumps(*backbone, 19), (std::vector<int64_t>{2, 2, 4, 4, 8, 8, 8, 16, 16, 16, 16, 16, 16, 16, 32, 32,
                                                         32, 32, 32}));
  EXPECT_EQ(fields(*backbone, 19), (std::vector<int64_t>{3, 7, 11, 19, 27, 43, 59, 75, 107, 139, 171, 203, 235, 267,
                                                          299, 363, 427, 491, 491}));
  EXPECT_EQ(backbone->layers()[13].channels, 96);
  EXPECT_EQ(backbone->layers()[18].channels, 1280);
}

TEST(LayerGeometry, DilatedFcnKeepsJumpEightAndGrowsFieldByDilation) {
  auto fcn = make_backbone("fcn101");
  EXPECT_EQ(fcn->name(), "fcn_resnet101");
  ASSERT_EQ(fcn->layers().size(), 34u);
  EXPECT_EQ(fields(*fcn, 8), fields(*make_backbone("resnet101"), 8));
  // layer3.0 keeps dilation 1 with stride 1: 91 + 2*8; layer3.1 has dilation 2: + 2*2*8.
  EXPECT_EQ(fcn->layers()[8].jump, 8);
  EXPECT_EQ(fcn->layers()[8].receptive_field, 107);
  EXPECT_EQ(fcn->layers()[9].receptive_field, 139);
  EXPECT_EQ(fcn->layers()[30].receptive_field, 107 + 22 * 32);
  // layer4.0 has dilation 2 (previous), then dilation 4: + 2*4*8 per block.
  EXPECT_EQ(fcn->layers()[31].receptive_field, 107 + 22 * 32 + 32);
  EXPECT_EQ(fcn->layers()[33].receptive_field, 107 + 22 * 32 + 32 + 2 * 64);
  EXPECT_EQ(fcn->layers()[33].jump, 8);
}

TEST(Backbone, RejectsUnknownNamesAndLayers) {
  EXPECT_THROW(make_backbone("vgg16"), std::invalid_argument);
  auto backbone = make_backbone("resnet50");
  try {
    backbone->checked_ids({2, 17});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("has no layer 17"), std::string::npos) << e.what();
  }
  EXPECT_THROW(backbone->checked_ids({}), std::invalid_argument);
}

}  // namespace
}  // namespace hpf
