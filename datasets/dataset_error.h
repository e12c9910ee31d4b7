#pragma once

#include <stdexcept>
#include <string>

namespace hpf {

// Every problem with dataset files (missing, malformed, inconsistent, unsafe) is reported with this type so
// that callers can tell "your data is broken" apart from programming errors. Messages name the file, the line
// or field, and what was expected versus found.
class DatasetError : public std::runtime_error {
 public:
  explicit DatasetError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace hpf
