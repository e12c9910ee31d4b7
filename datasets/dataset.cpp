#include "datasets/dataset.h"

#include <algorithm>
#include <functional>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "datasets/caltech.h"
#include "datasets/pf_pascal.h"
#include "datasets/pf_willow.h"
#include "datasets/spair.h"

namespace hpf {
namespace {

struct DatasetKind {
  std::string name;
  std::vector<std::string> aliases;
  std::function<std::unique_ptr<Dataset>(const std::string&, const DatasetOptions&)> open;
};

// Adding a dataset = one reader file exposing open_<name>() plus one row here.
const std::vector<DatasetKind>& registry() {
  static const std::vector<DatasetKind> kinds = {
      {"spair",
       {"spair-71k", "spair71k"},
       [](const std::string& path, const DatasetOptions& options) {
         return open_spair(path, options.spair_layout);
       }},
      {"pf-pascal",
       {"pfpascal", "pf_pascal"},
       [](const std::string& path, const DatasetOptions&) { return open_pf_pascal(path); }},
      {"pf-willow",
       {"pfwillow", "pf_willow"},
       [](const std::string& path, const DatasetOptions&) { return open_pf_willow(path); }},
      {"caltech",
       {"caltech-101", "caltech101"},
       [](const std::string& path, const DatasetOptions&) { return open_caltech(path); }},
  };
  return kinds;
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

}  // namespace

std::vector<std::string> dataset_kinds() {
  std::vector<std::string> names;
  for (const DatasetKind& kind : registry()) names.push_back(kind.name);
  return names;
}

std::unique_ptr<Dataset> open_dataset(const std::string& kind, const std::string& root_or_archive,
                                      const DatasetOptions& options) {
  const std::string wanted = lowercase(kind);
  for (const DatasetKind& candidate : registry()) {
    const auto& aliases = candidate.aliases;
    if (wanted == candidate.name || std::find(aliases.begin(), aliases.end(), wanted) != aliases.end()) {
      return candidate.open(root_or_archive, options);
    }
  }
  std::string known;
  for (const std::string& name : dataset_kinds()) known += (known.empty() ? "" : ", ") + name;
  throw DatasetError("unknown dataset kind '" + kind + "'; expected one of: " + known);
}

cv::Mat load_image(const Dataset& dataset, const std::string& relative_path) {
  const std::vector<uint8_t> bytes = dataset.read_file(relative_path);
  cv::Mat decoded;
  if (!bytes.empty()) {
    try {
      decoded = cv::imdecode(bytes, cv::IMREAD_COLOR);
    } catch (const cv::Exception& error) {  // some codecs throw on corrupt headers instead of returning empty
      throw DatasetError(dataset.location(relative_path) + ": not a decodable image: " + error.what());
    }
  }
  if (decoded.empty()) {
    throw DatasetError(dataset.location(relative_path) + ": not a decodable image (" +
                       std::to_string(bytes.size()) +
                       " bytes; expected JPEG, PNG or another format OpenCV reads)");
  }
  cv::Mat rgb;
  cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

double pck_threshold(const PairAnnotation& pair, ThresholdKind kind, int target_width, int target_height) {
  double threshold = 0;
  if (kind == ThresholdKind::Image) {
    threshold = double(std::max(target_width, target_height));
  } else {
    if (!pair.has_bbox) {
      throw DatasetError("pair " + pair.id +
                         ": bounding-box PCK threshold requested but the pair has no box");
    }
    const auto& box = pair.target_bbox;
    threshold = std::max(box[2] - box[0], box[3] - box[1]);
  }
  if (!(threshold > 0)) {
    throw DatasetError("pair " + pair.id + ": PCK threshold must be positive, found " +
                       std::to_string(threshold));
  }
  return threshold;
}

}  // namespace hpf
