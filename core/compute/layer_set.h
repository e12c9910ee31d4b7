#pragma once
// Sets of hyperpixel layer ids, and the id lists users type for them: one parser and two formats for every
// front end (the CLI's --layers, the GUI's layer field, the layer search's seeds and candidates).

#include <string>
#include <vector>

namespace hpf {

// Hyperpixel layer ids, ascending and unique; the first is the base layer.
using LayerSet = std::vector<int>;

// "(2,4,7)", the reference's log format.
std::string format_layers(const LayerSet& layers);
// "2,4,7", the format parse_layer_set() reads (the CLI's --layers, the GUI's layer field).
std::string format_layer_ids(const LayerSet& layers);

// Parses "0-33", "0,1,2,3", "2,4-7,10" or "2 4 7" into ascending unique ids: ids and ranges a-b separated by
// commas or spaces. `option` names the option in messages ("candidates: '3-x' is not a layer id or a range
// a-b"). Throws OptionError (option_error.h) for anything else, a backwards range, or an empty list.
std::vector<int> parse_id_list(const std::string& text, const std::string& option);

// parse_id_list for the hyperpixel layers of a match (OptionError names "layers").
LayerSet parse_layer_set(const std::string& text);

}  // namespace hpf
