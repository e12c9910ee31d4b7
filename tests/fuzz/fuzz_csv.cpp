// Fuzzes the RFC 4180 CSV parser and the strict field parsers every CSV dataset reader uses. The only
// acceptable failure is a DatasetError.

#include "datasets/csv.h"
#include "datasets/dataset_error.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const std::vector<hpf::CsvRow> rows = hpf::parse_csv(text, "fuzz.csv");
    int previous_line = 0;
    for (const hpf::CsvRow& row : rows) {
      if (row.line <= previous_line || row.fields.empty()) __builtin_trap();  // rows come in file order
      previous_line = row.line;
      (void)hpf::is_header_row(row, 0);
      for (size_t column = 0; column < row.fields.size(); ++column) {
        // Each field parser fails on its own, so one bad field must not hide the others.
        try {
          (void)hpf::csv_double(row, column, "fuzz.csv", "x");
        } catch (const hpf::DatasetError&) {
        }
        try {
          (void)hpf::csv_int(row, column, "fuzz.csv", "id");
        } catch (const hpf::DatasetError&) {
        }
        try {
          (void)hpf::csv_double_list(row, column, "fuzz.csv", "polygon");
        } catch (const hpf::DatasetError&) {
        }
      }
      try {
        hpf::require_columns(row, 4, "fuzz.csv", "a, b, c, d");
      } catch (const hpf::DatasetError&) {
      }
    }
  } catch (const hpf::DatasetError&) {
  }
  return 0;
}
