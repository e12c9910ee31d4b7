#include "core/weights/weights_registry.h"

#include "core/weights/weights_error.h"

#include <algorithm>

namespace hpf {

namespace {

const char kBaseUrl[] = "https://download.pytorch.org/models/";

WeightsEntry entry(const char* backbone, const char* name, const char* file_name, int64_t approx_bytes,
                   bool is_default, const char* description) {
  return {backbone,
          name,
          file_name,
          std::string(kBaseUrl) + file_name,
          hash_prefix_from_file_name(file_name),
          approx_bytes,
          is_default,
          description};
}

// DINOv2's official checkpoints (facebookresearch/dinov2, LVD-142M pretraining). No checksums are published:
// the sha256 of the first download is recorded and checked on every later use (weights_cache.h).
WeightsEntry dinov2_entry(const std::string& model, int64_t approx_bytes, const char* description) {
  const bool registers = model.size() > 4 && model.compare(model.size() - 4, 4, "_reg") == 0;
  const std::string base = registers ? model.substr(0, model.size() - 4) : model;
  const std::string file = base + (registers ? "_reg4" : "") + "_pretrain.pth";
  return {model,
          "LVD142M",
          file,
          "https://dl.fbaipublicfiles.com/dinov2/" + base + "/" + file,
          "",
          approx_bytes,
          true,
          std::string(description) + (registers ? " with 4 register tokens" : "") +
              " (DINOv2, LVD-142M; no published checksum)"};
}

std::string choices(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

const std::vector<WeightsEntry>& weights_registry() {
  static const std::vector<WeightsEntry> registry = {
      entry("resnet50", "IMAGENET1K_V1", "resnet50-0676ba61.pth", 102'530'333, true,
            "torchvision ResNet-50 ImageNet weights (IMAGENET1K_V1)"),
      entry("resnet101", "IMAGENET1K_V1", "resnet101-63fe2227.pth", 178'793'939, true,
            "torchvision ResNet-101 ImageNet weights (IMAGENET1K_V1)"),
      entry("fcn_resnet101", "COCO_WITH_VOC_LABELS_V1", "fcn_resnet101_coco-7ecb50ca.pth", 217'800'805, true,
            "torchvision FCN ResNet-101 trained on COCO with VOC labels; Hyperpixel Flow uses its backbone"),
      entry("mobilenet_v2", "IMAGENET1K_V1", "mobilenet_v2-b0353104.pth", 14'212'972, true,
            "torchvision MobileNetV2 ImageNet weights (IMAGENET1K_V1)"),
      dinov2_entry("dinov2_vits14", 88'300'000, "ViT-S/14"),
      dinov2_entry("dinov2_vitb14", 346'400'000, "ViT-B/14"),
      dinov2_entry("dinov2_vitl14", 1'217'600'000, "ViT-L/14"),
      dinov2_entry("dinov2_vitg14", 4'546'100'000, "ViT-g/14"),
      dinov2_entry("dinov2_vits14_reg", 88'300'000, "ViT-S/14"),
      dinov2_entry("dinov2_vitb14_reg", 346'400'000, "ViT-B/14"),
      dinov2_entry("dinov2_vitl14_reg", 1'217'600'000, "ViT-L/14"),
      dinov2_entry("dinov2_vitg14_reg", 4'546'100'000, "ViT-g/14"),
      entry("resnet50", "PAPER", "resnet50-19c8e357.pth", 102'502'400, false,
            "the original torchvision ResNet-50 weights of the Hyperpixel Flow paper era"),
      entry("resnet101", "PAPER", "resnet101-5d3b4d8f.pth", 178'728'960, false,
            "the original torchvision ResNet-101 weights the Hyperpixel Flow paper code downloads"),
  };
  return registry;
}

std::vector<std::string> registered_backbones() {
  std::vector<std::string> names;
  for (const WeightsEntry& e : weights_registry()) {
    if (std::find(names.begin(), names.end(), e.backbone) == names.end()) names.push_back(e.backbone);
  }
  return names;
}

const WeightsEntry& default_weights(const std::string& backbone) {
  for (const WeightsEntry& e : weights_registry()) {
    if (e.backbone == backbone && e.is_default) return e;
  }
  throw WeightsError("no weights are registered for backbone '" + backbone +
                     "'; known backbones: " + choices(registered_backbones()));
}

const WeightsEntry& find_weights(const std::string& backbone, const std::string& name) {
  std::vector<std::string> known;
  for (const WeightsEntry& e : weights_registry()) {
    if (e.backbone != backbone) continue;
    if (e.name == name) return e;
    known.push_back(e.name);
  }
  if (known.empty()) default_weights(backbone);  // throws, naming the known backbones
  throw WeightsError("backbone '" + backbone + "' has no weights named '" + name +
                     "'; known: " + choices(known));
}

std::string hash_prefix_from_file_name(const std::string& file_name) {
  const auto dash = file_name.rfind('-');
  if (dash == std::string::npos) return {};
  const auto dot = file_name.find('.', dash);
  if (dot == std::string::npos) return {};
  const std::string hex = file_name.substr(dash + 1, dot - dash - 1);
  const bool all_hex = std::all_of(hex.begin(), hex.end(),
                                   [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  return all_hex ? hex : std::string();
}

}  // namespace hpf
