// ResNet-50/101 (torchvision layout, stride in the 3x3 convolution) and the dilated ResNet-101 inside
// torchvision's fcn_resnet101. Layer id 0 is the stem output (after max-pooling); ids 1..N are the bottleneck
// blocks in forward order, captured after the residual addition and before the block's final ReLU
// (docs/method.md §1).

#include "core/compute/backbone.h"
#include "core/compute/backbone_impl.h"
#include "core/compute/module_state.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <ATen/ATen.h>

#include <algorithm>
#include <stdexcept>

namespace hpf {
namespace {

namespace nn = torch::nn;
constexpr int64_t kExpansion = 4;

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t dilation = 1) {
  const int64_t padding = kernel == 1 ? 0 : dilation * (kernel / 2);
  return nn::Conv2d(
      nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).dilation(dilation).bias(false));
}

struct BottleneckImpl : nn::Module {
  BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride, int64_t dilation, bool with_downsample)
      : conv1(register_module("conv1", conv(inplanes, planes, 1))),
        bn1(register_module("bn1", nn::BatchNorm2d(planes))),
        conv2(register_module("conv2", conv(planes, planes, 3, stride, dilation))),
        bn2(register_module("bn2", nn::BatchNorm2d(planes))),
        conv3(register_module("conv3", conv(planes, planes * kExpansion, 1))),
        bn3(register_module("bn3", nn::BatchNorm2d(planes * kExpansion))) {
    if (with_downsample) {
      downsample =
          register_module("downsample", nn::Sequential(conv(inplanes, planes * kExpansion, 1, stride),
                                                       nn::BatchNorm2d(planes * kExpansion)));
    }
  }

  // Residual sum before the final ReLU: the tensor the reference captures as a hyperpixel layer.
  at::Tensor forward_pre_relu(const at::Tensor& x) {
    at::Tensor out = at::relu(bn1(conv1(x)));
    out = at::relu(bn2(conv2(out)));
    out = bn3(conv3(out));
    out += downsample ? downsample->forward(x) : x;
    return out;
  }

  // Declared in torchvision's registration order, which is also the order the initialisers run in.
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::Conv2d conv2;
  nn::BatchNorm2d bn2;
  nn::Conv2d conv3;
  nn::BatchNorm2d bn3;
  nn::Sequential downsample{nullptr};
};
TORCH_MODULE(Bottleneck);

struct ResNetNetImpl : nn::Module {
  nn::Conv2d conv1{nullptr};
  nn::BatchNorm2d bn1{nullptr};
  std::vector<Bottleneck> blocks;  // all bottlenecks in forward order (layer id = index + 1)
  nn::Linear fc{nullptr};
};
TORCH_MODULE(ResNetNet);

class ResNetBackbone final : public ModuleBackbone {
 public:
  ResNetBackbone(const std::string& name, std::vector<int> blocks_per_stage, bool dilated,
                 bool with_classifier)
      : ModuleBackbone(name, name == "fcn_resnet101" ? "backbone." : ""), net_(ResNetNet()) {
    ReceptiveFieldTracker rf;
    net_->conv1 = net_->register_module("conv1", conv(3, 64, 7, 2));
    net_->bn1 = net_->register_module("bn1", nn::BatchNorm2d(64));
    rf.window(7, 2);
    rf.window(3, 2);  // max-pool 3x3, stride 2
    layers_.push_back(rf.layer(0, "stem", 64));

    int64_t inplanes = 64;
    int64_t dilation = 1;
    for (int stage = 0; stage < 4; ++stage) {
      const int64_t planes = int64_t{64} << stage;
      int64_t stride = stage == 0 ? 1 : 2;
      const int64_t previous_dilation = dilation;
      // torchvision's replace_stride_with_dilation=[False, True, True]: stages 3 and 4 trade stride for
      // dilation.
      if (dilated && stage >= 2) {
        dilation *= stride;
        stride = 1;
      }
      auto stage_module = net_->register_module("layer" + std::to_string(stage + 1), nn::ModuleList());
      for (int b = 0; b < blocks_per_stage[stage]; ++b) {
        const bool first = b == 0;
        const int64_t block_stride = first ? stride : 1;
        const int64_t block_dilation = first ? previous_dilation : dilation;
        const bool with_downsample = first && (stride != 1 || inplanes != planes * kExpansion);
        Bottleneck block(first ? inplanes : planes * kExpansion, planes, block_stride, block_dilation,
                         with_downsample);
        stage_module->push_back(block);
        net_->blocks.push_back(block);
        rf.window(1, 1);
        rf.window(3, block_stride, block_dilation);
        rf.window(1, 1);
        layers_.push_back(rf.layer(static_cast<int>(net_->blocks.size()),
                                   "layer" + std::to_string(stage + 1) + "." + std::to_string(b),
                                   planes * kExpansion));
      }
      inplanes = planes * kExpansion;
    }
    if (with_classifier) net_->fc = net_->register_module("fc", nn::Linear(inplanes, 1000));
    net_->eval();
  }

