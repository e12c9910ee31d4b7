#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hpf {

// Read-only access to the files of one dataset, wherever they live (a folder, a .zip, a .tar/.tar.gz). Paths
// are relative to the dataset root, '/'-separated. The readers only ever see this interface, so every dataset
// format works from every container.
class DatasetSource {
 public:
  virtual ~DatasetSource() = default;

  // Where a file is, for error messages: "/data/PF-WILLOW/test_pairs.csv" or
  // "/dl/x.zip:PF-WILLOW/test_pairs.csv".
  virtual std::string location(const std::string& relative_path) const = 0;
  // True when a regular file exists at that path. Throws DatasetError for a path escaping the root.
  virtual bool exists(const std::string& relative_path) const = 0;
  // The whole file. Throws DatasetError (naming location()) when missing, unreadable or escaping the root.
  virtual std::vector<uint8_t> read(const std::string& relative_path) const = 0;
};

// Opens a folder or an archive (.zip, .tar, .tar.gz, .tgz) as a dataset. The dataset root is the folder
// holding `marker` (a file or folder path such as "test_pairs.csv" or "Layout"): the given folder itself, one
// of its subfolders up to two levels down, or the shallowest such folder inside the archive.
std::unique_ptr<DatasetSource> open_source(const std::string& folder_or_archive, const std::string& marker);

// Canonical form of a dataset-relative path: drops empty and "." components. Throws DatasetError for absolute
// paths and for ".." components, so nothing read through a source can leave the dataset root. `context` names
// where the path came from, for the message.
std::string normalize_relative_path(const std::string& path, const std::string& context);

// The dataset root inside an archive given all its member paths: the shallowest folder that contains `marker`
// ("" = the archive top level). Throws DatasetError naming the archive when no member matches.
std::string find_root_in_listing(const std::vector<std::string>& member_paths, const std::string& marker,
                                 const std::string& archive_path);

}  // namespace hpf
