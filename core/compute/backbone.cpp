#include "core/compute/backbone.h"
#include "core/compute/backbone_impl.h"
#include "core/compute/dinov2.h"
#include "core/compute/module_state.h"

#include <torch/nn/module.h>

#include <ATen/ATen.h>

#include <algorithm>
#include <stdexcept>

namespace hpf {

std::vector<at::Tensor> Backbone::extract_with_classifier(const at::Tensor&, const std::vector<int>&,
                                                          ClassifierPass*) {
  throw std::invalid_argument(name() + " has no ImageNet classifier, which class activation maps need");
}

at::Tensor Backbone::classifier_weight() {
  throw std::invalid_argument(name() + " has no ImageNet classifier, which class activation maps need");
}

std::vector<int> Backbone::checked_ids(const std::vector<int>& layer_ids) const {
  if (layer_ids.empty()) throw std::invalid_argument("the layer set is empty: give at least one layer id");
  const int count = static_cast<int>(layers().size());
  for (int id : layer_ids) {
    if (id < 0 || id >= count) {
      throw std::invalid_argument(name() + " has no layer " + std::to_string(id) + " (valid ids: 0.." +
                                  std::to_string(count - 1) + ")");
    }
  }
  return layer_ids;
}

void ModuleBackbone::load_state_dict(const StateDict& state) {
  load_module_state(module(), checkpoint_prefix_.empty() ? state : strip_prefix(state, checkpoint_prefix_),
                    name_);
}

StateDict ModuleBackbone::expected_state() {
  StateDict state;
  for (auto& [key, value] : module_state(module())) state.emplace(checkpoint_prefix_ + key, value);
  return state;
}

void ModuleBackbone::to(c10::Device device) {
  module().to(device);
  device_ = device;
}

at::Tensor ModuleBackbone::checked_image(const at::Tensor& image) const {
  if (image.dim() != 4 || image.size(0) != 1 || image.size(1) != 3) {
    throw std::invalid_argument(name_ + ": expected a (1, 3, H, W) image tensor, got " +
                                std::to_string(image.dim()) + " dimensions");
  }
  if (image.scalar_type() != at::kFloat) throw std::invalid_argument(name_ + ": expected a float32 image");
  return image.to(device_);
}

namespace {

std::invalid_argument unknown_backbone(const std::string& name) {
  std::string known;
  for (const auto& n : backbone_names()) known += (known.empty() ? "" : ", ") + n;
  return std::invalid_argument("unknown backbone '" + name + "' (known: " + known + ")");
}

}  // namespace

bool built_from_checkpoint(const std::string& name) {
  return is_dinov2(name);
}

void check_backbone_name(const std::string& name) {
  const auto names = backbone_names();
  if (name == "fcn101" || name == "dinov2" || std::find(names.begin(), names.end(), name) != names.end())
    return;
  throw unknown_backbone(name);
}

int default_max_side(const std::string& backbone_name) {
  check_backbone_name(backbone_name);
  return is_dinov2(backbone_name) ? 518 : 300;
}

std::vector<int> default_layers(const std::string& backbone_name) {
  if (backbone_name == "dinov2") {
    throw std::invalid_argument(
        "dinov2 takes its depth from the checkpoint, so it has no default layer set: give the block ids "
        "(--layers), or name the model (e.g. dinov2_vitb14)");
  }
  // DINOv2: the last block alone, the token map zero-shot correspondence work uses (SD-DINO, GeoAware-SC),
  // until a layer search on real data says otherwise.
  if (is_dinov2(backbone_name)) return {static_cast<int>(dinov2_named_config(backbone_name).depth) - 1};
  if (backbone_name == "resnet50") return {2, 7, 11, 12, 13};
  if (backbone_name == "resnet101") return {2, 17, 21, 22, 25, 26, 28};
  if (backbone_name == "fcn_resnet101" || backbone_name == "fcn101") return {2, 4, 5, 18, 19, 20, 24, 32};
  if (backbone_name == "mobilenet_v2") return {4, 7, 10, 13, 16};
  throw unknown_backbone(backbone_name);
}

std::vector<std::string> backbone_names() {
  std::vector<std::string> names = {"resnet50", "resnet101", "fcn_resnet101", "mobilenet_v2"};
  for (const std::string& name : dinov2_model_names()) names.push_back(name);
  return names;
}

std::vector<LayerInfo> backbone_layers(const std::string& name) {
  if (is_dinov2(name) && name != "dinov2") return dinov2_layers(dinov2_named_config(name));
  return make_backbone(name)->layers();
}

std::unique_ptr<Backbone> make_backbone(const std::string& requested) {
  const std::string name = requested == "fcn101" ? "fcn_resnet101" : requested;
  if (auto backbone = make_resnet(name)) return backbone;
  if (auto backbone = make_mobilenet_v2(name)) return backbone;
  if (is_dinov2(name) && name != "dinov2") return make_random_dinov2(name);
  if (built_from_checkpoint(name)) {
    throw std::invalid_argument(name +
                                " takes its architecture from its checkpoint: load it with its weights "
                                "(--weights FILE)");
  }
  throw unknown_backbone(requested);
}

}  // namespace hpf