  std::vector<at::Tensor> extract(const at::Tensor& image, const std::vector<int>& layer_ids) override {
    const std::vector<int> ids = checked_ids(layer_ids);
    const int deepest = *std::max_element(ids.begin(), ids.end());
    std::vector<at::Tensor> captured(layers_.size());
    auto wanted = [&](int id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); };

    at::Tensor x = stem(checked_image(image));
    if (wanted(0)) captured[0] = x;
    for (int id = 1; id <= deepest; ++id) {
      at::Tensor pre_relu = net_->blocks[id - 1]->forward_pre_relu(x);
      if (wanted(id)) captured[id] = pre_relu;
      if (id < deepest) x = at::relu(pre_relu);
    }
    std::vector<at::Tensor> out;
    out.reserve(ids.size());
    for (int id : ids) out.push_back(captured[id]);
    return out;
  }

  at::Tensor classify(const at::Tensor& image) override {
    if (!net_->fc) throw std::logic_error(name() + " has no ImageNet classifier");
    at::Tensor x = stem(checked_image(image));
    for (auto& block : net_->blocks) x = at::relu(block->forward_pre_relu(x));
    return net_->fc(at::flatten(at::adaptive_avg_pool2d(x, {1, 1}), 1));
  }

  std::vector<at::Tensor> extract_with_classifier(const at::Tensor& image, const std::vector<int>& layer_ids,
                                                  ClassifierPass* head) override {
    if (!net_->fc) return Backbone::extract_with_classifier(image, layer_ids, head);  // throws
    const std::vector<int> ids = layer_ids.empty() ? layer_ids : checked_ids(layer_ids);
    std::vector<at::Tensor> captured(layers_.size());
    auto wanted = [&](size_t id) {
      return std::find(ids.begin(), ids.end(), static_cast<int>(id)) != ids.end();
    };
    at::Tensor x = stem(checked_image(image));
    if (wanted(0)) captured[0] = x;
    for (size_t id = 1; id < layers_.size(); ++id) {
      at::Tensor pre_relu = net_->blocks[id - 1]->forward_pre_relu(x);
      x = at::relu(pre_relu);
      if (wanted(id)) captured[id] = std::move(pre_relu);
    }
    std::vector<at::Tensor> out;
    for (int id : ids) out.push_back(captured[id]);
    if (head) {
      head->feature_map = x;  // layer4's last block, after its ReLU
      head->logits = net_->fc(at::flatten(at::adaptive_avg_pool2d(x, {1, 1}), 1));
    }
    return out;
  }

  at::Tensor classifier_weight() override {
    if (!net_->fc) return Backbone::classifier_weight();  // throws
    return net_->fc->weight;
  }

 protected:
  nn::Module& module() override { return *net_; }
  const nn::Module& module() const override { return *net_; }

 private:
  at::Tensor stem(const at::Tensor& image) {
    at::Tensor x = at::relu(net_->bn1(net_->conv1(image)));
    return at::max_pool2d(x, {3, 3}, {2, 2}, {1, 1});
  }

  ResNetNet net_;
};

}  // namespace

std::unique_ptr<Backbone> make_resnet(const std::string& name) {
  if (name == "resnet50")
    return std::make_unique<ResNetBackbone>(name, std::vector<int>{3, 4, 6, 3}, false, true);
  if (name == "resnet101")
    return std::make_unique<ResNetBackbone>(name, std::vector<int>{3, 4, 23, 3}, false, true);
  if (name == "fcn_resnet101") {
    return std::make_unique<ResNetBackbone>(name, std::vector<int>{3, 4, 23, 3}, true, false);
  }
  return nullptr;
}

}  // namespace hpf
