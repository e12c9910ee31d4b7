#include "datasets/source.h"

#include <algorithm>
#include <set>

#include <QFileInfo>

#include "datasets/dataset_error.h"
#include "datasets/folder_source.h"
#include "datasets/tar_source.h"
#include "datasets/zip_source.h"

namespace hpf {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

size_t depth(const std::string& folder) {
  return folder.empty() ? 0 : size_t(std::count(folder.begin(), folder.end(), '/')) + 1;
}

}  // namespace

std::string normalize_relative_path(const std::string& path, const std::string& context) {
  if (path.empty()) throw DatasetError(context + ": empty path");
  if (path.front() == '/') {
    throw DatasetError(context + ": path '" + path +
                       "' is absolute; expected a path inside the dataset root");
  }
  std::string normalized;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string part = path.substr(start, end - start);
    if (part == "..") {
      throw DatasetError(context + ": path '" + path + "' contains '..' and would escape the dataset root");
    }
    if (!part.empty() && part != ".") {
      if (!normalized.empty()) normalized += '/';
      normalized += part;
    }
    start = end + 1;
  }
  if (normalized.empty()) throw DatasetError(context + ": path '" + path + "' names no file");
  return normalized;
}

std::string find_root_in_listing(const std::vector<std::string>& member_paths, const std::string& marker,
                                 const std::string& archive_path) {
  // Archives often omit explicit folder entries, so every ancestor of every member counts as present.
  std::set<std::string> present;
  for (const std::string& member : member_paths) {
    for (size_t slash = member.find('/'); slash != std::string::npos; slash = member.find('/', slash + 1)) {
      present.insert(member.substr(0, slash));
    }
    present.insert(member);
  }
  bool found = false;
  std::string best;
  for (const std::string& candidate : present) {
    std::string root;
    if (candidate == marker) {
      root = "";
    } else if (ends_with(candidate, "/" + marker)) {
      root = candidate.substr(0, candidate.size() - marker.size() - 1);
    } else {
      continue;
    }
    // std::set iterates in lexicographic order, so ties in depth resolve to the first name.
    if (!found || depth(root) < depth(best)) best = root;
    found = true;
  }
  if (!found) {
    throw DatasetError("archive " + archive_path + ": no '" + marker +
                       "' inside; expected the dataset's top folder to contain it");
  }
  return best;
}

std::unique_ptr<DatasetSource> open_source(const std::string& folder_or_archive, const std::string& marker) {
  const QFileInfo info(QString::fromStdString(folder_or_archive));
  if (!info.exists()) throw DatasetError(folder_or_archive + ": no such file or folder");
  if (info.isDir()) return std::make_unique<FolderSource>(folder_or_archive, marker);
  const std::string name = lowercase(folder_or_archive);
  if (ends_with(name, ".zip")) return std::make_unique<ZipSource>(folder_or_archive, marker);
  if (ends_with(name, ".tar") || ends_with(name, ".tar.gz") || ends_with(name, ".tgz")) {
    return std::make_unique<TarSource>(folder_or_archive, marker);
  }
  throw DatasetError(folder_or_archive +
                     ": unsupported container; expected a folder, .zip, .tar, .tar.gz or .tgz");
}

}  // namespace hpf
