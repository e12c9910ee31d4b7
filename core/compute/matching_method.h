#pragma once
// How two images' hyperpixels become one best target per source hyperpixel. Hyperpixel Flow's Regularized
// Hough Matching (docs/method.md §4) is the method "hpf"; SCOT's optimal transport (§10, optimal_transport.h)
// is "scot". A new method implements MatchingMethod once, adds
// its name to matching_method_names() (match_options.cpp) and its construction to make_matching_method();
// every front end (hpf match / eval / bench / search's verification, the GUI) then reaches it through
// MatchOptions::method.

#include "core/compute/hyperpixels.h"
#include "core/compute/match_options.h"
#include "core/compute/rhm.h"

#include <memory>

namespace hpf {

struct PairMatch {
  Correlation correlation;  // what point queries and the dense flow read back
  BestMatches best;
  std::string
      notice;  // something legal but noteworthy about how the method ran (e.g. SCOT's doubled epsilon)
};

class MatchingMethod {
 public:
  virtual ~MatchingMethod() = default;
  virtual const std::string& name() const = 0;
  virtual PairMatch match(const Hyperpixels& source, const Hyperpixels& target,
                          RhmTimings* timings) const = 0;
};

// The method `options.method` names, configured by `options` (call options.check() first: an unknown name is
// an OptionError).
std::unique_ptr<MatchingMethod> make_matching_method(const MatchOptions& options);

}  // namespace hpf
