#include "datasets/source_dataset.h"

#include <algorithm>

namespace hpf {

void SourceDataset::require_split(const std::string& split) const {
  const std::vector<std::string> known = splits();
  if (std::find(known.begin(), known.end(), split) != known.end()) return;
  std::string list;
  for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
  throw DatasetError(name() + ": unknown split '" + split + "'; expected one of: " + list);
}

std::string SourceDataset::read_text(const std::string& relative_path) const {
  const std::vector<uint8_t> bytes = source_->read(relative_path);
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace hpf
