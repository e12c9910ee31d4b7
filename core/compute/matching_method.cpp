#include "core/compute/matching_method.h"

#include "core/compute/optimal_transport.h"

namespace hpf {
namespace {

// Hyperpixel Flow: Regularized Hough Matching, then the best target per source hyperpixel.
class RegularizedHoughMatching : public MatchingMethod {
 public:
  explicit RegularizedHoughMatching(RhmOptions options) : options_(options) {}
  const std::string& name() const override {
    static const std::string kName = "hpf";
    return kName;
  }
  PairMatch match(const Hyperpixels& source, const Hyperpixels& target, RhmTimings* timings) const override {
    PairMatch result;
    result.correlation = regularized_hough_matching(source, target, options_, timings);
    result.best = best_matches(result.correlation, timings);
    return result;
  }

 private:
  RhmOptions options_;
};

}  // namespace

std::unique_ptr<MatchingMethod> make_matching_method(const MatchOptions& options) {
  if (options.method == "hpf") return std::make_unique<RegularizedHoughMatching>(options.rhm);
  if (options.method == "scot") return make_optimal_transport_matching(options);
  throw OptionError("method", "unknown matching method '" + options.method + "'");
}

}  // namespace hpf
