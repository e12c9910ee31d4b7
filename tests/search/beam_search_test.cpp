// The beam search's candidate rule, selection and bookkeeping, with a fake scorer (no images involved).

#include "core/search/beam_search.h"
#include "core/compute/layer_set.h"
#include "core/compute/option_error.h"

#include <gtest/gtest.h>

#include <map>

namespace hpf {
namespace {

std::vector<LayerSet> layers_of(const std::vector<Candidate>& candidates) {
  std::vector<LayerSet> out;
  for (const Candidate& c : candidates) out.push_back(c.layers);
  return out;
}

TEST(CandidateRule, ReferenceSeedsAreTheFirstKIds) {
  EXPECT_EQ(reference_seed_ids(4), (std::vector<int>{0, 1, 2, 3}));
  const auto seeds = seed_candidates({5, 2, 5});
  ASSERT_EQ(seeds.size(), 2u);
  EXPECT_EQ(seeds[0].layers, LayerSet{5});
  EXPECT_EQ(seeds[0].shared, LayerSet{5});
  EXPECT_EQ(seeds[0].extra, -1);
  EXPECT_EQ(seeds[1].layers, LayerSet{2});
}

TEST(CandidateRule, ExtensionsKeepTheBaseAndSkipMembers) {
  // Beam (3,6): only ids above the base 3 and not already in the set, in candidate order.
  const auto c = extend_beams({{3, 6}}, {0, 1, 2, 3, 4, 5, 6, 7});
  EXPECT_EQ(layers_of(c), (std::vector<LayerSet>{{3, 4, 6}, {3, 5, 6}, {3, 6, 7}}));
  for (const Candidate& x : c) {
    EXPECT_EQ(x.shared, (LayerSet{3, 6}));
    EXPECT_EQ(x.layers.front(), 3);
  }
  EXPECT_EQ(c[0].extra, 4);
  EXPECT_EQ(c[2].extra, 7);
}

TEST(CandidateRule, BeamOrderThenCandidateOrder) {
  const auto c = extend_beams({{5}, {1}}, {1, 2, 6});
  EXPECT_EQ(layers_of(c), (std::vector<LayerSet>{{5, 6}, {1, 2}, {1, 6}}));
}

TEST(CandidateRule, DuplicatesAreSkippedAndTheRowGoesOn) {
  // (2,5)+7 and (2,7)+5 are the same set: the second beam skips it and still produces (2,7,9).
  const auto c = extend_beams({{2, 5}, {2, 7}}, {5, 7, 9});
  EXPECT_EQ(layers_of(c), (std::vector<LayerSet>{{2, 5, 7}, {2, 5, 9}, {2, 7, 9}}));
}

TEST(CandidateRule, ReferenceBreakQuirkDropsTheRestOfTheRow) {
  // The reference's `break`: meeting (2,5,7) again ends the second beam's row, so (2,7,9) is never scored.
  const auto c = extend_beams({{2, 5}, {2, 7}}, {5, 7, 9}, DuplicateRule::ReferenceBreak);
  EXPECT_EQ(layers_of(c), (std::vector<LayerSet>{{2, 5, 7}, {2, 5, 9}}));
}

TEST(CandidateRule, TopKIsStableForTies) {
  const std::vector<ScoredSet> scored = {{{1}, 0.5}, {{2}, 0.7}, {{3}, 0.5}, {{4}, 0.7}, {{5}, 0.1}};
  const auto top = top_k(scored, 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].layers, LayerSet{2});  // equal scores keep their scoring order, as Python's stable sort
  EXPECT_EQ(top[1].layers, LayerSet{4});
  EXPECT_EQ(top[2].layers, LayerSet{1});
  EXPECT_EQ(top_k(scored, 10).size(), 5u);
}

TEST(CandidateRule, CandidateForSharesAllButTheLargestId) {
  const Candidate c = candidate_for({7, 2, 4});
  EXPECT_EQ(c.layers, (LayerSet{2, 4, 7}));
  EXPECT_EQ(c.shared, (LayerSet{2, 4}));
  EXPECT_EQ(c.extra, 7);
  EXPECT_EQ(candidate_for({3}).extra, -1);
}

// The whole beam search driven by a fake objective: which sets it scores and which it returns.
TEST(CandidateRule, BeamSearchWithAFakeScorer) {
  // Score: sum of per-layer values, minus a penalty per layer: the best set is {0, 3, 5}.
  const std::map<int, double> value = {{0, 0.30}, {1, 0.05}, {2, 0.10}, {3, 0.25}, {4, 0.02}, {5, 0.20}};
  const auto score = [&](const LayerSet& s) {
    double v = -0.12 * static_cast<double>(s.size());
    for (int id : s) v += value.at(id);
    return v;
  };
  std::vector<Candidate> current = seed_candidates(reference_seed_ids(2));  // {0}, {1}
  ScoredSet best;
  int scored = 0;
  for (int depth = 0; depth < 4 && !current.empty(); ++depth) {
    std::vector<ScoredSet> sets;
    for (const Candidate& c : current) sets.push_back({c.layers, score(c.layers)});
    scored += static_cast<int>(sets.size());
    const auto top = top_k(sets, 2);
    if (depth == 0 || top.front().score > best.score) best = top.front();
    std::vector<LayerSet> beams;
    for (const auto& s : top) beams.push_back(s.layers);
    current = extend_beams(beams, {0, 1, 2, 3, 4, 5});
  }
  EXPECT_EQ(best.layers, (LayerSet{0, 3, 5}));
  EXPECT_NEAR(best.score, 0.30 + 0.25 + 0.20 - 0.36, 1e-12);
  // depth 0: 2; depth 1: (0,x) 5 + (1,x) 4 = 9; depth 2: beams (0,3),(0,5): 4 + 3 (one duplicate) = 7;
  // depth 3: beams (0,3,5),(0,2,3): 3 + 2 (duplicate (0,2,3,5) skipped) = 5.
  EXPECT_EQ(scored, 2 + 9 + 7 + 5);
}

TEST(LayerIds, ParsesListsAndRanges) {
  EXPECT_EQ(parse_id_list("0-3", "--candidates"), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(parse_id_list("5, 2,4-6", "--seeds"), (std::vector<int>{2, 4, 5, 6}));
  EXPECT_EQ(format_layers({2, 4, 7}), "(2,4,7)");
  try {
    parse_id_list("1,x", "--candidates");
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "--candidates: 'x' is not a layer id or a range a-b (ids have at most 4 digits)");
  }
  try {
    parse_id_list("7-3", "--seeds");
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "--seeds: the range '7-3' runs backwards");
  }
}

// --layers reads ranges exactly as --seeds does ("1-3" once meant layers 1 and 3: any non-digit separated).
TEST(LayerIds, LayerSetsReadRangesAndNameTheOption) {
  EXPECT_EQ(parse_layer_set("1-3"), (LayerSet{1, 2, 3}));
  EXPECT_EQ(parse_layer_set("13, 2,4,2"), (LayerSet{2, 4, 13}));
  EXPECT_EQ(parse_layer_set("2 4 7"), (LayerSet{2, 4, 7}));
  EXPECT_EQ(parse_layer_set(format_layer_ids({2, 17, 21})), (LayerSet{2, 17, 21}));
  for (const char* bad : {"", "  ", "abc", "2;4", "1-", "-3", "2,,4", "12345", "4-2"}) {
    try {
      parse_layer_set(bad);
      FAIL() << "expected an error for '" << bad << "'";
    } catch (const OptionError& e) {
      EXPECT_EQ(e.option(), "layers") << bad;
    }
  }
}

}  // namespace
}  // namespace hpf
