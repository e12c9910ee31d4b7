#pragma once
// DINOv2 vision transformers (Oquab et al. 2023; the official `DinoVisionTransformer`) as hyperpixel
// backbones: layer id i is block i's patch tokens as a C x h x w map (no final norm), patch x covering input
// pixels [14x, 14x + 14]. The named models (dinov2_vits14 ... dinov2_vitg14_reg) have their published
// configuration, checked against the checkpoint; "dinov2" takes it from the checkpoint's shapes (embedding
// width, depth, registers, MLP; head dimension 64), so any member of the family loads.

#include "core/compute/backbone.h"
#include "core/compute/state_dict.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hpf {

struct DinoV2Config {
  std::string name = "dinov2";  // the backbone's name: "dinov2" or a named model
  int64_t embed_dim = 0;
  int64_t depth = 0;
  int64_t heads = 0;      // embed_dim / 64
  int64_t registers = 0;  // register tokens after the class token
  int64_t patch = 14;
  int64_t pos_grid = 37;  // the positional embedding's side (518 / 14)
  int64_t mlp_hidden = 0;
  // ViT-g's MLP: w3(silu(x1) * x2) with (x1, x2) = w12(x) halved; the others fc2(gelu(fc1(x))).
  bool swiglu = false;
  // The official models interpolate positions two ways: without registers by scale factors
  // ((h/14 + 0.1)/37, ...), no antialias; with registers to the output size, with antialias.
  double interpolate_offset = 0.1;
  bool interpolate_antialias = false;
};

// The named models, plain then with registers: dinov2_vits14, dinov2_vitb14, dinov2_vitl14, dinov2_vitg14,
// dinov2_vits14_reg, ... (torch hub's names).
const std::vector<std::string>& dinov2_model_names();

// Whether `name` is "dinov2" or a named model.
bool is_dinov2(const std::string& name);

// The published configuration of a named model; throws std::invalid_argument for any other name.
DinoV2Config dinov2_named_config(const std::string& name);

// The layers (blocks) of a configuration: jump and receptive field 14, box offset 7.
std::vector<LayerInfo> dinov2_layers(const DinoV2Config& config);

// Reads the configuration from a checkpoint; throws std::runtime_error naming the missing or inconsistent
// key.
DinoV2Config dinov2_config(const StateDict& state);

// Builds `name` ("dinov2": the checkpoint's own configuration; a named model: its published one, which the
// checkpoint must match, else a std::runtime_error says what the checkpoint holds) and loads `state`.
std::unique_ptr<Backbone> make_dinov2(const StateDict& state, const std::string& name = "dinov2");

// A named model with random weights (normal, std 0.02; LayerNorms and LayerScale at 1; seeded), for
// benchmarks and shape checks: timings do not depend on the values.
std::unique_ptr<Backbone> make_random_dinov2(const std::string& name, uint64_t seed = 0);

// The parameter count of a configuration (its checkpoint's float32 size is 4 bytes each).
int64_t dinov2_parameter_count(const DinoV2Config& config);

// The tokens of every block, for parity checks: [0] after patch embedding, class/register tokens and
// positions, then each block's output (1, 1 + R + h*w, D). `image` is (1, 3, H, W), H and W multiples of the
// patch size.
std::vector<at::Tensor> dinov2_tokens(Backbone& dinov2, const at::Tensor& image);

}  // namespace hpf
