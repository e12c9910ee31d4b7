#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hpf {

// One CSV record and the 1-based line it starts on (quoted fields may span lines).
struct CsvRow {
  int line = 0;
  std::vector<std::string> fields;
};

// RFC 4180 CSV: comma separated, fields optionally in double quotes with "" as an escaped quote, LF or CRLF
// line ends, a UTF-8 BOM ignored, blank lines skipped. Throws DatasetError naming `file_label` and the line
// for an unterminated quote or text after a closing quote.
std::vector<CsvRow> parse_csv(std::string_view text, const std::string& file_label);

// Strict number parsing of one CSV field (surrounding spaces allowed; locale independent; "nan" accepted for
// doubles). Throws DatasetError: "<file> line <n>, column <c> (<what>): expected <a number>, found '<text>'".
double csv_double(const CsvRow& row, size_t column, const std::string& file_label, const std::string& what);
int csv_int(const CsvRow& row, size_t column, const std::string& file_label, const std::string& what);

// Parses a comma-separated list of numbers held inside one CSV field (Caltech-101 polygons: "12.5,13,14").
std::vector<double> csv_double_list(const CsvRow& row, size_t column, const std::string& file_label,
                                    const std::string& what);

// Throws "<file> line <n>: expected <expected> columns (<layout>), found <found>" unless the row has
// `expected`.
void require_columns(const CsvRow& row, size_t expected, const std::string& file_label,
                     const std::string& layout);

// pandas-style files start with a header row; a few copies in circulation do not. The first row is a header
// when its `numeric_column` is not a number.
bool is_header_row(const CsvRow& row, size_t numeric_column);

}  // namespace hpf
