// Squared norms of an upsampled map from neighbouring inner products, against ATen's upsampling followed by
// squaring and summing over channels.

#include "core/search/upsampled_norms.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace hpf {
namespace {

at::Tensor upsampled_then_squared(const at::Tensor& map, int64_t gh, int64_t gw) {
  return at::upsample_bilinear2d(map.unsqueeze(0), {gh, gw}, /*align_corners=*/true).squeeze(0).pow(2).sum(0);
}

void expect_equal_norms(int64_t c, int64_t h, int64_t w, int64_t gh, int64_t gw) {
  at::manual_seed(c * 1000 + h * 100 + w);
  const at::Tensor map = at::randn({c, h, w});  // signed features: the cross terms can cancel
  const at::Tensor got = upsampled_squared_norms(map, gh, gw);
  const at::Tensor want = upsampled_then_squared(map, gh, gw);
  ASSERT_EQ(got.sizes(), want.sizes());
  const double worst = ((got - want).abs() / want.clamp_min(1e-3)).max().item<double>();
  EXPECT_LT(worst, 2e-5) << c << "x" << h << "x" << w << " -> " << gh << "x" << gw;
}

TEST(UpsampledNorms, EqualUpsamplingThenSquaring) {
  expect_equal_norms(7, 4, 3, 13, 9);     // stride ratio ~3-4, both axes interpolated
  expect_equal_norms(33, 5, 6, 20, 24);   // ratio 4
  expect_equal_norms(3, 9, 7, 17, 13);    // ratio 2
  expect_equal_norms(5, 1, 6, 3, 11);     // a single coarse row: nothing to blend along y
  expect_equal_norms(5, 6, 1, 11, 3);     // a single coarse column
  expect_equal_norms(4, 2, 2, 2, 9);      // only x interpolated
}

TEST(UpsampledNorms, SameSizeIsTheSquaredNorm) {
  const at::Tensor map = at::randn({6, 5, 4});
  EXPECT_TRUE(at::allclose(upsampled_squared_norms(map, 5, 4), map.pow(2).sum(0)));
}

}  // namespace
}  // namespace hpf
