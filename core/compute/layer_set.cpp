#include "core/compute/layer_set.h"

#include "core/compute/option_error.h"

#include <algorithm>
#include <regex>

namespace hpf {

std::string format_layers(const LayerSet& layers) {
  return "(" + format_layer_ids(layers) + ")";
}

std::string format_layer_ids(const LayerSet& layers) {
  std::string text;
  for (size_t i = 0; i < layers.size(); ++i) text += (i ? "," : "") + std::to_string(layers[i]);
  return text;
}

namespace {

// Adds the ids of one comma-separated part: an id, a range a-b, or ids separated by spaces.
void add_part(const std::string& part, const std::string& option, std::vector<int>* ids) {
  static const std::regex single("^\\s*(\\d{1,4})\\s*$"), range("^\\s*(\\d{1,4})\\s*-\\s*(\\d{1,4})\\s*$"),
      spaced("^\\s*\\d{1,4}(\\s+\\d{1,4})+\\s*$"), number("\\d+");
  std::smatch m;
  if (std::regex_match(part, m, single)) {
    ids->push_back(std::stoi(m[1]));
  } else if (std::regex_match(part, m, range)) {
    const int a = std::stoi(m[1]), b = std::stoi(m[2]);
    if (a > b) throw OptionError(option, "the range '" + part + "' runs backwards");
    for (int id = a; id <= b; ++id) ids->push_back(id);
  } else if (std::regex_match(part, spaced)) {
    for (std::sregex_iterator it(part.begin(), part.end(), number), end; it != end; ++it)
      ids->push_back(std::stoi(it->str()));
  } else {
    throw OptionError(option, "'" + part + "' is not a layer id or a range a-b (ids have at most 4 digits)");
  }
}

}  // namespace

std::vector<int> parse_id_list(const std::string& text, const std::string& option) {
  if (text.find_first_not_of(" \t") == std::string::npos) throw OptionError(option, "names no layer id");
  std::vector<int> ids;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    add_part(text.substr(start, comma - start), option, &ids);
    start = comma + 1;
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

LayerSet parse_layer_set(const std::string& text) {
  return parse_id_list(text, "layers");
}

}  // namespace hpf
