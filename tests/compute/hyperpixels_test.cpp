#include "core/compute/hyperpixels.h"

#include "tests/support/layer_info.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace hpf {
namespace {

using test::layer;

TEST(Hyperpixels, ResNetLayer2BoxesAreExact) {
  // ResNet id 2: jump 4, rf 27 -> half 13.
  const at::Tensor boxes = receptive_field_boxes(3, 2, 4, 27);
  ASSERT_EQ(boxes.sizes(), (at::IntArrayRef{6, 4}));
  const std::vector<std::vector<float>> expected = {{-13, -13, 13, 13}, {-9, -13, 17, 13}, {-5, -13, 21, 13},
                                                    {-13, -9, 13, 17},  {-9, -9, 17, 17},  {-5, -9, 21, 17}};
  for (int i = 0; i < 6; ++i) {
    for (int k = 0; k < 4; ++k) EXPECT_EQ(boxes[i][k].item<float>(), expected[i][k]) << i << "," << k;
  }
  const at::Tensor centers = box_centers(boxes);
  EXPECT_EQ(centers[5][0].item<float>(), 8.0f);
  EXPECT_EQ(centers[5][1].item<float>(), 4.0f);
}

TEST(Hyperpixels, MarginPruningKeepsBoxesWithinOneJump) {
  // Boxes of jump 4: x1 must be >= -4, x2 < W + 4 with W = 20.
  const at::Tensor boxes = at::tensor({-4.f, 0.f, 10.f, 10.f,     // x1 = -j: kept
                                       -5.f, 0.f, 10.f, 10.f,     // x1 < -j: pruned
                                       0.f, 0.f, 23.f, 10.f,      // x2 = W + j - 1: kept
                                       0.f, 0.f, 24.f, 10.f,      // x2 = W + j: pruned
                                       0.f, -4.f, 10.f, 13.f,     // y2 = H + j - 1 with H = 10: kept
                                       0.f, 0.f, 10.f, 14.f})     // y2 = H + j: pruned
                               .view({6, 4});
  const at::Tensor mask = margin_mask(boxes, 20, 10, 4);
  const std::vector<bool> expected = {true, false, true, false, true, false};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(mask[i].item<bool>(), expected[i]) << "box " << i;
}

TEST(Hyperpixels, ConcatenatesUpsampledLayersAndPrunes) {
  at::manual_seed(3);
  const at::Tensor base = at::randn({1, 4, 6, 8});
  const at::Tensor coarse = at::randn({1, 5, 3, 4});
  const std::vector<LayerInfo> layers = {layer(2, 4, 27, 4), layer(5, 8, 59, 5)};
  const Hyperpixels all = assemble_hyperpixels({base, coarse}, layers, 30, 22, HyperpixelOptions{false});
  ASSERT_EQ(all.size(), 48);
  ASSERT_EQ(all.features.size(1), 9);
  // Row (y=2, x=3): base channels then the align_corners=true upsampled coarse channels.
  const at::Tensor up = at::upsample_bilinear2d(coarse, {6, 8}, true);
  EXPECT_TRUE(at::equal(all.features[2 * 8 + 3].slice(0, 0, 4), base[0].select(1, 2).select(1, 3)));
  EXPECT_TRUE(at::allclose(all.features[2 * 8 + 3].slice(0, 4, 9), up[0].select(1, 2).select(1, 3)));

  const Hyperpixels pruned = assemble_hyperpixels({base, coarse}, layers, 30, 22, HyperpixelOptions{true});
  // Jump 4, half-field 13, W = 30, H = 22: x1 = 4x - 13 >= -4 and x2 = 4x + 13 < 34 keep x in {3, 4, 5};
  // y1 = 4y - 13 >= -4 and y2 = 4y + 13 < 26 keep y = 3 only.
  ASSERT_EQ(pruned.size(), 3);
  EXPECT_EQ(pruned.grid_index[0].item<int64_t>(), 3 * 8 + 3);
  EXPECT_EQ(pruned.grid_index[2].item<int64_t>(), 3 * 8 + 5);
  EXPECT_TRUE(at::equal(pruned.features[1], all.features[3 * 8 + 4]));
  EXPECT_EQ(pruned.boxes[1][0].item<float>(), 3.0f);
}

// A vision transformer's patch x covers input pixels [14x, 14x + 14]: box offset 7, centre 14x + 7.
TEST(Hyperpixels, PatchBoxesCoverTheirPatch) {
  const at::Tensor boxes = receptive_field_boxes(3, 2, 14, 14, 7);
  const std::vector<std::vector<float>> expected = {{0, 0, 14, 14},  {14, 0, 28, 14},  {28, 0, 42, 14},
                                                    {0, 14, 14, 28}, {14, 14, 28, 28}, {28, 14, 42, 28}};
  for (int i = 0; i < 6; ++i) {
    for (int k = 0; k < 4; ++k) EXPECT_EQ(boxes[i][k].item<float>(), expected[i][k]) << i << "," << k;
  }
  const at::Tensor centers = box_centers(boxes);
  EXPECT_EQ(centers[4][0].item<float>(), 21.0f);
  EXPECT_EQ(centers[4][1].item<float>(), 21.0f);
}

// A 30 x 28 image on a grid of 4 patch columns: a patch that reaches into the padding but covers image pixels
// is kept; one lying wholly beyond the image (column 3, [42, 56]) is pruned by the margin rule.
TEST(Hyperpixels, PaddedPatchesBeyondTheImageArePruned) {
  LayerInfo patch = layer(0, 14, 14, 2);
  patch.box_offset = 7;
  const at::Tensor map = at::randn({1, 2, 2, 4});  // 4 patch columns: [0,14], [14,28], [28,42], [42,56]
  const Hyperpixels hp = assemble_hyperpixels({map}, {patch}, 30, 28, HyperpixelOptions{true});
  // x2 < W + 14 = 44 keeps columns 0..2 (column 2 covers pixels 28-29 of the image); rows 0..1 (y2 <= 28).
  ASSERT_EQ(hp.size(), 6);
  EXPECT_EQ(hp.grid_index[2].item<int64_t>(), 2);
  EXPECT_EQ(hp.grid_index[3].item<int64_t>(), 4);
  EXPECT_EQ(hp.centers[2][0].item<float>(), 35.0f);
}

}  // namespace
}  // namespace hpf
