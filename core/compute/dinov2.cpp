#include "core/compute/dinov2.h"

#include <ATen/ATen.h>

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace hpf {
namespace {

// The register count, and with it the positional interpolation of the official models: the `_reg` models
// interpolate to the output size with antialias; the others by scale factors, offset 0.1.
void set_registers(DinoV2Config& c, int64_t registers) {
  c.registers = registers;
  c.interpolate_antialias = registers > 0;
  c.interpolate_offset = registers > 0 ? 0.0 : 0.1;
}

const at::Tensor& key(const StateDict& state, const std::string& name) {
  const auto found = state.find(name);
  if (found == state.end()) throw std::runtime_error("DINOv2 checkpoint: no tensor '" + name + "'");
  return found->second;
}

class DinoV2Backbone final : public Backbone {
 public:
  explicit DinoV2Backbone(DinoV2Config config)
      : config_(std::move(config)), layers_(dinov2_layers(config_)) {}

  const std::string& name() const override { return config_.name; }
  const std::vector<LayerInfo>& layers() const override { return layers_; }

  std::vector<at::Tensor> extract(const at::Tensor& image, const std::vector<int>& layer_ids) override {
    const std::vector<int> ids = checked_ids(layer_ids);
    const int deepest = *std::max_element(ids.begin(), ids.end());
    const at::Tensor padded = pad_to_patches(image.to(device_));
    const int64_t rows = padded.size(2) / config_.patch, cols = padded.size(3) / config_.patch;
    std::vector<at::Tensor> captured(layers_.size());
    at::Tensor x = prepare_tokens(padded);
    for (int i = 0; i <= deepest; ++i) {
      x = block(x, i);
      captured[i] = patch_map(x, rows, cols);
    }
    std::vector<at::Tensor> out;
    for (int id : ids) out.push_back(captured[id]);
    return out;
  }

  at::Tensor classify(const at::Tensor&) override {
    throw std::invalid_argument(name() + " has no ImageNet classifier");
  }

  void load_state_dict(const StateDict& state) override {
    const StateDict expected = expected_state();
    for (const auto& [name, tensor] : expected) {
      const at::Tensor& given = key(state, name);
      if (given.sizes() != tensor.sizes()) {
        throw std::runtime_error("DINOv2 checkpoint: '" + name + "' has shape " + shape_text(given) +
                                 ", expected " + shape_text(tensor));
      }
      weights_[name] = given.to(device_, at::kFloat).contiguous();
    }
  }

  StateDict expected_state() override {
    const int64_t d = config_.embed_dim, p = config_.patch;
    StateDict s;
    // Shapes only (meta tensors hold no memory: ViT-g's would be 4.5 GB).
    const auto add = [&](const std::string& name, std::vector<int64_t> shape) {
      s[name] = at::empty(shape, at::TensorOptions().device(at::kMeta));
    };
    add("cls_token", {1, 1, d});
    add("pos_embed", {1, config_.pos_grid * config_.pos_grid + 1, d});
    if (config_.registers > 0) add("register_tokens", {1, config_.registers, d});
    add("patch_embed.proj.weight", {d, 3, p, p});
    add("patch_embed.proj.bias", {d});
    for (int64_t i = 0; i < config_.depth; ++i) {
      const std::string b = "blocks." + std::to_string(i) + ".";
      for (const char* norm : {"norm1", "norm2"}) {
        add(b + norm + ".weight", {d});
        add(b + norm + ".bias", {d});
      }
      add(b + "attn.qkv.weight", {3 * d, d});
      add(b + "attn.qkv.bias", {3 * d});
      add(b + "attn.proj.weight", {d, d});
      add(b + "attn.proj.bias", {d});
      add(b + "ls1.gamma", {d});
      add(b + "ls2.gamma", {d});
      if (config_.swiglu) {
        add(b + "mlp.w12.weight", {2 * config_.mlp_hidden, d});
        add(b + "mlp.w12.bias", {2 * config_.mlp_hidden});
        add(b + "mlp.w3.weight", {d, config_.mlp_hidden});
        add(b + "mlp.w3.bias", {d});
      } else {
        add(b + "mlp.fc1.weight", {config_.mlp_hidden, d});
        add(b + "mlp.fc1.bias", {config_.mlp_hidden});
        add(b + "mlp.fc2.weight", {d, config_.mlp_hidden});
        add(b + "mlp.fc2.bias", {d});
      }
    }
    add("norm.weight", {d});
    add("norm.bias", {d});
    return s;
  }

  void to(c10::Device device) override {
    device_ = device;
    for (auto& [name, tensor] : weights_) tensor = tensor.to(device);
  }
  c10::Device device() const override { return device_; }

  // Tokens after embedding, then after each block (for parity checks).
  std::vector<at::Tensor> all_tokens(const at::Tensor& image) {
    std::vector<at::Tensor> out;
    at::Tensor x = prepare_tokens(pad_to_patches(image.to(device_)));
    out.push_back(x);
    for (int64_t i = 0; i < config_.depth; ++i) out.push_back(x = block(x, static_cast<int>(i)));
    return out;
  }

 private:
  static std::string shape_text(const at::Tensor& t) {
    std::string text = "(";
    for (int64_t d : t.sizes()) text += std::to_string(d) + ", ";
    if (t.dim() > 0) text.resize(text.size() - 2);
    return text + ")";
  }

  const at::Tensor& w(const std::string& name) const {
    const auto found = weights_.find(name);
    if (found == weights_.end()) throw std::logic_error("dinov2: weights not loaded ('" + name + "')");
    return found->second;
  }

  // Zeros (after normalisation) at the bottom and right up to multiples of the patch size.
  at::Tensor pad_to_patches(const at::Tensor& image) const {
    const int64_t p = config_.patch;
    const int64_t pad_h = (p - image.size(2) % p) % p, pad_w = (p - image.size(3) % p) % p;
    if (pad_h == 0 && pad_w == 0) return image;
    return at::constant_pad_nd(image, {0, pad_w, 0, pad_h}, 0);
  }

  // The official interpolate_pos_encoding, including its naming of the image height `w`.
  at::Tensor positions(int64_t rows, int64_t cols) const {
    const at::Tensor& pos = w("pos_embed");
    const int64_t m = config_.pos_grid, d = config_.embed_dim;
    if (rows * cols == m * m && rows == cols) return pos;
    const at::Tensor grid = pos.slice(1, 1).reshape({1, m, m, d}).permute({0, 3, 1, 2});
    at::Tensor resized;
    if (config_.interpolate_antialias) {
      resized = at::_upsample_bicubic2d_aa(grid, {rows, cols}, false, c10::nullopt, c10::nullopt);
    } else if (config_.interpolate_offset != 0) {
      // F.interpolate(scale_factor=(sx, sy)): output floor(m * s), sampled with the given factors.
      const double sx = (static_cast<double>(rows) + config_.interpolate_offset) / static_cast<double>(m);
      const double sy = (static_cast<double>(cols) + config_.interpolate_offset) / static_cast<double>(m);
      const auto out_rows = static_cast<int64_t>(std::floor(static_cast<double>(m) * sx));
      const auto out_cols = static_cast<int64_t>(std::floor(static_cast<double>(m) * sy));
      if (out_rows != rows || out_cols != cols) {
        throw std::logic_error("dinov2: positional interpolation gives " + std::to_string(out_rows) + "x" +
                               std::to_string(out_cols) + " for " + std::to_string(rows) + "x" +
                               std::to_string(cols) + " patches");
      }
      resized = at::upsample_bicubic2d(grid, {rows, cols}, false, sx, sy);
    } else {
      resized = at::upsample_bicubic2d(grid, {rows, cols}, false);
    }
    const at::Tensor patches = resized.permute({0, 2, 3, 1}).reshape({1, -1, d});
    return at::cat({pos.slice(1, 0, 1), patches}, 1);
  }

  at::Tensor prepare_tokens(const at::Tensor& image) const {
    const int64_t rows = image.size(2) / config_.patch, cols = image.size(3) / config_.patch;
    at::Tensor x = at::conv2d(image, w("patch_embed.proj.weight"), w("patch_embed.proj.bias"), config_.patch);
    x = x.flatten(2).transpose(1, 2);  // (1, rows*cols, D)
    x = at::cat({w("cls_token").expand({x.size(0), -1, -1}), x}, 1);
    x = x + positions(rows, cols);
    if (config_.registers > 0) {
      x = at::cat({x.slice(1, 0, 1), w("register_tokens").expand({x.size(0), -1, -1}), x.slice(1, 1)}, 1);
    }
    return x;
  }

  at::Tensor attention(const at::Tensor& x, const std::string& b) const {
    const int64_t batch = x.size(0), n = x.size(1), d = x.size(2), heads = config_.heads;
    const at::Tensor qkv = at::linear(x, w(b + "attn.qkv.weight"), w(b + "attn.qkv.bias"))
                               .reshape({batch, n, 3, heads, d / heads})
                               .permute({2, 0, 3, 1, 4});
    const at::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
    // softmax(q k^T / sqrt(d)) v, as scaled_dot_product_attention defines it.
    const at::Tensor scores = at::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(d / heads));
    const at::Tensor out = at::matmul(at::softmax(scores, -1), v).transpose(1, 2).reshape({batch, n, d});
    return at::linear(out, w(b + "attn.proj.weight"), w(b + "attn.proj.bias"));
  }

  at::Tensor block(const at::Tensor& x, int i) const {
    const std::string b = "blocks." + std::to_string(i) + ".";
    const int64_t d = config_.embed_dim;
    const auto norm = [&](const at::Tensor& t, const char* which) {
      return at::layer_norm(t, {d}, w(b + which + ".weight"), w(b + which + ".bias"), 1e-6);
    };
    const at::Tensor y = x + attention(norm(x, "norm1"), b) * w(b + "ls1.gamma");
    return y + mlp(norm(y, "norm2"), b) * w(b + "ls2.gamma");
  }

  at::Tensor mlp(const at::Tensor& x, const std::string& b) const {
    if (config_.swiglu) {  // the official SwiGLUFFN: chunk w12's output in two halves
      const std::vector<at::Tensor> halves =
          at::linear(x, w(b + "mlp.w12.weight"), w(b + "mlp.w12.bias")).chunk(2, -1);
      return at::linear(at::silu(halves[0]) * halves[1], w(b + "mlp.w3.weight"), w(b + "mlp.w3.bias"));
    }
    const at::Tensor hidden = at::gelu(at::linear(x, w(b + "mlp.fc1.weight"), w(b + "mlp.fc1.bias")));
    return at::linear(hidden, w(b + "mlp.fc2.weight"), w(b + "mlp.fc2.bias"));
  }

  // A block's patch tokens (after the class and register tokens) as a (1, D, rows, cols) map.
  at::Tensor patch_map(const at::Tensor& x, int64_t rows, int64_t cols) const {
    return x.slice(1, 1 + config_.registers)
        .reshape({x.size(0), rows, cols, -1})
        .permute({0, 3, 1, 2})
        .contiguous();
  }

  DinoV2Config config_;
  std::vector<LayerInfo> layers_;
  std::map<std::string, at::Tensor> weights_;
  c10::Device device_{c10::kCPU};
};

}  // namespace

