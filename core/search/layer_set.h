#pragma once
// Layer sets of the search and the id lists users type for them.

#include <string>
#include <vector>

namespace hpf {

// Hyperpixel layer ids, ascending and unique; the first is the base layer.
using LayerSet = std::vector<int>;

// "(2,4,7)", the reference's log format.
std::string format_layers(const LayerSet& layers);

// Parses "0-33", "0,1,2,3" or "2,4-7,10" into ascending unique ids. `option` names the option in messages
// ("--candidates: '3-x' is not an id or a range a-b"). Throws std::invalid_argument.
std::vector<int> parse_id_list(const std::string& text, const std::string& option);

}  // namespace hpf
