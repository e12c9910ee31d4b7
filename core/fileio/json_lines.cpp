#include "core/fileio/json_lines.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <unistd.h>

namespace hpf {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot be read");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

namespace {

// The complete, non-empty lines of `text` with their 1-based numbers; a last line without its newline (a
// writer killed or still writing) is left out. `consumed` receives the length of the complete lines.
std::vector<JsonLine> complete_lines(const std::string& text, size_t* consumed) {
  std::vector<JsonLine> lines;
  size_t start = 0;
  for (int number = 1; start < text.size(); ++number) {
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) break;
    if (end > start) lines.push_back({number, text.substr(start, end - start)});
    start = end + 1;
  }
  *consumed = start;
  return lines;
}

}  // namespace

std::vector<JsonLine> read_complete_lines(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return {};
  size_t consumed = 0;
  return complete_lines(read_text_file(path), &consumed);
}

void drop_partial_last_line(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return;
  const std::string text = read_text_file(path);
  if (text.empty() || text.back() == '\n') return;
  const size_t last_newline = text.rfind('\n');
  std::filesystem::resize_file(path, last_newline == std::string::npos ? 0 : last_newline + 1);
}

std::vector<std::string> JsonLinesTail::read_new(bool* restarted) {
  *restarted = false;
  std::ifstream in(path_, std::ios::binary | std::ios::ate);
  if (!in) return {};  // not created yet
  const long long size = static_cast<long long>(in.tellg());
  if (size < offset_) {
    offset_ = 0;
    *restarted = true;
  }
  in.seekg(offset_);
  const std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t consumed = 0;
  std::vector<std::string> lines;
  for (JsonLine& line : complete_lines(chunk, &consumed)) lines.push_back(std::move(line.text));
  offset_ += static_cast<long long>(consumed);
  return lines;
}

LineAppender::LineAppender(const std::string& path) : path_(path), file_(std::fopen(path.c_str(), "ab")) {
  if (!file_) throw std::runtime_error(path + ": cannot open for appending");
}

LineAppender::~LineAppender() {
  if (file_) std::fclose(file_);
}

void LineAppender::append(const std::string& line) {
  const std::string text = line + "\n";
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() || std::fflush(file_) != 0 ||
      ::fsync(fileno(file_)) != 0) {
    throw std::runtime_error(path_ + ": write failed (disk full or read-only?)");
  }
}

}  // namespace hpf