DinoV2Config dinov2_config(const StateDict& state) {
  DinoV2Config c;
  c.embed_dim = key(state, "cls_token").size(2);
  if (c.embed_dim % 64 != 0) {
    throw std::runtime_error("DINOv2 checkpoint: embedding width " + std::to_string(c.embed_dim) +
                             " is not a multiple of the head dimension 64");
  }
  c.heads = c.embed_dim / 64;
  while (state.count("blocks." + std::to_string(c.depth) + ".norm1.weight")) ++c.depth;
  if (c.depth == 0) throw std::runtime_error("DINOv2 checkpoint: no 'blocks.0.norm1.weight'");
  const auto registers = state.find("register_tokens");
  set_registers(c, registers == state.end() ? 0 : registers->second.size(1));
  c.patch = key(state, "patch_embed.proj.weight").size(2);
  const int64_t positions = key(state, "pos_embed").size(1) - 1;
  c.pos_grid = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(positions))));
  if (c.pos_grid * c.pos_grid != positions) {
    throw std::runtime_error("DINOv2 checkpoint: pos_embed holds " + std::to_string(positions) +
                             " patch positions, not a square grid");
  }
  c.swiglu = state.count("blocks.0.mlp.w12.weight") > 0;
  c.mlp_hidden =
      c.swiglu ? key(state, "blocks.0.mlp.w3.weight").size(1) : key(state, "blocks.0.mlp.fc1.weight").size(0);
  return c;
}

