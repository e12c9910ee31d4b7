#pragma once
// DINOv2 vision transformers (Oquab et al. 2023; the official `DinoVisionTransformer`) as hyperpixel
// backbones: layer id i is block i's patch tokens as a C x h x w map (no final norm). The configuration comes
// from the checkpoint's shapes (embedding width, depth, registers; head dimension 64), so any member of the
// family loads.

#include "core/compute/backbone.h"
#include "core/compute/state_dict.h"

#include <cstdint>
#include <memory>

namespace hpf {

struct DinoV2Config {
  int64_t embed_dim = 0;
  int64_t depth = 0;
  int64_t heads = 0;      // embed_dim / 64
  int64_t registers = 0;  // register tokens after the class token
  int64_t patch = 14;
  int64_t pos_grid = 37;  // the positional embedding's side (518 / 14)
  int64_t mlp_hidden = 0;
  // The official models interpolate positions two ways: without registers by scale factors
  // ((h/14 + 0.1)/37, ...), no antialias; with registers to the output size, with antialias.
  double interpolate_offset = 0.1;
  bool interpolate_antialias = false;
};

// Reads the configuration from a checkpoint; throws std::runtime_error naming the missing or inconsistent
// key.
DinoV2Config dinov2_config(const StateDict& state);

// The backbone "dinov2", built for `state`'s configuration and loaded with it.
std::unique_ptr<Backbone> make_dinov2(const StateDict& state);

// The tokens of every block, for parity checks: [0] after patch embedding, class/register tokens and
// positions, then each block's output (1, 1 + R + h*w, D). `image` is (1, 3, H, W), H and W multiples of the
// patch size.
std::vector<at::Tensor> dinov2_tokens(Backbone& dinov2, const at::Tensor& image);

}  // namespace hpf
