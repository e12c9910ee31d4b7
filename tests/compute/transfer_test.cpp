#include "core/compute/transfer.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

namespace hpf {
namespace {

TEST(Transfer, AveragesDisplacementsOfCoveringBoxes) {
  // Two source boxes overlapping at x in [5, 10]; their best targets are shifted by (+100, +0) and (+110, +20).
  const at::Tensor src = at::tensor({0.f, 0.f, 10.f, 10.f, 5.f, 0.f, 15.f, 10.f}).view({2, 4});
  const at::Tensor trg = at::tensor({100.f, 0.f, 110.f, 10.f, 115.f, 20.f, 125.f, 30.f}).view({2, 4});
  const at::Tensor best = at::tensor({int64_t{0}, int64_t{1}});
  const at::Tensor kps = at::tensor({2.f, 3.f,     // only box 0: (2+100, 3+0)
                                     7.f, 4.f,     // both: mean of (107, 4) and (7+110, 4+20)
                                     15.f, 10.f,   // box 1 only, on its inclusive corner
                                     16.f, 3.f})   // no box
                             .view({4, 2});
  const TransferredKeypoints out = transfer_keypoints(src, trg, best, kps);
  EXPECT_EQ(out.covering[0].item<int64_t>(), 1);
  EXPECT_EQ(out.covering[1].item<int64_t>(), 2);
  EXPECT_EQ(out.covering[2].item<int64_t>(), 1);
  EXPECT_EQ(out.covering[3].item<int64_t>(), 0);
  EXPECT_FLOAT_EQ(out.points[0][0].item<float>(), 102.f);
  EXPECT_FLOAT_EQ(out.points[0][1].item<float>(), 3.f);
  EXPECT_FLOAT_EQ(out.points[1][0].item<float>(), 112.f);
  EXPECT_FLOAT_EQ(out.points[1][1].item<float>(), 14.f);
  EXPECT_FLOAT_EQ(out.points[2][0].item<float>(), 125.f);
  EXPECT_FLOAT_EQ(out.points[2][1].item<float>(), 30.f);
  EXPECT_TRUE(std::isnan(out.points[3][0].item<float>()));
}

TEST(Transfer, UncoveredKeypointCountsAsWrong) {
  const at::Tensor gt = at::tensor({1.f, 1.f, 5.f, 5.f}).view({2, 2});
  const at::Tensor pred = at::tensor({1.f, 1.f, NAN, NAN}).view({2, 2});
  EXPECT_EQ(count_correct(pred, gt, 10.f, 0.1f), 1);
}

TEST(Transfer, PckUsesInclusiveThreshold) {
  const at::Tensor gt = at::tensor({0.f, 0.f, 0.f, 0.f}).view({2, 2});
  const at::Tensor pred = at::tensor({3.f, 4.f, 3.f, 4.1f}).view({2, 2});  // distances 5 and ~5.08
  EXPECT_EQ(count_correct(pred, gt, 50.f, 0.1f), 1);
}

TEST(Transfer, DenseFlowAgreesWithKeypointTransferEverywhere) {
  at::manual_seed(11);
  const at::Tensor xy = at::randint(-6, 20, {12, 2}).to(at::kFloat);
  const at::Tensor src = at::cat({xy, xy + 9}, 1);
  const at::Tensor trg = at::cat({xy * 2 + 3, xy * 2 + 12}, 1);
  const at::Tensor best = at::randint(0, 12, {12}, at::TensorOptions().dtype(at::kLong));
  const int width = 24, height = 20;
  const DenseFlow flow = dense_flow(src, trg, best, width, height);
  for (int y = 0; y < height; y += 3) {
    for (int x = 0; x < width; x += 2) {
      const at::Tensor kp = at::tensor({static_cast<float>(x), static_cast<float>(y)}).view({1, 2});
      const TransferredKeypoints t = transfer_keypoints(src, trg, best, kp);
      const bool covered = t.covering[0].item<int64_t>() > 0;
      ASSERT_EQ(flow.valid[y][x].item<bool>(), covered) << x << "," << y;
      if (!covered) continue;
      EXPECT_NEAR(flow.displacement[0][y][x].item<float>(), t.points[0][0].item<float>() - x, 1e-4);
      EXPECT_NEAR(flow.displacement[1][y][x].item<float>(), t.points[0][1].item<float>() - y, 1e-4);
    }
  }
}

}  // namespace
}  // namespace hpf
