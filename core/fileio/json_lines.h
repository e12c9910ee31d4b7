#pragma once
// Append-only JSON-lines files (pairs.jsonl, search.jsonl, search_progress.jsonl): one record per line, each
// line flushed and synced before the next unit of work starts, so a killed job loses at most the line it was
// writing. Reading never changes a file; a resume cuts a partial last line explicitly before appending.

#include <cstdio>
#include <string>
#include <vector>

namespace hpf {

// The whole file. Throws std::runtime_error naming the path when it cannot be read.
std::string read_text_file(const std::string& path);

struct JsonLine {
  int number = 0;  // 1-based line number in the file, for messages
  std::string text;
};

// The complete, non-empty lines of a JSON-lines file (none if it does not exist). A partial last line -- one
// without its newline, left by a killed writer -- is not returned.
std::vector<JsonLine> read_complete_lines(const std::string& path);

// Cuts a partial last line so that appends continue on a line boundary (before resuming a killed job).
void drop_partial_last_line(const std::string& path);

// Follows a JSON-lines file that another thread or process is appending to (a run in progress).
class JsonLinesTail {
 public:
  explicit JsonLinesTail(std::string path) : path_(std::move(path)) {}
  // The complete, non-empty lines appended since the last call (none while the file does not exist). When the
  // file shrank -- a resume cut a partial line -- reading starts again from the beginning and `restarted` is
  // set.
  std::vector<std::string> read_new(bool* restarted);

 private:
  std::string path_;
  long long offset_ = 0;
};

class LineAppender {
 public:
  explicit LineAppender(const std::string& path);  // throws naming the path when it cannot be opened
  ~LineAppender();
  LineAppender(const LineAppender&) = delete;
  LineAppender& operator=(const LineAppender&) = delete;
  // Writes `line` and a newline, synced before returning; throws naming the path when the write fails.
  void append(const std::string& line);

 private:
  std::string path_;
  std::FILE* file_;
};

}  // namespace hpf
