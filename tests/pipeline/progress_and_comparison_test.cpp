// Logic that front ends used to compute inside widgets: the rate and time left of a job (ProgressRate, shared
// by the CLI's bars and the GUI's panels) and the comparison of two runs (the evaluation panel's comparison
// table).
#include "core/eval/run_comparison.h"
#include "core/pipeline/progress_rate.h"

#include <gtest/gtest.h>

namespace hpf {
namespace {

TEST(ProgressRate, TimesOnlyUnitsFinishedAfterTimingStarted) {
  ProgressRate rate;
  rate.update(40, 10.0);  // a resumed run: 40 units were done before this run
  EXPECT_FALSE(rate.units_per_second());
  rate.update(41, 10.2);  // one unit over 0.2 s: too short a span to say
  EXPECT_FALSE(rate.units_per_second());
  rate.update(45, 12.0);
  ASSERT_TRUE(rate.units_per_second());
  EXPECT_DOUBLE_EQ(*rate.units_per_second(), 2.5);  // 5 units in 2 s, not 45 in 12
  EXPECT_DOUBLE_EQ(*rate.seconds_left(100), 22.0);
  EXPECT_DOUBLE_EQ(*rate.seconds_left(30), 0.0);
}

TEST(ProgressRate, ANewStageStartsTheTimingAgain) {
  ProgressRate rate;
  rate.update(1, 0.0);
  rate.update(11, 1.0);  // depth 0: 10 pairs/s
  EXPECT_DOUBLE_EQ(*rate.units_per_second(), 10.0);
  rate.update(1, 5.0);  // depth 1 begins (its pairs are slower): no rate from depth 0's clock
  EXPECT_FALSE(rate.units_per_second());
  rate.update(3, 7.0);
  EXPECT_DOUBLE_EQ(*rate.units_per_second(), 1.0);
}

TEST(ProgressRate, ClockText) {
  EXPECT_EQ(clock_text(0), "0:00");
  EXPECT_EQ(clock_text(65.4), "1:05");
  EXPECT_EQ(clock_text(7387), "2:03:07");
  EXPECT_EQ(clock_text(-3), "0:00");
}

TEST(RunComparison, CommonAlphasEveryCategoryAndDifferences) {
  Summary a, b;
  a.pck = {{"0.05", 0.30}, {"0.1", 0.50}};
  a.pck_per_category = {{"cat", {{"0.05", 0.2}, {"0.1", 0.4}}}, {"dog", {{"0.05", 0.4}, {"0.1", 0.6}}}};
  b.pck = {{"0.1", 0.55}, {"0.15", 0.7}};
  b.pck_per_category = {{"cat", {{"0.1", 0.45}}}, {"cow", {{"0.1", 0.9}}}};
  const RunComparison c = compare_runs(a, {"0.05", "0.1"}, b, {"0.1", "0.15"});
  ASSERT_EQ(c.alphas, std::vector<std::string>({"0.1"}));
  ASSERT_EQ(c.rows.size(), 4u);  // cat, cow, dog, all
  EXPECT_EQ(c.rows[0].name, "cat");
  EXPECT_NEAR(*c.rows[0].values[0].difference(), 0.05, 1e-12);
  EXPECT_EQ(c.rows[1].name, "cow");  // only B has it
  EXPECT_FALSE(c.rows[1].values[0].a);
  EXPECT_FALSE(c.rows[1].values[0].difference());
  EXPECT_EQ(c.rows[2].name, "dog");  // only A has it
  EXPECT_FALSE(c.rows[2].values[0].b);
  EXPECT_EQ(c.rows[3].name, "all");
  EXPECT_NEAR(*c.rows[3].values[0].difference(), 0.05, 1e-12);
}

}  // namespace
}  // namespace hpf
