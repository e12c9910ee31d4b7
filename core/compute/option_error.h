#pragma once
// The error of an option whose value cannot be right. `option` is the option's name as the run files record
// it
// ("exponent", "max_side", ...); each front end phrases it its own way (a command-line flag, a widget label).

#include <stdexcept>
#include <string>

namespace hpf {

class OptionError : public std::invalid_argument {
 public:
  OptionError(std::string option, const std::string& problem)
      : std::invalid_argument(option + ": " + problem), option_(std::move(option)), problem_(problem) {}
  const std::string& option() const { return option_; }
  const std::string& problem() const { return problem_; }  // the message without the option's name

 private:
  std::string option_;
  std::string problem_;
};

}  // namespace hpf
