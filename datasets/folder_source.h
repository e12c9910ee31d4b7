#pragma once

#include <string>

#include "datasets/source.h"

namespace hpf {

// A dataset unpacked on disk. Files are read straight from the file system; nothing is cached.
class FolderSource : public DatasetSource {
 public:
  // Finds the folder holding `marker` (the given folder or a subfolder up to two levels down).
  FolderSource(const std::string& folder, const std::string& marker);

  std::string location(const std::string& relative_path) const override;
  bool exists(const std::string& relative_path) const override;
  std::vector<uint8_t> read(const std::string& relative_path) const override;

  const std::string& root() const { return root_; }

 private:
  std::string root_;  // absolute, no trailing '/'
};

}  // namespace hpf
