// hpf dataset stats|show|download: the benchmark datasets themselves.

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "core/fileio/atomic_file.h"
#include "core/image/image_io.h"
#include "core/pipeline/dataset_download.h"
#include "datasets/download_info.h"
#include "datasets/statistics.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

namespace hpf::cli {
namespace {

std::atomic<bool> cancel_requested{false};

std::string count(const std::map<int, size_t>& counts, int value) {
  const auto found = counts.find(value);
  return std::to_string(found == counts.end() ? 0 : found->second);
}

int stats(const Dataset& dataset, const QCommandLineParser& parser) {
  std::vector<std::string> splits = dataset.splits();
  if (parser.isSet("split")) splits = {parser.value("split").toStdString()};
  std::vector<std::vector<std::string>> rows;
  std::map<std::string, std::map<std::string, size_t>> per_category;
  for (const std::string& split : splits) {
    const DatasetStatistics s = dataset_statistics(dataset.pairs(split));
    rows.push_back({split, std::to_string(s.pairs), count(s.viewpoint_variation, 0),
                    count(s.viewpoint_variation, 1), count(s.viewpoint_variation, 2),
                    count(s.scale_variation, 0), count(s.scale_variation, 1), count(s.scale_variation, 2),
                    count(s.truncation, 0), count(s.truncation, 1), count(s.truncation, 2),
                    count(s.truncation, 3), count(s.occlusion, 0), count(s.occlusion, 1),
                    count(s.occlusion, 2), count(s.occlusion, 3)});
    for (const auto& [category, n] : s.per_category) per_category[category][split] = n;
  }
  if (dataset.name() == "spair") {
    std::cout << dataset.name() << ": pairs per split by difficulty (viewpoint/scale: easy, medium, hard; "
              << "truncation/occlusion: none, source, target, both)\n";
    print_table({"split", "pairs", "vp-e", "vp-m", "vp-h", "sc-e", "sc-m", "sc-h", "tr-n", "tr-s", "tr-t",
                 "tr-b", "oc-n", "oc-s", "oc-t", "oc-b"},
                rows);
  } else {  // no difficulty annotations: the pair counts alone
    for (auto& row : rows) row.resize(2);
    std::cout << dataset.name() << ": pairs per split\n";
    print_table({"split", "pairs"}, rows);
  }
  std::cout << "\npairs per category\n";
  std::vector<std::string> header = {"category"};
  header.insert(header.end(), splits.begin(), splits.end());
  std::vector<std::vector<std::string>> category_rows;
  for (const auto& [category, by_split] : per_category) {
    std::vector<std::string> row = {category};
    for (const std::string& split : splits) {
      const auto found = by_split.find(split);
      row.push_back(std::to_string(found == by_split.end() ? 0 : found->second));
    }
    category_rows.push_back(row);
  }
  print_table(header, category_rows);
  return 0;
}

// Side-by-side figure of a pair's annotations: numbered keypoints in one colour per keypoint id, boxes.
std::string annotation_figure(const Dataset& dataset, const PairAnnotation& pair) {
  cv::Mat src = load_image(dataset, pair.source_image), trg = load_image(dataset, pair.target_image);
  const int height = std::max(src.rows, trg.rows);
  cv::Mat canvas(height, src.cols + 8 + trg.cols, CV_8UC3, cv::Scalar(255, 255, 255));
  src.copyTo(canvas(cv::Rect(0, 0, src.cols, src.rows)));
  trg.copyTo(canvas(cv::Rect(src.cols + 8, 0, trg.cols, trg.rows)));
  auto draw = [&](const std::vector<Keypoint>& kps, int dx, const std::array<double, 4>& box) {
    if (pair.has_bbox) {
      cv::rectangle(canvas, cv::Point(static_cast<int>(box[0]) + dx, static_cast<int>(box[1])),
                    cv::Point(static_cast<int>(box[2]) + dx, static_cast<int>(box[3])),
                    cv::Scalar(255, 255, 0), 2);
    }
    for (size_t k = 0; k < kps.size(); ++k) {
      const int id = k < pair.kps_ids.size() ? pair.kps_ids[k] : static_cast<int>(k);
      cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar((id * 37) % 180, 230, 255)), rgb;
      cv::cvtColor(hsv, rgb, cv::COLOR_HSV2RGB);
      const cv::Vec3b c = rgb.at<cv::Vec3b>(0, 0);
      const cv::Point p(static_cast<int>(kps[k].x) + dx, static_cast<int>(kps[k].y));
      cv::circle(canvas, p, 5, cv::Scalar(c[0], c[1], c[2]), cv::FILLED, cv::LINE_AA);
      cv::putText(canvas, std::to_string(id), p + cv::Point(6, -6), cv::FONT_HERSHEY_SIMPLEX, 0.45,
                  cv::Scalar(255, 255, 255), 2, cv::LINE_AA);
      cv::putText(canvas, std::to_string(id), p + cv::Point(6, -6), cv::FONT_HERSHEY_SIMPLEX, 0.45,
                  cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    }
  };
  draw(pair.source_kps, 0, pair.source_bbox);
  draw(pair.target_kps, src.cols + 8, pair.target_bbox);
  cv::Mat bgr;
  cv::cvtColor(canvas, bgr, cv::COLOR_RGB2BGR);
  std::vector<uchar> png;
  cv::imencode(".png", bgr, png);
  return std::string(png.begin(), png.end());
}

int show(const Dataset& dataset, const QCommandLineParser& parser, const std::string& wanted) {
  const std::string split =
      parser.isSet("split") ? parser.value("split").toStdString() : dataset.default_split();
  const std::vector<PairAnnotation> pairs = dataset.pairs(split);
  const PairAnnotation* pair = nullptr;
  for (size_t i = 0; i < pairs.size() && !pair; ++i) {
    if (pairs[i].id == wanted || std::to_string(i) == wanted) pair = &pairs[i];
  }
  if (!pair)
    throw std::runtime_error("no pair '" + wanted + "' in split " + split + " (give its id or index)");
  std::cout << "pair " << pair->id << " (" << pair->category << ")\n  source " << pair->source_image
            << "\n  target " << pair->target_image << "\n";
  if (pair->viewpoint_variation >= 0) {
    std::cout << "  viewpoint " << pair->viewpoint_variation << ", scale " << pair->scale_variation
              << ", truncation " << pair->truncation << ", occlusion " << pair->occlusion << ", mirror "
              << pair->mirror << "\n";
  }
  if (pair->has_bbox) {
    std::printf("  source box [%.1f, %.1f, %.1f, %.1f], target box [%.1f, %.1f, %.1f, %.1f]\n",
                pair->source_bbox[0], pair->source_bbox[1], pair->source_bbox[2], pair->source_bbox[3],
                pair->target_bbox[0], pair->target_bbox[1], pair->target_bbox[2], pair->target_bbox[3]);
  }
  std::vector<std::vector<std::string>> rows;
  char a[64], b[64];
  for (size_t k = 0; k < pair->source_kps.size() || k < pair->target_kps.size(); ++k) {
    std::snprintf(a, sizeof a, "%.2f, %.2f", k < pair->source_kps.size() ? pair->source_kps[k].x : NAN,
                  k < pair->source_kps.size() ? pair->source_kps[k].y : NAN);
    std::snprintf(b, sizeof b, "%.2f, %.2f", k < pair->target_kps.size() ? pair->target_kps[k].x : NAN,
                  k < pair->target_kps.size() ? pair->target_kps[k].y : NAN);
    rows.push_back({k < pair->kps_ids.size() ? std::to_string(pair->kps_ids[k]) : std::to_string(k), a, b});
  }
  print_table({"kp", "source (x, y)", "target (x, y)"}, rows);
  if (parser.isSet("figure")) {
    write_file_atomically(parser.value("figure").toStdString(), annotation_figure(dataset, *pair));
    std::cout << "wrote " << parser.value("figure").toStdString() << "\n";
  }
  return 0;
}

int download(const QCommandLineParser& parser, const std::string& kind) {
  for (const DatasetDownload& d : dataset_downloads()) {
    if (d.kind != kind) continue;
    if (d.urls.empty()) throw std::runtime_error(offline_instructions(kind));
    const std::string url = d.urls.front();
    const std::filesystem::path destination =
        std::filesystem::path(parser.value("to").toStdString()) / url.substr(url.rfind('/') + 1);
    cancel_requested = false;
    std::signal(SIGINT, [](int) { cancel_requested = true; });
    std::cerr << "downloading " << url << " (Ctrl-C stops; run again to resume)\n";
    try {
      download_archive(
          url, destination,
          [](int64_t done, int64_t total) {
            std::fprintf(stderr, "\r%8.1f / %8.1f MB", done / 1048576.0, total > 0 ? total / 1048576.0 : 0.0);
          },
          &cancel_requested);
    } catch (const std::exception& e) {
      std::signal(SIGINT, SIG_DFL);
      throw std::runtime_error(std::string(e.what()) + "\n\n" + offline_instructions(kind));
    }
    std::signal(SIGINT, SIG_DFL);
    std::cerr << "\nsaved " << destination.string() << "; open it directly: --root " << destination.string()
              << "\n";
    if (!d.notes.empty()) std::cerr << d.notes << "\n";
    return 0;
  }
  throw UsageError("unknown dataset '" + kind + "'");
}

}  // namespace

int dataset(const QStringList& args) {
  QCommandLineParser parser;
  parser.addPositionalArgument("action", "stats, show PAIR, download, or info.", "action [PAIR]");
  parser.addOptions({
      {"dataset", "spair, pf-pascal, pf-willow or caltech.", "name"},
      {"root", "The dataset's folder or archive.", "path"},
      {"split", "Split (default: all splits for stats, the paper's split for show).", "name"},
      {"layout", "SPair-71k layout: large or small.", "name", "large"},
      {"figure", "show: also write the pair's annotations as a PNG figure.", "file"},
      {"to", "download: directory to save the archive in.", "dir", "."},
  });
  parse_or_throw(parser, args, "Inspect or download a benchmark dataset.");
  const QStringList positional = parser.positionalArguments();
  if (positional.isEmpty()) throw UsageError("give an action: stats, show PAIR, download or info");
  if (!parser.isSet("dataset")) throw UsageError("--dataset is required");
  const std::string action = positional.front().toStdString(), kind = parser.value("dataset").toStdString();
  if (action == "info") {
    std::cout << offline_instructions(kind) << "\n";
    return 0;
  }
  if (action == "download") return download(parser, kind);
  if (!parser.isSet("root")) throw UsageError("--root is required (the dataset folder or archive)");
  DatasetOptions options;
  options.spair_layout = parser.value("layout").toStdString();
  const auto opened = open_dataset(kind, parser.value("root").toStdString(), options);
  if (action == "stats") return stats(*opened, parser);
  if (action == "show") {
    if (positional.size() != 2) throw UsageError("show needs a pair id or index");
    return show(*opened, parser, positional[1].toStdString());
  }
  throw UsageError("unknown action '" + action + "'");
}

}  // namespace hpf::cli
