#pragma once
// Command-line options shared by every command that runs the matcher (match, eval, bench, search).

#include "core/compute/hyperpixel_flow.h"

#include <QCommandLineParser>

#include <string>

namespace hpf::cli {

struct ModelChoice {
  std::string backbone;
  std::string weights;  // resolved checkpoint path
  std::string device;
};

// Adds --matcher, --backbone, --weights, --layers, --exponent, --ncells, --kernel, --no-voting, --similarity,
// --no-prune,
// --max-side, --device, --threads.
void add_match_options(QCommandLineParser& parser);

// Reads them back into core's MatchOptions and checks them with MatchOptions::check() (UsageError names the
// flag and the accepted range). `prune_default` lets a dataset choose (Caltech-101 keeps margin boxes).
// `layers_used` is false for the layer search, which sets the layers per candidate: a backbone without a
// default set ("dinov2") then needs no --layers.
MatchOptions read_match_options(const QCommandLineParser& parser, bool prune_default = true,
                                bool layers_used = true);
// The flag of a core option name (OptionError::option()): "kernel_size" -> "--kernel".
std::string flag_for_option(const std::string& option);

ModelChoice read_model_choice(const QCommandLineParser& parser);

}  // namespace hpf::cli
