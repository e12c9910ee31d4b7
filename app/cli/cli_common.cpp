#include "app/cli/cli_common.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace hpf::cli {

void parse_or_throw(QCommandLineParser& parser, const QStringList& args, const QString& description) {
  parser.setApplicationDescription(description);
  parser.addHelpOption();
  if (!parser.parse(args)) throw UsageError(parser.errorText().toStdString());
  if (parser.isSet("help")) {
    std::cout << parser.helpText().toStdString();
    std::exit(0);
  }
}

int int_option(const QCommandLineParser& parser, const QString& name) {
  bool ok = false;
  const int value = parser.value(name).toInt(&ok);
  if (!ok) {
    throw UsageError("--" + name.toStdString() + " expects an integer, got '" + parser.value(name).toStdString() + "'");
  }
  return value;
}

double double_option(const QCommandLineParser& parser, const QString& name) {
  bool ok = false;
  const double value = parser.value(name).toDouble(&ok);
  if (!ok) {
    throw UsageError("--" + name.toStdString() + " expects a number, got '" + parser.value(name).toStdString() + "'");
  }
  return value;
}

void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < width.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < width.size(); ++c) {
      const std::string& cell = c < row.size() ? row[c] : std::string();
      line += (c ? "  " : "") + std::string(width[c] - cell.size(), ' ') + cell;
    }
    std::cout << line << "\n";
  };
  print_row(header);
  size_t total = 0;
  for (size_t w : width) total += w + 2;
  std::cout << std::string(total > 2 ? total - 2 : 0, '-') << "\n";
  for (const auto& row : rows) print_row(row);
}

}  // namespace hpf::cli
