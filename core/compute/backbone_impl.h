#pragma once
// Shared plumbing of the module-based backbones (internal to the compute library).

#include "core/compute/backbone.h"

namespace torch::nn {
class Module;
}

namespace hpf {

class ModuleBackbone : public Backbone {
 public:
  explicit ModuleBackbone(std::string name, std::string checkpoint_prefix = "")
      : name_(std::move(name)), checkpoint_prefix_(std::move(checkpoint_prefix)) {}

  const std::string& name() const override { return name_; }
  const std::vector<LayerInfo>& layers() const override { return layers_; }
  void load_state_dict(const StateDict& state) override;
  StateDict expected_state() override;
  void to(c10::Device device) override;
  c10::Device device() const override { return device_; }

 protected:
  virtual torch::nn::Module& module() = 0;
  virtual const torch::nn::Module& module() const = 0;

  // Checks that `image` is a (1, 3, H, W) float tensor and moves it to the backbone's device.
  at::Tensor checked_image(const at::Tensor& image) const;

  std::vector<LayerInfo> layers_;

 private:
  std::string name_;
  std::string checkpoint_prefix_;  // torchvision segmentation models keep the backbone under "backbone."
  c10::Device device_{c10::kCPU};
};

std::unique_ptr<Backbone> make_resnet(const std::string& name);
std::unique_ptr<Backbone> make_mobilenet_v2(const std::string& name);

}  // namespace hpf