std::vector<LayerInfo> dinov2_layers(const DinoV2Config& config) {
  std::vector<LayerInfo> layers;
  for (int64_t i = 0; i < config.depth; ++i) {
    LayerInfo info;
    info.id = static_cast<int>(i);
    info.stage = "blocks." + std::to_string(i);
    info.channels = config.embed_dim;
    info.jump = config.patch;
    info.receptive_field = config.patch;
    info.box_offset = config.patch / 2;  // patch x covers [14x, 14x + 14]
    layers.push_back(info);
  }
  return layers;
}

const std::vector<std::string>& dinov2_model_names() {
  static const std::vector<std::string> names = {
      "dinov2_vits14",     "dinov2_vitb14",     "dinov2_vitl14",     "dinov2_vitg14",
      "dinov2_vits14_reg", "dinov2_vitb14_reg", "dinov2_vitl14_reg", "dinov2_vitg14_reg"};
  return names;
}

bool is_dinov2(const std::string& name) {
  const auto& names = dinov2_model_names();
  return name == "dinov2" || std::find(names.begin(), names.end(), name) != names.end();
}

DinoV2Config dinov2_named_config(const std::string& name) {
  const auto& names = dinov2_model_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    throw std::invalid_argument("'" + name + "' is not a named DINOv2 model");
  }
  DinoV2Config c;
  c.name = name;
  const char size = name[std::string("dinov2_vit").size()];
  // The official vit_small/base/large/giant2 (dinov2/models/vision_transformer.py), patch 14, img_size 518.
  const std::map<char, std::pair<int64_t, int64_t>> width_depth = {
      {'s', {384, 12}}, {'b', {768, 12}}, {'l', {1024, 24}}, {'g', {1536, 40}}};
  std::tie(c.embed_dim, c.depth) = width_depth.at(size);
  c.heads = c.embed_dim / 64;
  c.swiglu = size == 'g';
  // SwiGLUFFNFused: (int(4 * dim * 2 / 3) + 7) // 8 * 8 hidden units; the others 4 * dim.
  c.mlp_hidden = c.swiglu ? (4 * c.embed_dim * 2 / 3 + 7) / 8 * 8 : 4 * c.embed_dim;
  set_registers(c, name.size() > 4 && name.compare(name.size() - 4, 4, "_reg") == 0 ? 4 : 0);
  return c;
}

