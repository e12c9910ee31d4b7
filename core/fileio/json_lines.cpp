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

std::vector<JsonLine> read_complete_lines(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return {};
  const std::string text = read_text_file(path);
  std::vector<JsonLine> lines;
  size_t start = 0;
  for (int number = 1; start < text.size(); ++number) {
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) break;  // a killed writer's partial line: not a record
    if (end > start) lines.push_back({number, text.substr(start, end - start)});
    start = end + 1;
  }
  return lines;
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
  const size_t end = chunk.rfind('\n');
  if (end == std::string::npos) return {};
  std::vector<std::string> lines;
  for (size_t start = 0; start <= end;) {
    const size_t newline = chunk.find('\n', start);
    if (newline > start) lines.push_back(chunk.substr(start, newline - start));
    start = newline + 1;
  }
  offset_ += static_cast<long long>(end + 1);
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
