#pragma once
// Entry points of the `hpf` subcommands. Each takes its arguments (subcommand name first) and returns an exit
// status; errors are thrown and reported by main().

#include <QStringList>

namespace hpf::cli {

int backbone_info(const QStringList& args);
int match(const QStringList& args);
int eval(const QStringList& args);
int merge(const QStringList& args);
int bench(const QStringList& args);
int weights(const QStringList& args);
int dataset(const QStringList& args);
int search(const QStringList& args);
int features(const QStringList& args);

}  // namespace hpf::cli
