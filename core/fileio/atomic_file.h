#pragma once
// Output files are written completely or not at all: a temporary file beside the target, then a rename.

#include <string>

namespace hpf {

// Writes `content` to `path` atomically. Throws std::runtime_error naming the path and the system's reason
// (missing directory, read-only location, disk full...). An existing file is left untouched on failure.
void write_file_atomically(const std::string& path, const std::string& content);

// Creates `dir` and its parents if needed; throws std::runtime_error naming it on failure.
void ensure_directory(const std::string& dir);

}  // namespace hpf
