#include "core/eval/run_folder.h"

#include "core/eval/run_identity.h"
#include "core/fileio/atomic_file.h"
#include "core/fileio/json_lines.h"

#include <filesystem>
#include <stdexcept>

namespace hpf {
namespace {

bool exists(const std::string& path) {
  std::error_code error;
  return std::filesystem::exists(path, error);
}

bool has_content(const std::string& path) {
  std::error_code error;
  return exists(path) && std::filesystem::file_size(path, error) > 0;
}

}  // namespace

bool RunFolder::open(const std::string& description, bool resume) const {
  ensure_directory(dir);
  const std::string description_path = path(description_file);
  const std::string records_path = path(record_files.front());
  if (resume && exists(description_path)) {
    const std::string differences =
        join_differences(run_differences(read_text_file(description_path), description, description_file));
    if (!differences.empty()) {
      throw std::runtime_error(dir + " holds a different " + kind +
                               ", so it cannot be resumed: " + differences +
                               " (resume with the recorded values, or use another output folder)");
    }
    write_file_atomically(description_path, description);  // same identity; versions and device as of now
    for (const std::string& file : record_files) drop_partial_last_line(path(file));
    return true;
  }
  if (has_content(records_path)) {
    throw std::runtime_error(resume
                                 ? records_path + " has records but " + description_path +
                                       " is missing, so nothing says which " + kind +
                                       " they belong to: use another output folder"
                                 : records_path + " already exists: resume it, or use another output folder");
  }
  write_file_atomically(description_path, description);
  for (const std::string& file : record_files) write_file_atomically(path(file), "");
  return false;
}

}  // namespace hpf
