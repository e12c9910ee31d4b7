#include "datasets/csv.h"

#include <charconv>
#include <cmath>

#include "datasets/dataset_error.h"

namespace hpf {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string field_context(const CsvRow& row, size_t column, const std::string& file_label,
                          const std::string& what) {
  return file_label + " line " + std::to_string(row.line) + ", column " + std::to_string(column + 1) + " (" +
         what + ")";
}

bool parse_double(std::string_view text, double& value) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

bool is_blank(const std::vector<std::string>& fields) {
  return fields.size() == 1 && trim(fields[0]).empty();
}

}  // namespace

std::vector<CsvRow> parse_csv(std::string_view text, const std::string& file_label) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRow> rows;
  CsvRow row{1, {}};
  std::string field;
  int line = 1;
  size_t i = 0;
  const auto finish_row = [&]() {
    row.fields.push_back(std::move(field));
    field.clear();
    if (!is_blank(row.fields)) rows.push_back(std::move(row));
    row = CsvRow{line, {}};
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' && field.empty()) {
      // Quoted field: runs to the next lone quote; "" is a literal quote; commas and newlines are data.
      const int opened_on = line;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        if (text[i] == '\n') ++line;
        field += text[i++];
      }
      if (!closed) {
        throw DatasetError(file_label + " line " + std::to_string(opened_on) +
                           ": quoted field is never closed (expected a closing '\"', found end of file)");
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        throw DatasetError(file_label + " line " + std::to_string(line) +
                           ": expected ',' or end of line after a closing quote, found '" + text[i] + "'");
      }
      continue;
    }
    if (c == ',') {
      row.fields.push_back(std::move(field));
      field.clear();
      ++i;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;  // the '\n' ends the row
    } else if (c == '\n') {
      ++line;
      ++i;
      finish_row();
    } else {
      field += c;
      ++i;
    }
  }
  if (!field.empty() || !row.fields.empty()) finish_row();
  return rows;
}

double csv_double(const CsvRow& row, size_t column, const std::string& file_label, const std::string& what) {
  double value = 0;
  if (column >= row.fields.size() || !parse_double(row.fields[column], value)) {
    throw DatasetError(field_context(row, column, file_label, what) + ": expected a number, found '" +
                       (column < row.fields.size() ? row.fields[column] : std::string("<missing>")) + "'");
  }
  // nan and inf parse as numbers, but no coordinate can be either (they once dropped the keypoint silently).
  if (!std::isfinite(value)) {
    throw DatasetError(field_context(row, column, file_label, what) + ": expected a finite number, found '" +
                       row.fields[column] + "'");
  }
  return value;
}

int csv_int(const CsvRow& row, size_t column, const std::string& file_label, const std::string& what) {
  int value = 0;
  std::string_view text = column < row.fields.size() ? trim(row.fields[column]) : std::string_view();
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size()) {
    throw DatasetError(field_context(row, column, file_label, what) + ": expected an integer, found '" +
                       (column < row.fields.size() ? row.fields[column] : std::string("<missing>")) + "'");
  }
  return value;
}

std::vector<double> csv_double_list(const CsvRow& row, size_t column, const std::string& file_label,
                                    const std::string& what) {
  if (column >= row.fields.size()) {
    throw DatasetError(field_context(row, column, file_label, what) +
                       ": expected a list of numbers, found nothing");
  }
  const std::string& text = row.fields[column];
  std::vector<double> values;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    double value = 0;
    if (!parse_double(std::string_view(text).substr(start, end - start), value)) {
      throw DatasetError(field_context(row, column, file_label, what) + ": item " +
                         std::to_string(values.size() + 1) + ": expected a number, found '" +
                         text.substr(start, end - start) + "'");
    }
    values.push_back(value);
    start = end + 1;
  }
  return values;
}

bool is_header_row(const CsvRow& row, size_t numeric_column) {
  double value = 0;
  return numeric_column >= row.fields.size() || !parse_double(row.fields[numeric_column], value);
}

void require_columns(const CsvRow& row, size_t expected, const std::string& file_label,
                     const std::string& layout) {
  if (row.fields.size() != expected) {
    throw DatasetError(file_label + " line " + std::to_string(row.line) + ": expected " +
                       std::to_string(expected) + " columns (" + layout + "), found " +
                       std::to_string(row.fields.size()));
  }
}

}  // namespace hpf
