#pragma once
// A dataset whose split holds only the pairs the browser's filter kept: an evaluation of "the current dataset
// and filter" runs the core's run_evaluation() on it unchanged. Files are read from the underlying dataset.

#include "datasets/dataset.h"

#include <memory>
#include <string>
#include <vector>

namespace hpf {

class FilteredDataset : public Dataset {
 public:
  FilteredDataset(std::shared_ptr<const Dataset> base, std::string split, std::vector<PairAnnotation> pairs);

  std::string name() const override { return base_->name(); }
  std::vector<std::string> splits() const override { return {split_}; }
  std::string default_split() const override { return split_; }
  std::vector<std::string> categories() const override { return base_->categories(); }
  ThresholdKind default_threshold() const override { return base_->default_threshold(); }
  AnnotationKind annotation_kind() const override { return base_->annotation_kind(); }
  // The filtered pairs of the split; throws DatasetError for any other split.
  std::vector<PairAnnotation> pairs(const std::string& split) const override;
  std::vector<uint8_t> read_file(const std::string& relative_path) const override {
    return base_->read_file(relative_path);
  }
  std::string location(const std::string& relative_path) const override {
    return base_->location(relative_path);
  }

 private:
  std::shared_ptr<const Dataset> base_;
  std::string split_;
  std::vector<PairAnnotation> pairs_;
};

}  // namespace hpf
