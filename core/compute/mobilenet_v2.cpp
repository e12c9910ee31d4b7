// MobileNetV2 in torchvision's layout. Layer id i is the output of features[i] (0..18), nothing applied after
// it.

#include "core/compute/backbone.h"
#include "core/compute/backbone_impl.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/functional.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace hpf {
namespace {

namespace nn = torch::nn;

// torchvision's Conv2dNormActivation: conv (no bias) -> batch norm -> ReLU6, children named 0, 1, 2. A
// Sequential subclass with a concrete forward() so it can sit inside other Sequentials.
struct ConvBnRelu6Impl : nn::SequentialImpl {
  ConvBnRelu6Impl(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups) {
    push_back(nn::Conv2d(nn::Conv2dOptions(in, out, kernel)
                             .stride(stride)
                             .padding((kernel - 1) / 2)
                             .groups(groups)
                             .bias(false)));
    push_back(nn::BatchNorm2d(out));
    push_back(nn::Functional([](const at::Tensor& x) { return at::hardtanh(x, 0.0, 6.0); }));
  }
  at::Tensor forward(at::Tensor x) { return SequentialImpl::forward(std::move(x)); }
};
TORCH_MODULE(ConvBnRelu6);

ConvBnRelu6 conv_bn_relu6(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups) {
  return ConvBnRelu6(in, out, kernel, stride, groups);
}

struct InvertedResidualImpl : nn::Module {
  InvertedResidualImpl(int64_t in, int64_t out, int64_t stride, int64_t expand_ratio,
                       ReceptiveFieldTracker& rf)
      : use_residual(stride == 1 && in == out) {
    const int64_t hidden = static_cast<int64_t>(std::lround(static_cast<double>(in * expand_ratio)));
    nn::Sequential layers;
    if (expand_ratio != 1) {
      layers->push_back(conv_bn_relu6(in, hidden, 1, 1, 1));
      rf.window(1, 1);
    }
    layers->push_back(conv_bn_relu6(hidden, hidden, 3, stride, hidden));
    rf.window(3, stride);
    layers->push_back(nn::Conv2d(nn::Conv2dOptions(hidden, out, 1).bias(false)));
    layers->push_back(nn::BatchNorm2d(out));
    rf.window(1, 1);
    conv = register_module("conv", layers);
  }

  at::Tensor forward(const at::Tensor& x) { return use_residual ? x + conv->forward(x) : conv->forward(x); }

  bool use_residual;
  nn::Sequential conv{nullptr};
};
TORCH_MODULE(InvertedResidual);

struct MobileNetV2NetImpl : nn::Module {
  nn::Sequential features{nullptr};
  nn::Sequential classifier{nullptr};
};
TORCH_MODULE(MobileNetV2Net);

class MobileNetV2Backbone final : public ModuleBackbone {
 public:
  MobileNetV2Backbone() : ModuleBackbone("mobilenet_v2"), net_(MobileNetV2Net()) {
    struct Stage {
      int64_t expand, channels, repeats, stride;
    };
    const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                            {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    ReceptiveFieldTracker rf;
    nn::Sequential features;
    int64_t channels = 32;
    features->push_back(conv_bn_relu6(3, channels, 3, 2, 1));
    rf.window(3, 2);
    layers_.push_back(rf.layer(0, "features.0", channels));
    for (const Stage& stage : stages) {
      for (int64_t i = 0; i < stage.repeats; ++i) {
        features->push_back(
            InvertedResidual(channels, stage.channels, i == 0 ? stage.stride : 1, stage.expand, rf));
        channels = stage.channels;
        const int id = static_cast<int>(layers_.size());
        layers_.push_back(rf.layer(id, "features." + std::to_string(id), channels));
      }
    }
    features->push_back(conv_bn_relu6(channels, 1280, 1, 1, 1));
    rf.window(1, 1);
    layers_.push_back(rf.layer(18, "features.18", 1280));
    net_->features = net_->register_module("features", features);
    net_->classifier =
        net_->register_module("classifier", nn::Sequential(nn::Dropout(0.2), nn::Linear(1280, 1000)));
    net_->eval();
  }

  std::vector<at::Tensor> extract(const at::Tensor& image, const std::vector<int>& layer_ids) override {
    const std::vector<int> ids = checked_ids(layer_ids);
    const int deepest = *std::max_element(ids.begin(), ids.end());
    std::vector<at::Tensor> captured(layers_.size());
    at::Tensor x = checked_image(image);
    int id = 0;
    for (auto& layer : *net_->features) {
      if (id > deepest) break;
      x = layer.forward(x);
      captured[id++] = x;
    }
    std::vector<at::Tensor> out;
    out.reserve(ids.size());
    for (int wanted : ids) out.push_back(captured[wanted]);
    return out;
  }

  at::Tensor classify(const at::Tensor& image) override {
    at::Tensor x = net_->features->forward(checked_image(image));
    return net_->classifier->forward(at::flatten(at::adaptive_avg_pool2d(x, {1, 1}), 1));
  }

  std::vector<at::Tensor> extract_with_classifier(const at::Tensor& image, const std::vector<int>& layer_ids,
                                                  ClassifierPass* head) override {
    const std::vector<int> ids = layer_ids.empty() ? layer_ids : checked_ids(layer_ids);
    std::vector<at::Tensor> captured(layers_.size());
    at::Tensor x = checked_image(image);
    int id = 0;
    for (auto& layer : *net_->features) {
      x = layer.forward(x);
      if (std::find(ids.begin(), ids.end(), id) != ids.end()) captured[id] = x;
      ++id;
    }
    std::vector<at::Tensor> out;
    for (int wanted : ids) out.push_back(captured[wanted]);
    if (head) {
      head->feature_map = x;  // features[18], after its ReLU6
      head->logits = net_->classifier->forward(at::flatten(at::adaptive_avg_pool2d(x, {1, 1}), 1));
    }
    return out;
  }

  at::Tensor classifier_weight() override { return net_->classifier[1]->as<nn::Linear>()->weight; }

 protected:
  nn::Module& module() override { return *net_; }
  const nn::Module& module() const override { return *net_; }

 private:
  MobileNetV2Net net_;
};

}  // namespace

std::unique_ptr<Backbone> make_mobilenet_v2(const std::string& name) {
  if (name == "mobilenet_v2") return std::make_unique<MobileNetV2Backbone>();
  return nullptr;
}

}  // namespace hpf
