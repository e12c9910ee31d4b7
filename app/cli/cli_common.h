#pragma once
// Shared plumbing of the `hpf` subcommands: option parsing with clear errors, and the table printer.

#include <QCommandLineParser>
#include <QStringList>

#include <string>
#include <vector>

namespace hpf::cli {

// Thrown for a usage error; main() prints it with the command's usage and exits with status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses `args` (argv without the program name, the subcommand first) or throws UsageError. Handles --help.
void parse_or_throw(QCommandLineParser& parser, const QStringList& args, const QString& description);

// Value of an integer option, or UsageError naming the option and the text found.
int int_option(const QCommandLineParser& parser, const QString& name);
double double_option(const QCommandLineParser& parser, const QString& name);

// Prints rows as an aligned text table with a header rule.
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace hpf::cli
