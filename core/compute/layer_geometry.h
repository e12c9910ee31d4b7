#pragma once
// Receptive-field geometry of a feed-forward CNN, computed from its layers rather than tabulated.
//
// The standard recursion (e.g. Araujo et al., "Computing Receptive Fields of CNNs", Distill 2019): for a
// layer with kernel k, stride s and dilation d applied to a map whose jump (input pixels between neighbouring
// positions) is j and whose receptive field is r,   r' = r + (k - 1) * d * j   and   j' = j * s. Residual
// shortcuts are narrower than the main path, so the main path defines the receptive field.

#include <cstdint>
#include <string>
#include <vector>

namespace hpf {

// Geometry and shape of one selectable layer of a backbone.
struct LayerInfo {
  int id = 0;                   // layer id as used in hyperpixel layer sets (docs/method.md §1)
  std::string stage;            // human-readable position, e.g. "layer3.4" or "features.7"
  int64_t channels = 0;         // output channels
  int64_t jump = 1;             // input pixels between neighbouring output positions (the layer's stride)
  int64_t receptive_field = 1;  // side of the receptive field in input pixels
  // Position x's box is centred at x * jump + box_offset. CNNs: 0 (the reference centres receptive fields on
  // x * jump); a vision transformer's patch x covers [x * jump, x * jump + jump], centre x * jump + jump / 2.
  int64_t box_offset = 0;
};

// Accumulates jump and receptive field while an architecture is described layer by layer.
class ReceptiveFieldTracker {
 public:
  // Registers a convolution or pooling window on the main path.
  void window(int64_t kernel, int64_t stride, int64_t dilation = 1);

  int64_t jump() const { return jump_; }
  int64_t receptive_field() const { return receptive_field_; }
  LayerInfo layer(int id, std::string stage, int64_t channels) const;

 private:
  int64_t jump_ = 1;
  int64_t receptive_field_ = 1;
};

}  // namespace hpf
