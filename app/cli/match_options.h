#pragma once
// Command-line options shared by every command that runs the matcher (match, eval, bench, search).

#include "core/compute/matcher.h"

#include <QCommandLineParser>

#include <string>

namespace hpf::cli {

struct ModelChoice {
  std::string backbone;
  std::string weights;  // resolved checkpoint path
  std::string device;
};

// Adds --backbone, --weights, --layers, --exponent, --ncells, --kernel, --no-voting, --similarity, --no-prune,
// --max-side, --device, --threads.
void add_match_options(QCommandLineParser& parser);

// Reads them back, validating each (UsageError names the option and the value found). `prune_default` lets a
// dataset choose (Caltech-101 keeps margin boxes).
MatchOptions read_match_options(const QCommandLineParser& parser, bool prune_default = true);
ModelChoice read_model_choice(const QCommandLineParser& parser);

}  // namespace hpf::cli