namespace {

std::string describe(const DinoV2Config& c) {
  return "embedding width " + std::to_string(c.embed_dim) + ", " + std::to_string(c.depth) + " blocks, " +
         (c.registers ? std::to_string(c.registers) + " register tokens"
                      : std::string("no register tokens")) +
         ", " + (c.swiglu ? "SwiGLU" : "GELU") + " MLP of " + std::to_string(c.mlp_hidden) + ", patch " +
         std::to_string(c.patch) + ", " + std::to_string(c.pos_grid) + "x" + std::to_string(c.pos_grid) +
         " positions";
}

}  // namespace

std::unique_ptr<Backbone> make_dinov2(const StateDict& state, const std::string& name) {
  DinoV2Config config = dinov2_config(state);
  if (name != "dinov2") {
    const DinoV2Config named = dinov2_named_config(name);
    if (describe(named) != describe(config)) {
      throw std::runtime_error("the checkpoint holds a DINOv2 with " + describe(config) + "; " + name +
                               " has " + describe(named) +
                               " (--backbone dinov2 takes the architecture from the checkpoint)");
    }
    config = named;
  }
  auto backbone = std::make_unique<DinoV2Backbone>(config);
  backbone->load_state_dict(state);
  return backbone;
}

std::unique_ptr<Backbone> make_random_dinov2(const std::string& name, uint64_t seed) {
  const DinoV2Config config = dinov2_named_config(name);
  auto backbone = std::make_unique<DinoV2Backbone>(config);
  at::Generator generator = at::detail::createCPUGenerator(seed);
  StateDict state = backbone->expected_state();
  for (auto& [key_name, tensor] : state) {
    tensor = at::empty(tensor.sizes());
    const bool is_norm = key_name.find("norm") != std::string::npos;
    const bool is_bias = key_name.size() > 5 && key_name.compare(key_name.size() - 5, 5, ".bias") == 0;
    if (key_name.find(".gamma") != std::string::npos || (is_norm && !is_bias)) {
      tensor.fill_(1.0);
    } else if (is_bias) {
      tensor.zero_();
    } else {
      tensor.normal_(0.0, 0.02, generator);
    }
  }
  backbone->load_state_dict(state);
  return backbone;
}

int64_t dinov2_parameter_count(const DinoV2Config& config) {
  DinoV2Backbone shapes(config);
  int64_t count = 0;
  for (const auto& [unused, tensor] : shapes.expected_state()) count += tensor.numel();
  return count;
}

std::vector<at::Tensor> dinov2_tokens(Backbone& dinov2, const at::Tensor& image) {
  auto* vit = dynamic_cast<DinoV2Backbone*>(&dinov2);
  if (!vit) throw std::invalid_argument("not a DINOv2 backbone: " + dinov2.name());
  return vit->all_tokens(image);
}

}  // namespace hpf
