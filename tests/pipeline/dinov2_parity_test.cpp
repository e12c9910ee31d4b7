// DINOv2 against the official DinoVisionTransformer (../shared/reference/dinov2: tiny random models of the
// family, with and without registers, on a non-square input that needs the positional interpolation). Every
// token after embedding and after each block, and each block's patch map, within 1e-4 of the largest
// magnitude. Needs HPF_SHARED_DIR; skipped, saying so, without it.

#include "fixtures.h"
#include "reference_data.h"

#include "core/checkpoint/checkpoint_reader.h"
#include "core/compute/dinov2.h"
#include "core/compute/preprocess.h"
#include "core/compute/raw_tensor_convert.h"
#include "core/image/image_io.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

namespace hpf {
namespace {

StateDict read_state(const std::string& file) {
  return to_state_dict(read_checkpoint(test::shared_dir() + "/reference/dinov2/" + file));
}

// max |a - b| relative to the largest magnitude of the reference.
double relative_error(const at::Tensor& ours, const at::Tensor& reference) {
  return (ours - reference).abs().max().item<double>() / reference.abs().max().item<double>();
}

void expect_parity(const std::string& model) {
  c10::InferenceMode inference;
  const StateDict weights = read_state("dinov2_" + model + "_random.pth");
  const StateDict outputs = read_state("dinov2_" + model + "_outputs.pt");
  const DinoV2Config config = dinov2_config(weights);
  EXPECT_EQ(config.embed_dim, 128);
  EXPECT_EQ(config.depth, 3);
  EXPECT_EQ(config.heads, 2);
  EXPECT_EQ(config.registers, model == "tiny_reg4" ? 4 : 0);
  auto backbone = make_dinov2(weights);
  ASSERT_EQ(backbone->layers().size(), 3u);
  EXPECT_EQ(backbone->layers()[2].jump, 14);

  // The fixture's input tensor, and the same from input.png through our preprocessing (no resize).
  const at::Tensor input = outputs.at("input");
  const PreparedImage prepared =
      prepare_image(read_image(test::shared_dir() + "/reference/dinov2/input.png").rgb, 0);
  EXPECT_LT(relative_error(prepared.tensor, input), 1e-6);

  const std::vector<at::Tensor> tokens = dinov2_tokens(*backbone, input);
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_LT(relative_error(tokens[0], outputs.at("tokens")), 1e-4) << model << " tokens";
  for (int i = 0; i < 3; ++i) {
    const double error = relative_error(tokens[i + 1], outputs.at("block" + std::to_string(i)));
    std::printf("%s block %d: max error %.2e of the largest value\n", model.c_str(), i, error);
    EXPECT_LT(error, 1e-4) << model << " block " << i;
  }
  const std::vector<at::Tensor> maps = backbone->extract(prepared.tensor, {0, 1, 2});
  for (int i = 0; i < 3; ++i) {
    const at::Tensor& expected = outputs.at("patch_grid" + std::to_string(i));
    ASSERT_EQ(maps[i].sizes(), expected.sizes());
    EXPECT_LT(relative_error(maps[i], expected), 1e-4) << model << " patch map " << i;
  }
}

TEST(DinoV2Parity, WithoutRegistersMatchesTheOfficialModel) {
  REQUIRE_SHARED();
  expect_parity("tiny");
}

TEST(DinoV2Parity, WithRegistersMatchesTheOfficialModel) {
  REQUIRE_SHARED();
  expect_parity("tiny_reg4");
}

}  // namespace
}  // namespace hpf
