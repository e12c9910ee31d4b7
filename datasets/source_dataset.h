#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/source.h"

namespace hpf {

// Common base of the readers: file access goes through the DatasetSource the dataset was opened from.
class SourceDataset : public Dataset {
 public:
  explicit SourceDataset(std::unique_ptr<DatasetSource> source) : source_(std::move(source)) {}

  std::vector<uint8_t> read_file(const std::string& relative_path) const override {
    return source_->read(relative_path);
  }
  std::string location(const std::string& relative_path) const override {
    return source_->location(relative_path);
  }

 protected:
  const DatasetSource& source() const { return *source_; }
  // Throws "<dataset>: unknown split '<x>'; expected one of: a, b" unless `split` is one of splits().
  void require_split(const std::string& split) const;
  // The annotation file as text, for the CSV and JSON parsers.
  std::string read_text(const std::string& relative_path) const;

 private:
  std::unique_ptr<DatasetSource> source_;
};

}  // namespace hpf
