#include "core/compute/backbone.h"
#include "core/compute/backbone_impl.h"
#include "core/compute/module_state.h"

#include <torch/nn/module.h>

#include <ATen/ATen.h>

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
  return name == "dinov2";
}

std::vector<int> default_layers(const std::string& backbone_name) {
  if (built_from_checkpoint(backbone_name)) {
    throw std::invalid_argument(
        backbone_name +
        " is available to `hpf features` only in this version: matching, evaluation and "
        "layer search with it are not wired yet");
  }
  if (backbone_name == "resnet50") return {2, 7, 11, 12, 13};
  if (backbone_name == "resnet101") return {2, 17, 21, 22, 25, 26, 28};
  if (backbone_name == "fcn_resnet101" || backbone_name == "fcn101") return {2, 4, 5, 18, 19, 20, 24, 32};
  if (backbone_name == "mobilenet_v2") return {4, 7, 10, 13, 16};
  throw unknown_backbone(backbone_name);
}

std::vector<std::string> backbone_names() {
  return {"resnet50", "resnet101", "fcn_resnet101", "mobilenet_v2"};
}

std::unique_ptr<Backbone> make_backbone(const std::string& requested) {
  const std::string name = requested == "fcn101" ? "fcn_resnet101" : requested;
  if (auto backbone = make_resnet(name)) return backbone;
  if (auto backbone = make_mobilenet_v2(name)) return backbone;
  if (built_from_checkpoint(name)) {
    throw std::invalid_argument(name +
                                " takes its architecture from its checkpoint: load it with its weights "
                                "(--weights FILE)");
  }
  throw unknown_backbone(requested);
}

}  // namespace hpf
