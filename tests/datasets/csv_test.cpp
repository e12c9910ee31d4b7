#include "datasets/csv.h"

#include <cmath>

#include "tests/datasets/fixtures.h"

namespace hpf {
namespace {

TEST(DatasetsCsv, SplitsPlainAndQuotedFieldsWithLineNumbers) {
  const std::string text =
      "\xEF\xBB\xBF"
      "a,b,c\r\n"
      "\"x, y\",\"say \"\"hi\"\"\",\r\n"
      "\n"
      "\"multi\nline\",2,3\n"
      "last,row,\"\"";
  const std::vector<CsvRow> rows = parse_csv(text, "f.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].line, 1);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"x, y", "say \"hi\"", ""}));
  EXPECT_EQ(rows[2].line, 4);  // the blank line 3 is skipped, numbering is not
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"multi\nline", "2", "3"}));
  EXPECT_EQ(rows[3].line, 6);  // line 5 was the quoted newline's continuation
  EXPECT_EQ(rows[3].fields, (std::vector<std::string>{"last", "row", ""}));
}

TEST(DatasetsCsv, RejectsUnterminatedQuoteAndTextAfterQuote) {
  EXPECT_DATASET_ERROR(parse_csv("a,b\nc,\"open\n", "f.csv"), "f.csv line 2", "never closed");
  EXPECT_DATASET_ERROR(parse_csv("a,b\n\"q\"x,1\n", "f.csv"), "f.csv line 2", "found 'x'");
}

TEST(DatasetsCsv, ParsesNumbersStrictlyAndNamesTheField) {
  const std::vector<CsvRow> rows = parse_csv("1.5, -2 ,nan,abc,3.0,\"1,2.5, 3\",7x\n", "f.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(csv_double(rows[0], 0, "f.csv", "x"), 1.5);
  EXPECT_EQ(csv_double(rows[0], 1, "f.csv", "x"), -2.0);
  EXPECT_DATASET_ERROR(csv_double(rows[0], 2, "f.csv", "x"), "column 3 (x)",
                       "expected a finite number, found 'nan'");
  EXPECT_DATASET_ERROR(csv_double(rows[0], 3, "f.csv", "source x4"), "f.csv line 1, column 4 (source x4)",
                       "expected a number, found 'abc'");
  EXPECT_DATASET_ERROR(csv_int(rows[0], 4, "f.csv", "class"), "column 5 (class)",
                       "expected an integer, found '3.0'");
  EXPECT_DATASET_ERROR(csv_double(rows[0], 6, "f.csv", "y"), "found '7x'");
  EXPECT_DATASET_ERROR(csv_double(rows[0], 9, "f.csv", "y"), "column 10 (y)", "found '<missing>'");
  EXPECT_EQ(csv_double_list(rows[0], 5, "f.csv", "xs"), (std::vector<double>{1, 2.5, 3}));
  EXPECT_DATASET_ERROR(csv_double_list(rows[0], 3, "f.csv", "xs"), "column 4 (xs)", "item 1", "found 'abc'");
}

TEST(DatasetsCsv, HeaderDetectionAndColumnCount) {
  const std::vector<CsvRow> rows = parse_csv("src,trg,class\na,b,3\na,b\n", "f.csv");
  EXPECT_TRUE(is_header_row(rows[0], 2));
  EXPECT_FALSE(is_header_row(rows[1], 2));
  require_columns(rows[1], 3, "f.csv", "layout");
  EXPECT_DATASET_ERROR(require_columns(rows[2], 3, "f.csv", "src, trg, class"),
                       "f.csv line 3: expected 3 columns (src, trg, class), found 2");
}

}  // namespace
}  // namespace hpf
