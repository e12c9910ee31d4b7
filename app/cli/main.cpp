// hpf: the Hyperpixel Studio command-line tool.

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "app/cli/match_options.h"
#include "core/compute/runtime.h"

#include <QCoreApplication>
#include <QtGlobal>
#include <opencv2/core/utility.hpp>

#include <functional>
#include <iostream>
#include <map>

namespace {

struct Command {
  std::function<int(const QStringList&)> run;
  const char* summary;
};

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table = {
      {"backbone-info",
       {hpf::cli::backbone_info, "print a backbone's layers with channels, jump and receptive field"}},
      {"bench",
       {hpf::cli::bench,
        "per-stage time and peak memory against the reference transcription and naive floor"}},
      {"dataset", {hpf::cli::dataset, "dataset statistics by difficulty, one pair's annotations, downloads"}},
      {"eval", {hpf::cli::eval, "evaluate on a benchmark split (pairs.jsonl, summary.json, pck_curve.csv)"}},
      {"features", {hpf::cli::features, "export a backbone's layer outputs for one image (layer_<id>.npy)"}},
      {"merge", {hpf::cli::merge, "combine the outputs of sharded evaluations"}},
      {"search",
       {hpf::cli::search, "beam search over hyperpixel layers (search.jsonl, search_summary.json)"}},
      {"weights", {hpf::cli::weights, "list, locate or download the official torchvision weights"}},
      {"match",
       {hpf::cli::match, "match two images and transfer keypoints (writes matches.json, matches.png)"}},
  };
  return table;
}

void print_usage() {
  std::cout << "Usage: hpf <command> [options]   (hpf <command> --help for a command's options)\n\n"
               "Hyperpixel Flow semantic correspondence (Min, Lee, Ponce, Cho, ICCV 2019).\n\nCommands:\n";
  for (const auto& [name, command] : commands()) {
    std::cout << "  " << name << std::string(16 - std::min<size_t>(15, name.size()), ' ') << command.summary
              << "\n";
  }
  std::cout << "\nGlobal: --version, --help\n";
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName("hpf");
  QCoreApplication::setApplicationVersion(HPF_VERSION);
  QStringList args = QCoreApplication::arguments();
  args.removeFirst();
  if (args.isEmpty() || args.front() == "--help" || args.front() == "-h") {
    print_usage();
    return args.isEmpty() ? 2 : 0;
  }
  if (args.front() == "--version") {
    // The versions actually loaded at run time, so that bug reports from a packaged install are precise.
    std::cout << "hpf " << HPF_VERSION << "\nLibTorch " << hpf::torch_version() << "\nOpenCV "
              << cv::getVersionString() << "\nQt " << qVersion() << "\nCUDA "
              << (hpf::cuda_available() ? "available" : "not available") << "\n";
    return 0;
  }
  const auto found = commands().find(args.front().toStdString());
  if (found == commands().end()) {
    std::cerr << "hpf: unknown command '" << args.front().toStdString() << "'\n\n";
    print_usage();
    return 2;
  }
  hpf::set_compute_threads(0);
  hpf::tune_memory_allocator();
  try {
    return found->second.run(args);
  } catch (const hpf::cli::UsageError& e) {
    std::cerr << "hpf " << args.front().toStdString() << ": " << e.what() << "\n(see hpf "
              << args.front().toStdString() << " --help)\n";
    return 2;
  } catch (const hpf::OptionError& e) {
    // A value found unworkable once the work was known (e.g. an image side over the memory budget).
    std::cerr << "hpf " << args.front().toStdString() << ": error: " << hpf::cli::flag_for_option(e.option())
              << ": " << e.problem() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "hpf " << args.front().toStdString() << ": error: " << e.what() << "\n";
    return 1;
  }
}
