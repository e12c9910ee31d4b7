// hpf match SRC TRG: transfer keypoints (or a grid) from the source image to the target image.

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "app/cli/keypoint_file.h"
#include "app/cli/match_options.h"
#include "core/pipeline/match_report.h"
#include "core/pipeline/model_loader.h"

#include <cstdio>
#include <iostream>

namespace hpf::cli {

int match(const QStringList& args) {
  QCommandLineParser parser;
  parser.addPositionalArgument("source", "Source image (keypoints are given in its pixels).");
  parser.addPositionalArgument("target", "Target image.");
  add_match_options(parser);
  parser.addOptions({
      {"kps",
       "JSON file with an array of [x, y] source keypoints (original pixels). Default: a regular grid.",
       "file"},
      {"grid", "Points per side of the default grid when --kps is not given.", "n", "8"},
      {"output", "Directory for matches.json and matches.png.", "dir", "hpf-match"},
  });
  parse_or_throw(parser, args,
                 "Match two images (Hyperpixel Flow, or SCOT with --matcher scot) and transfer keypoints.");
  const QStringList positional = parser.positionalArguments();
  if (positional.size() != 2) throw UsageError("expected SOURCE and TARGET images");
  const std::string source_path = positional[0].toStdString(), target_path = positional[1].toStdString();

  const MatchOptions options = read_match_options(parser);
  const ModelChoice model = read_model_choice(parser);
  const int grid = int_option(parser, "grid");
  if (grid < 1 || grid > 100) throw UsageError("--grid must be between 1 and 100");

  const DecodedImage source = read_image(source_path);
  const DecodedImage target = read_image(target_path);
  const std::vector<Point2> points = parser.isSet("kps")
                                         ? read_keypoint_file(parser.value("kps").toStdString())
                                         : grid_points(source.original_width, source.original_height, grid);

  auto backbone = load_backbone(model.backbone, model.weights, model.device);
  const HyperpixelFlow flow(*backbone, options);
  MatchedPair pair = match_images(flow, source, target);
  if (!pair.notice.empty()) std::cerr << "note: " << pair.notice << "\n";
  const std::vector<TransferredPoint> transferred = transfer_points(pair, points, &pair.timings.transfer_ms);

  const MatchProvenance provenance{source_path, target_path, model.backbone, model.weights,
                                   backbone->device().str()};
  const MatchReport report = make_match_report(pair, provenance, flow.options(), points, transferred);
  const std::string dir = parser.value("output").toStdString();
  write_match_outputs(dir, source, target, report);

  int uncovered = 0;
  for (const auto& t : transferred) uncovered += t.target ? 0 : 1;
  std::printf(
      "%zu keypoints transferred (%d not covered by any hyperpixel), %lld x %lld hyperpixels, %.0f ms\n",
      transferred.size() - uncovered, uncovered, static_cast<long long>(report.source_hyperpixels),
      static_cast<long long>(report.target_hyperpixels), pair.timings.total_ms());
  std::printf("wrote %s/matches.json and %s/matches.png\n", dir.c_str(), dir.c_str());
  return 0;
}

}  // namespace hpf::cli
