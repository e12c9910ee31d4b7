#include "core/compute/state_dict.h"

namespace hpf {

StateDict strip_prefix(const StateDict& state, const std::string& prefix) {
  StateDict out;
  for (const auto& [key, value] : state) {
    if (key.compare(0, prefix.size(), prefix) == 0) out.emplace(key.substr(prefix.size()), value);
  }
  return out;
}

}  // namespace hpf
