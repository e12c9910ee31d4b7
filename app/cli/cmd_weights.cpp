// hpf weights: list the official weights (torchvision's, DINOv2's), show where they are cached, download
// them.

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "core/weights/weights_cache.h"
#include "core/weights/weights_download.h"
#include "core/weights/weights_error.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace hpf::cli {
namespace {

std::atomic<bool> cancel_download{false};

std::string state_of(const WeightsEntry& entry) {
  const auto path = cached_weights_path(entry);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return "missing";
  try {
    return weights_file_verified(path, entry) ? "cached" : "corrupt";
  } catch (const std::exception&) {
    return "unreadable";
  }
}

}  // namespace

int weights(const QStringList& args) {
  QCommandLineParser parser;
  parser.addPositionalArgument("action", "list (default), download, or path.", "[list|download|path]");
  parser.addOptions({
      {"backbone", "Backbone whose weights to download or locate.", "name"},
      {"name", "Weights name (e.g. IMAGENET1K_V1, PAPER); default: the backbone's default.", "name"},
  });
  parse_or_throw(parser, args, "Manage the official weights (torchvision, DINOv2) in the cache directory.");
  const QStringList positional = parser.positionalArguments();
  const QString action = positional.isEmpty() ? "list" : positional.front();

  auto entry_for = [&]() -> const WeightsEntry& {
    if (!parser.isSet("backbone")) throw UsageError(action.toStdString() + " needs --backbone");
    const std::string backbone = parser.value("backbone").toStdString();
    return parser.isSet("name") ? find_weights(backbone, parser.value("name").toStdString())
                                : default_weights(backbone);
  };

  if (action == "list") {
    std::vector<std::vector<std::string>> rows;
    for (const WeightsEntry& e : weights_registry()) {
      rows.push_back({e.backbone, e.name + (e.is_default ? " *" : ""), e.file_name,
                      std::to_string(e.approx_bytes / (1024 * 1024)) + " MB", state_of(e),
                      checksum_description(e)});
    }
    std::cout << "cache: " << weights_cache_dir().string() << "  (* = default; override with HPF_WEIGHTS_DIR)\n";
    print_table({"backbone", "name", "file", "size", "state", "checksum"}, rows);
    std::cout << "DINOv2 publishes no checksums: the sha256 of a file's first download is recorded beside it "
                 "(<file>.first-sha256) and every later use and download must match it.\n";
    return 0;
  }
  if (action == "path") {
    std::cout << resolve_weights(entry_for()).string() << "\n";
    return 0;
  }
  if (action == "download") {
    const WeightsEntry& entry = entry_for();
    cancel_download = false;
    std::signal(SIGINT, [](int) { cancel_download = true; });
    std::cerr << "downloading " << weights_download_url(entry) << "\n";
    const auto path = download_weights(
        entry,
        [](int64_t done, int64_t total) {
          std::fprintf(stderr, "\r%6.1f / %6.1f MB", done / 1048576.0, total > 0 ? total / 1048576.0 : 0.0);
        },
        &cancel_download);
    std::signal(SIGINT, SIG_DFL);
    std::cerr << "\nverified and saved: " << path.string() << "\n";
    return 0;
  }
  throw UsageError("unknown action '" + action.toStdString() + "' (list, download, path)");
}

}  // namespace hpf::cli
