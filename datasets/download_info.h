#pragma once

#include <string>
#include <vector>

namespace hpf {

// Where each benchmark comes from. The app does no downloading of its own here; this table feeds the
// "dataset not found" help text and the docs.
struct DatasetDownload {
  std::string kind;                // as open_dataset() names it
  std::string title;               // "SPair-71k"
  std::vector<std::string> urls;   // official archives, first = main one
  std::string reference_drive_id;  // Google Drive file id the reference's download.py uses (a .tar.gz)
  std::string marker;              // file or folder the dataset root must contain
  std::string notes;               // what else is needed and how the folder must look
};

const std::vector<DatasetDownload>& dataset_downloads();

// Multi-line, human-readable steps to get `kind` onto a machine without network access from the app. Throws
// DatasetError for an unknown kind.
std::string offline_instructions(const std::string& kind);

}  // namespace hpf
