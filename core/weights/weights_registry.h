#pragma once
// The official weight files each backbone can use: torchvision's, with the sha256 prefix torchvision embeds
// in the file name (and verifies after download), and DINOv2's, which publish no checksum (the sha256 of the
// first download is recorded instead: weights_cache.h).

#include <cstdint>
#include <string>
#include <vector>

namespace hpf {

struct WeightsEntry {
  std::string backbone;       // e.g. "resnet101", as hpf_compute names backbones
  std::string name;           // e.g. "IMAGENET1K_V1" (torchvision's name where it has one)
  std::string file_name;      // e.g. "resnet101-63fe2227.pth"
  std::string url;            // official download URL
  std::string sha256_prefix;  // leading hex digits of the file's sha256, e.g. "63fe2227"; "" if none is
                              // published (then the first download's sha256 is recorded and required)
  int64_t approx_bytes = 0;   // for progress estimates and messages
  bool is_default = false;    // the one used when the user names only the backbone
  std::string description;
  bool has_published_checksum() const { return !sha256_prefix.empty(); }
};

// Every registered weight file, defaults first.
const std::vector<WeightsEntry>& weights_registry();

// Backbone names that have weights, in registry order, without repeats.
std::vector<std::string> registered_backbones();

// The default weights of `backbone` (the V1 torchvision file). Throws WeightsError naming the known
// backbones.
const WeightsEntry& default_weights(const std::string& backbone);

// The weights `name` of `backbone`. Throws WeightsError naming the known choices.
const WeightsEntry& find_weights(const std::string& backbone, const std::string& name);

// The hash prefix torchvision reads from a file name: the hex digits between the last '-' and the next '.'
// ("resnet50-0676ba61.pth" -> "0676ba61"), or "" if the name has none.
std::string hash_prefix_from_file_name(const std::string& file_name);

}  // namespace hpf
