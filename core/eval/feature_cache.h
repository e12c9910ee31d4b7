#pragma once
// Per-image hyperpixel cache for evaluations: in a benchmark split every image takes part in many pairs
// (PF-WILLOW: 18 each), so its backbone pass is done once. Least-recently-used eviction, bounded by image
// count.

#include "core/pipeline/pair_matching.h"

#include <list>
#include <memory>
#include <string>
#include <unordered_map>

namespace hpf {

class FeatureCache {
 public:
  explicit FeatureCache(size_t capacity) : capacity_(capacity) {}

  // The cached entry or nullptr; a hit makes the entry most recently used.
  std::shared_ptr<const DescribedImage> find(const std::string& key);
  void insert(const std::string& key, std::shared_ptr<const DescribedImage> value);
  // Whether `key` is cached, without counting a hit or miss or changing the eviction order.
  bool contains(const std::string& key) const { return entries_.count(key) > 0; }

  // Drops every entry (e.g. features computed on a device the backbone has left).
  void clear() {
    entries_.clear();
    order_.clear();
  }

  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }

 private:
  size_t capacity_;
  std::list<std::string> order_;  // most recent first
  std::unordered_map<std::string,
                     std::pair<std::shared_ptr<const DescribedImage>, std::list<std::string>::iterator>>
      entries_;
  size_t hits_ = 0, misses_ = 0;
};

}  // namespace hpf
