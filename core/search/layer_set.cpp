#include "core/search/layer_set.h"

#include <algorithm>
#include <regex>
#include <stdexcept>

namespace hpf {

std::string format_layers(const LayerSet& layers) {
  std::string text = "(";
  for (size_t i = 0; i < layers.size(); ++i) text += (i ? "," : "") + std::to_string(layers[i]);
  return text + ")";
}

std::vector<int> parse_id_list(const std::string& text, const std::string& option) {
  static const std::regex single("^\\s*(\\d{1,4})\\s*$"), range("^\\s*(\\d{1,4})\\s*-\\s*(\\d{1,4})\\s*$");
  std::vector<int> ids;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string part = text.substr(start, comma - start);
    std::smatch m;
    if (std::regex_match(part, m, single)) {
      ids.push_back(std::stoi(m[1]));
    } else if (std::regex_match(part, m, range)) {
      const int a = std::stoi(m[1]), b = std::stoi(m[2]);
      if (a > b) throw std::invalid_argument(option + ": the range '" + part + "' runs backwards");
      for (int id = a; id <= b; ++id) ids.push_back(id);
    } else {
      throw std::invalid_argument(option + ": '" + part + "' is not a layer id or a range a-b");
    }
    start = comma + 1;
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace hpf
