#include "core/search/image_store.h"

#include "core/compute/hyperpixel_flow.h"
#include "core/image/image_io.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>

namespace hpf {

ImageStore::ImageStore(const Dataset& dataset, Backbone& backbone, std::vector<int> layer_ids,
                       const MatchOptions& match, size_t budget_bytes)
    : dataset_(dataset),
      backbone_(backbone),
      layer_ids_(backbone.checked_ids(layer_ids)),
      match_(match),
      budget_(budget_bytes) {
  std::sort(layer_ids_.begin(), layer_ids_.end());
  layer_ids_.erase(std::unique(layer_ids_.begin(), layer_ids_.end()), layer_ids_.end());
}

std::shared_ptr<const StoredImage> ImageStore::get(const std::string& path) {
  auto found = entries_.find(path);
  if (found != entries_.end()) {
    order_.splice(order_.begin(), order_, found->second.second);
    ++hits_;
    return found->second.first;
  }
  c10::InferenceMode inference;
  const DecodedImage decoded = decode_image(dataset_.read_file(path), dataset_.location(path));
  auto entry = std::make_shared<StoredImage>();
  entry->image = prepare_for_matching(decoded.rgb, match_);
  entry->decode_scale = decoded.scale;
  LayerPass pass = run_layers(backbone_, entry->image.tensor, layer_ids_, match_);
  if (pass.class_activation.defined()) {
    entry->class_activation = pass.class_activation;
    entry->bytes += entry->class_activation.numel() * sizeof(float);
  }
  const std::vector<at::Tensor>& maps = pass.maps;
  for (size_t i = 0; i < layer_ids_.size(); ++i) {
    at::Tensor map = maps[i].squeeze(0).to(at::kCPU).contiguous();
    entry->bytes += map.numel() * sizeof(float);
    entry->maps.emplace(layer_ids_[i], std::move(map));
  }
  ++passes_;
  // Keep at least the entries of the pair in flight (the two most recent), whatever the budget says.
  while (used_ + entry->bytes > budget_ && order_.size() > 1) {
    const std::string victim = order_.back();
    order_.pop_back();
    used_ -= entries_[victim].first->bytes;
    entries_.erase(victim);
  }
  order_.push_front(path);
  entries_.emplace(path, std::make_pair(entry, order_.begin()));
  used_ += entry->bytes;
  return entry;
}

}  // namespace hpf
