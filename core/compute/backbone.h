#pragma once
// CNN backbones whose intermediate layers make hyperpixels (docs/method.md §1).

#include "core/compute/layer_geometry.h"
#include "core/compute/state_dict.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <memory>
#include <string>
#include <vector>

namespace hpf {

// What an ImageNet classifier head saw on one pass: its input map (after the network's last activation) and
// its logits. SCOT's class activation maps are made of these (docs/method.md §10).
struct ClassifierPass {
  at::Tensor feature_map;  // (1, C, h, w)
  at::Tensor logits;       // (1, 1000)
};

// A feature extractor with numbered layers. Implementations live in the .cpp files; use make_backbone().
class Backbone {
 public:
  virtual ~Backbone() = default;

  // Canonical name: "resnet50", "resnet101", "fcn_resnet101", "mobilenet_v2", "dinov2" or a named DINOv2.
  virtual const std::string& name() const = 0;

  // Every selectable layer, indexed by id, with geometry computed from the architecture.
  virtual const std::vector<LayerInfo>& layers() const = 0;

  // Runs the network on a normalised (1, 3, H, W) float image and returns the outputs of `layer_ids`, in the
  // order given. The forward pass stops after the deepest requested layer. Throws std::invalid_argument for
  // an empty list or an id the backbone lacks.
  virtual std::vector<at::Tensor> extract(const at::Tensor& image, const std::vector<int>& layer_ids) = 0;

  // ImageNet logits (1, 1000), for checking real weights. Throws for backbones without a classifier (FCN).
  virtual at::Tensor classify(const at::Tensor& image) = 0;

  // Like extract(), but runs the network to its end and also returns what its classifier saw (`head` may be
  // null for a pass that only needs the classifier's). Throws std::invalid_argument for a backbone without an
  // ImageNet classifier.
  virtual std::vector<at::Tensor> extract_with_classifier(const at::Tensor& image,
                                                          const std::vector<int>& layer_ids,
                                                          ClassifierPass* head);
  // The classifier's weight matrix (1000, C), on the backbone's device; throws like extract_with_classifier.
  virtual at::Tensor classifier_weight();

  // Copies a torchvision state dict into the network. Every tensor the network needs must be present with the
  // right shape and dtype; the first mismatch is named in the std::runtime_error thrown. Extra keys
  // (classifier heads a backbone does not use) are ignored.
  virtual void load_state_dict(const StateDict& state) = 0;

  // The tensors load_state_dict() expects, with their shapes (for checks and for writing test checkpoints).
  virtual StateDict expected_state() = 0;

  virtual void to(c10::Device device) = 0;
  virtual c10::Device device() const = 0;

  // Checks the ids and returns them validated; throws std::invalid_argument naming the offending id.
  std::vector<int> checked_ids(const std::vector<int>& layer_ids) const;
};

// The paper's layer set for a backbone (PF-PASCAL/PF-WILLOW sets; MobileNetV2: the best set of our reference
// runs; a named DINOv2: its last block). Throws std::invalid_argument for an unknown name and for "dinov2",
// whose depth only its checkpoint knows.
std::vector<int> default_layers(const std::string& backbone_name);

// The longer image side a backbone's matches use unless told otherwise: the paper's 300 px for the CNNs,
// 518 px for DINOv2 (the 37 x 37 patch grid it was trained at). Throws for an unknown name.
int default_max_side(const std::string& backbone_name);

// Backbones built by reading their checkpoint (DINOv2, core/compute/dinov2.h: "dinov2" takes its whole
// architecture from it; the named models check it): load_backbone builds them from the state dict.
bool built_from_checkpoint(const std::string& name);

// Throws std::invalid_argument listing the known names unless `name` is a backbone (or "dinov2"), without
// building anything.
void check_backbone_name(const std::string& name);

// The layers of a backbone by name, without loading or initialising weights (DINOv2: from its published
// configuration). Throws like make_backbone().
std::vector<LayerInfo> backbone_layers(const std::string& name);

// Names accepted by make_backbone(), canonical first (the CNNs, then the named DINOv2 models).
std::vector<std::string> backbone_names();

// Creates an untrained backbone by name ("resnet50", "resnet101", "fcn_resnet101"/"fcn101", "mobilenet_v2",
// a named DINOv2 model with random weights). Throws std::invalid_argument listing the known names for
// anything else, and for "dinov2" (its architecture comes from a checkpoint).
std::unique_ptr<Backbone> make_backbone(const std::string& name);

}  // namespace hpf
