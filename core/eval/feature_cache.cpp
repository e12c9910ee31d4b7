#include "core/eval/feature_cache.h"

namespace hpf {

std::shared_ptr<const DescribedImage> FeatureCache::find(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  order_.splice(order_.begin(), order_, it->second.second);
  return it->second.first;
}

void FeatureCache::insert(const std::string& key, std::shared_ptr<const DescribedImage> value) {
  if (capacity_ == 0) return;
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    it->second.first = std::move(value);
    order_.splice(order_.begin(), order_, it->second.second);
    return;
  }
  order_.push_front(key);
  entries_.emplace(key, std::make_pair(std::move(value), order_.begin()));
  while (entries_.size() > capacity_) {
    entries_.erase(order_.back());
    order_.pop_back();
  }
}

}  // namespace hpf
