#include "core/compute/preprocess.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace hpf {
namespace {

TEST(Preprocess, ResizeRuleUsesFloat32ReciprocalLikeTheReference) {
  EXPECT_EQ(resize_ratio(400, 300, 300), 0.75f);
  EXPECT_EQ(resize_ratio(300, 200, 300), 1.0f);  // exactly 300: untouched
  EXPECT_EQ(resize_ratio(120, 80, 300), 1.0f);   // never enlarged
  const float r = resize_ratio(333, 500, 300);
  EXPECT_EQ(r, (1.0f / 500.0f) * 300.0f);
}

TEST(Preprocess, NormalisesBeforeResizingAndReportsTheRatio) {
  at::Tensor rgb = at::zeros({500, 400, 3}, at::TensorOptions().dtype(at::kByte));
  rgb.select(2, 0).fill_(255);
  const PreparedImage image = prepare_image(rgb, 300);
  EXPECT_EQ(image.height(), 300);
  EXPECT_EQ(image.width(), 240);
  EXPECT_EQ(image.original_width, 400);
  EXPECT_EQ(image.ratio, 0.6f);
  // A constant image stays constant through bilinear resizing: check the normalised values exactly.
  EXPECT_FLOAT_EQ(image.tensor[0][0][10][10].item<float>(), (1.0f - 0.485f) / 0.229f);
  EXPECT_FLOAT_EQ(image.tensor[0][1][10][10].item<float>(), (0.0f - 0.456f) / 0.224f);
}

TEST(Preprocess, RejectsNonImages) {
  EXPECT_THROW(prepare_image(at::zeros({4, 4}, at::TensorOptions().dtype(at::kByte))), std::invalid_argument);
  EXPECT_THROW(prepare_image(at::zeros({4, 4, 3})), std::invalid_argument);
  EXPECT_THROW(prepare_image(at::zeros({0, 4, 3}, at::TensorOptions().dtype(at::kByte))), std::invalid_argument);
  // A 1-pixel image is valid (no resize).
  const PreparedImage tiny = prepare_image(at::zeros({1, 1, 3}, at::TensorOptions().dtype(at::kByte)));
  EXPECT_EQ(tiny.width(), 1);
}

}  // namespace
}  // namespace hpf
