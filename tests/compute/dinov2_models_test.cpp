// The named DINOv2 models: their published configurations, the check of a checkpoint against the name, the
// defaults (last block, 518 px), and a real-size ViT-S/14 run at 518 px. The official-code parity of the
// numerics is tests/pipeline/dinov2_parity_test.cpp; checkpoints in the official layout written by torch are
// tests/pipeline/dinov2_models_cli_test.sh.

#include "core/compute/dinov2.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace hpf {
namespace {

// A state dict of `name`'s shapes, filled with random values.
StateDict random_state(const std::string& name) {
  const std::unique_ptr<Backbone> shapes = make_random_dinov2(name);
  StateDict state;
  for (const auto& [key, tensor] : shapes->expected_state()) state[key] = at::randn(tensor.sizes()) * 0.02;
  return state;
}

std::string error_of(const StateDict& state, const std::string& name) {
  try {
    make_dinov2(state, name);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(DinoV2Models, PublishedConfigurations) {
  struct Expected {
    const char* name;
    int64_t width, depth, heads, hidden;
    bool swiglu;
    int64_t registers;
    int64_t parameters;  // counted by hand from the official shapes (no mask_token)
  };
  const Expected models[] = {
      {"dinov2_vits14", 384, 12, 6, 1536, false, 0, 22'056'192},
      {"dinov2_vitb14", 768, 12, 12, 3072, false, 0, 86'579'712},
      {"dinov2_vitl14", 1024, 24, 16, 4096, false, 0, 304'367'616},
      {"dinov2_vitg14", 1536, 40, 24, 4096, true, 0, 1'136'479'232},
      {"dinov2_vitb14_reg", 768, 12, 12, 3072, false, 4, 86'582'784},
  };
  for (const Expected& m : models) {
    const DinoV2Config c = dinov2_named_config(m.name);
    EXPECT_EQ(c.embed_dim, m.width) << m.name;
    EXPECT_EQ(c.depth, m.depth) << m.name;
    EXPECT_EQ(c.heads, m.heads) << m.name;
    EXPECT_EQ(c.mlp_hidden, m.hidden) << m.name;
    EXPECT_EQ(c.swiglu, m.swiglu) << m.name;
    EXPECT_EQ(c.registers, m.registers) << m.name;
    EXPECT_EQ(c.interpolate_antialias, m.registers > 0) << m.name;
    EXPECT_EQ(c.interpolate_offset, m.registers > 0 ? 0.0 : 0.1) << m.name;
    EXPECT_EQ(dinov2_parameter_count(c), m.parameters) << m.name;
  }
  EXPECT_THROW(dinov2_named_config("dinov2_vith14"), std::invalid_argument);
  EXPECT_FALSE(is_dinov2("dinov2_vith14"));
  EXPECT_TRUE(is_dinov2("dinov2"));
}

TEST(DinoV2Models, DefaultsAreTheLastBlockAt518Pixels) {
  EXPECT_EQ(default_layers("dinov2_vits14"), std::vector<int>{11});
  EXPECT_EQ(default_layers("dinov2_vitl14_reg"), std::vector<int>{23});
  EXPECT_EQ(default_layers("dinov2_vitg14"), std::vector<int>{39});
  EXPECT_THROW(default_layers("dinov2"), std::invalid_argument);  // depth unknown without a checkpoint
  EXPECT_EQ(default_max_side("dinov2_vitb14"), 518);
  EXPECT_EQ(default_max_side("dinov2"), 518);
  EXPECT_EQ(default_max_side("resnet101"), 300);
  // Described without building (ViT-g's weights would be 4.5 GB).
  const std::vector<LayerInfo> g = backbone_layers("dinov2_vitg14");
  ASSERT_EQ(g.size(), 40u);
  EXPECT_EQ(g[39].channels, 1536);
  EXPECT_EQ(g[39].stage, "blocks.39");
  EXPECT_EQ(g[0].jump, 14);
  EXPECT_EQ(g[0].receptive_field, 14);
  EXPECT_EQ(g[0].box_offset, 7);
}

TEST(DinoV2Models, CheckpointMustMatchTheName) {
  at::manual_seed(1);
  const StateDict small = random_state("dinov2_vits14");
  EXPECT_EQ(make_dinov2(small, "dinov2_vits14")->name(), "dinov2_vits14");
  EXPECT_EQ(make_dinov2(small, "dinov2")->layers().size(), 12u);  // read from the checkpoint alone
  const std::string wrong_size = error_of(small, "dinov2_vitb14");
  EXPECT_NE(wrong_size.find("holds a DINOv2 with embedding width 384, 12 blocks, no register tokens"),
            std::string::npos)
      << wrong_size;
  EXPECT_NE(wrong_size.find("dinov2_vitb14 has embedding width 768"), std::string::npos) << wrong_size;
  const std::string no_registers = error_of(small, "dinov2_vits14_reg");
  EXPECT_NE(no_registers.find("4 register tokens"), std::string::npos) << no_registers;
  // A damaged tensor is named with both shapes.
  StateDict damaged = small;
  damaged["blocks.3.mlp.fc1.weight"] = at::zeros({1536, 383});
  const std::string shape = error_of(damaged, "dinov2_vits14");
  EXPECT_NE(shape.find("'blocks.3.mlp.fc1.weight' has shape (1536, 383), expected (1536, 384)"),
            std::string::npos)
      << shape;
}

// ViT-g's SwiGLU layout is recognised from the checkpoint (w12/w3 instead of fc1/fc2).
TEST(DinoV2Models, SwiGluCheckpointConfiguresItself) {
  StateDict state;
  const int64_t d = 128, hidden = 344;  // (int(4 * 128 * 2 / 3) + 7) // 8 * 8
  state["cls_token"] = at::zeros({1, 1, d});
  state["pos_embed"] = at::zeros({1, 37 * 37 + 1, d});
  state["patch_embed.proj.weight"] = at::zeros({d, 3, 14, 14});
  state["blocks.0.norm1.weight"] = at::zeros({d});
  state["blocks.0.mlp.w12.weight"] = at::zeros({2 * hidden, d});
  state["blocks.0.mlp.w3.weight"] = at::zeros({d, hidden});
  const DinoV2Config c = dinov2_config(state);
  EXPECT_TRUE(c.swiglu);
  EXPECT_EQ(c.mlp_hidden, hidden);
  EXPECT_EQ(c.depth, 1);
  EXPECT_EQ(c.heads, 2);
}

// A real-size ViT-S/14 at the default side: a 518 x 388 image pads to 518 x 392, 28 x 37 patches. (Its first
// two blocks: the sanitizer pass runs this; all twelve, and ViT-B/14, run in cli.dinov2_models.)
TEST(DinoV2Models, RealSizeVitSmallRunsAt518Pixels) {
  const std::unique_ptr<Backbone> vit = make_backbone("dinov2_vits14");
  at::manual_seed(2);
  const std::vector<at::Tensor> maps = vit->extract(at::randn({1, 3, 388, 518}), {0, 1});
  ASSERT_EQ(maps.size(), 2u);
  EXPECT_EQ(maps[0].sizes(), (at::IntArrayRef{1, 384, 28, 37}));
  EXPECT_EQ(maps[1].sizes(), (at::IntArrayRef{1, 384, 28, 37}));
  EXPECT_TRUE(at::isfinite(maps[1]).all().item<bool>());
  EXPECT_FALSE(at::equal(maps[0], maps[1]));
}

}  // namespace
}  // namespace hpf
