#include "ui/filtered_dataset.h"

namespace hpf {

FilteredDataset::FilteredDataset(std::shared_ptr<const Dataset> base, std::string split,
                                 std::vector<PairAnnotation> pairs)
    : base_(std::move(base)), split_(std::move(split)), pairs_(std::move(pairs)) {}

std::vector<PairAnnotation> FilteredDataset::pairs(const std::string& split) const {
  if (split != split_) {
    throw DatasetError(base_->name() + ": split '" + split + "' is not the filtered split '" + split_ + "'");
  }
  return pairs_;
}

}  // namespace hpf
