#include "core/eval/eval_options.h"

#include "core/compute/option_error.h"

#include <cmath>
#include <cstdlib>
#include <regex>

namespace hpf {
namespace {

constexpr int kMaxCacheImages = 100000;

// A finite number in (0, 1], written as a plain decimal ("0.1", "1", ".05"; not "nan", "inf" or "1e-1").
bool valid_alpha(const std::string& text) {
  static const std::regex decimal("^(\\d+\\.?\\d*|\\.\\d+)$");
  if (!std::regex_match(text, decimal)) return false;
  const double value = std::strtod(text.c_str(), nullptr);
  return std::isfinite(value) && value > 0 && value <= 1;
}

}  // namespace

std::vector<std::string> parse_alphas(const std::string& text) {
  static const std::regex separators("[,;\\s]+");
  std::vector<std::string> alphas;
  for (std::sregex_token_iterator it(text.begin(), text.end(), separators, -1), end; it != end; ++it) {
    const std::string part = *it;
    if (part.empty()) continue;
    if (!valid_alpha(part)) throw OptionError("alphas", "expected numbers in (0, 1], got '" + part + "'");
    alphas.push_back(part);
  }
  if (alphas.empty()) throw OptionError("alphas", "names no value (e.g. 0.05,0.1,0.15)");
  return alphas;
}

void EvalOptions::check() const {
  if (alphas.empty()) throw OptionError("alphas", "names no value (e.g. 0.05,0.1,0.15)");
  for (const std::string& alpha : alphas) {
    if (!valid_alpha(alpha)) throw OptionError("alphas", "expected numbers in (0, 1], got '" + alpha + "'");
  }
  if (shard_count < 1 || shard_index < 0 || shard_index >= shard_count) {
    throw OptionError("shard", "expected I/N with 0 <= I < N, got " + std::to_string(shard_index) + "/" +
                                   std::to_string(shard_count));
  }
  if (limit < 0) {
    throw OptionError("limit", "expected 0 (all pairs) or a positive count, got " + std::to_string(limit));
  }
  if (cache_images < 0 || cache_images > kMaxCacheImages) {
    throw OptionError("cache_images", "expected 0 to " + std::to_string(kMaxCacheImages) + " images, got " +
                                          std::to_string(cache_images));
  }
}

}  // namespace hpf
