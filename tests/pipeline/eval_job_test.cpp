// Evaluation runs on a PF-WILLOW-format fixture: resume after a cancel, shards + merge, bad pairs, summaries.

#include "fixtures.h"

#include "core/eval/evaluation_job.h"
#include "core/eval/run_description.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

namespace hpf {
namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class EvalJob : public ::testing::Test {
 protected:
  void SetUp() override {
    pairs_ = test::write_pf_willow_fixture(dir_.path() / "data", 4, 7);
    dataset_ = open_dataset("pf-willow", (dir_.path() / "data").string());
    backbone_ = test::seeded_mobilenet();
    MatchOptions options;
    options.layers = {2, 4, 7};
    flow_ = std::make_unique<HyperpixelFlow>(*backbone_, options);
    run_.backbone = "mobilenet_v2";
    run_.layers = "2,4,7";
  }
  EvalOptions options(const std::string& out) const {
    EvalOptions o;
    o.output_dir = (dir_.path() / out).string();
    o.alphas = {"0.05", "0.1"};
    return o;
  }
  EvalResult run(const EvalOptions& o, const JobContext& context = {}) {
    return run_evaluation(*dataset_, *flow_, run_, o, context);
  }

  test::TempDir dir_;
  int pairs_ = 0;
  std::unique_ptr<Dataset> dataset_;
  std::unique_ptr<Backbone> backbone_;
  std::unique_ptr<HyperpixelFlow> flow_;
  RunDescription run_;
};

TEST_F(EvalJob, SummaryIsComputedFromEveryPair) {
  ASSERT_EQ(pairs_, 24);
  const EvalResult result = run(options("full"));
  ASSERT_TRUE(result.complete);
  EXPECT_EQ(result.summary.pairs, 24);
  EXPECT_GT(result.cache_hits, 0u);  // 8 images in 24 pairs
  EXPECT_EQ(result.cache_misses, 8u);
  const std::vector<PairRecord> records = read_pair_records((dir_.path() / "full/pairs.jsonl").string());
  ASSERT_EQ(records.size(), 24u);
  double sum = 0;
  for (const PairRecord& r : records) sum += r.pck.at("0.1");
  EXPECT_DOUBLE_EQ(result.summary.pck.at("0.1"), sum / 24);
  EXPECT_EQ(result.summary.pck_per_category.size(), 2u);

  const QJsonObject summary =
      QJsonDocument::fromJson(QByteArray::fromStdString(read_text(dir_.path() / "full/summary.json")))
          .object();
  EXPECT_EQ(summary["pairs"].toInt(), 24);
  EXPECT_EQ(summary["pck_kind"].toString(), "per-image");
  EXPECT_EQ(summary["threshold"].toString(), "bbox");
  EXPECT_DOUBLE_EQ(summary["pck"].toObject()["0.1"].toDouble(), sum / 24);
  EXPECT_TRUE(summary["pck_per_category"].toObject().contains("car(G)"));
  const std::string curve = read_text(dir_.path() / "full/pck_curve.csv");
  EXPECT_EQ(std::count(curve.begin(), curve.end(), '\n'), 22);  // header + alpha 0.00 .. 0.20
  EXPECT_EQ(curve.substr(0, curve.find('\n')), "alpha,all,\"car(G)\",\"duck(S)\"");
}

TEST_F(EvalJob, CancelledRunResumesToTheSameSummary) {
  run(options("full"));
  std::atomic<bool> cancel{false};
  JobContext context;
  context.cancel_requested = &cancel;
  context.progress = [&](const JobProgress& p) {
    if (p.done == 7) cancel = true;
  };
  const EvalResult first = run(options("resumed"), context);
  EXPECT_FALSE(first.complete);
  EXPECT_EQ(first.evaluated, 7);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "resumed/summary.json"));
  // Simulate a kill in the middle of writing the next line: a partial line must be dropped, not misread.
  std::ofstream(dir_.path() / "resumed/pairs.jsonl", std::ios::app) << "{\"index\": 7, \"id\": \"7\", \"pre";

  EvalOptions resume = options("resumed");
  resume.resume = true;
  const EvalResult second = run(resume);
  ASSERT_TRUE(second.complete);
  EXPECT_EQ(second.resumed, 7);
  EXPECT_EQ(second.evaluated, 17);
  EXPECT_EQ(read_text(dir_.path() / "resumed/summary.json"), read_text(dir_.path() / "full/summary.json"));
  EXPECT_EQ(read_text(dir_.path() / "resumed/pck_curve.csv"), read_text(dir_.path() / "full/pck_curve.csv"));
}

TEST_F(EvalJob, ThreeShardsMergeIntoTheUnshardedRun) {
  run(options("full"));
  std::vector<std::string> dirs;
  for (int shard = 0; shard < 3; ++shard) {
    EvalOptions o = options("shard" + std::to_string(shard));
    o.shard_index = shard;
    o.shard_count = 3;
    const EvalResult r = run(o);
    EXPECT_EQ(r.summary.pairs, 8);
    dirs.push_back(o.output_dir);
  }
  merge_evaluations(dirs, (dir_.path() / "merged").string());
  EXPECT_EQ(read_text(dir_.path() / "merged/summary.json"), read_text(dir_.path() / "full/summary.json"));
  EXPECT_EQ(read_text(dir_.path() / "merged/run.json"), read_text(dir_.path() / "full/run.json"));
  EXPECT_THROW(merge_evaluations({dirs[0], dirs[1]}, (dir_.path() / "m2").string()), std::runtime_error);
  // A shard that was interrupted (no summary.json) would make a summary over fewer pairs than the split
  // holds.
  std::filesystem::rename(dirs[2] + "/summary.json", dirs[2] + "/summary.json.bak");
  try {
    merge_evaluations(dirs, (dir_.path() / "m4").string());
    FAIL() << "an incomplete shard was merged";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("shard 2 is incomplete (8 pairs recorded, no summary.json)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "m4/summary.json"));
  std::filesystem::rename(dirs[2] + "/summary.json.bak", dirs[2] + "/summary.json");
  EXPECT_THROW(merge_evaluations({dirs[0], dirs[0], dirs[1]}, (dir_.path() / "m3").string()),
               std::runtime_error);
}

TEST_F(EvalJob, BadPairStopsOrIsSkippedOnRequest) {
  std::filesystem::remove(dir_.path() / "data/duck(S)/img2.png");
  try {
    run(options("strict"));
    FAIL() << "a missing image should stop the run";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("img2.png"), std::string::npos) << e.what();
  }
  EvalOptions lenient = options("lenient");
  lenient.skip_bad = true;
  const EvalResult result = run(lenient);
  ASSERT_TRUE(result.complete);
  EXPECT_EQ(result.summary.skipped, 6);  // img2 of duck(S) is in 3 pairs as source and 3 as target
  EXPECT_EQ(result.summary.pairs, 18);
  const std::vector<PairRecord> records = read_pair_records(lenient.output_dir + "/pairs.jsonl");
  int with_error = 0;
  for (const auto& r : records) {
    if (!r.error.empty()) {
      ++with_error;
      EXPECT_NE(r.error.find("img2.png"), std::string::npos) << r.error;
    }
  }
  EXPECT_EQ(with_error, 6);
}

// Sets field `column` (0-based) of the first pair's CSV row.
void set_first_row_field(const std::filesystem::path& csv, size_t column, const std::string& value) {
  std::string text = read_text(csv);
  const size_t row = text.find('\n') + 1;
  size_t start = row;
  for (size_t c = 0; c < column; ++c) start = text.find(',', start) + 1;
  const size_t end = text.find_first_of(",\n", start);
  text.replace(start, end - start, value);
  std::ofstream(csv, std::ios::binary) << text;
}

// A target keypoint a little outside its image (PF-WILLOW's first target is 200 x 180: 5% is 10 px) is kept,
// with a warning in pairs.jsonl, summary.json and the summary; far outside, it stops the pair, naming it.
TEST_F(EvalJob, KeypointsOutsideTheImageWarnOrStop) {
  const auto csv = dir_.path() / "data/test_pairs.csv";
  set_first_row_field(csv, 22, "203");  // XB1
  dataset_ = open_dataset("pf-willow", (dir_.path() / "data").string());
  EvalOptions o = options("slightly");
  const EvalResult result = run(o);
  ASSERT_TRUE(result.complete);
  ASSERT_EQ(result.summary.warnings.size(), 1u);
  EXPECT_EQ(result.summary.warnings[0].first, "0");
  EXPECT_NE(result.summary.warnings[0].second.find("target keypoint 0 (203.0, "), std::string::npos)
      << result.summary.warnings[0].second;
  EXPECT_NE(result.summary.warnings[0].second.find("lies 3.0 px outside the 200x180 image"),
            std::string::npos);
  EXPECT_EQ(read_pair_records(o.output_dir + "/pairs.jsonl").front().warnings.size(), 1u);
  const QJsonObject summary =
      QJsonDocument::fromJson(QByteArray::fromStdString(read_text(o.output_dir + "/summary.json"))).object();
  EXPECT_EQ(summary["warnings"].toArray().size(), 1);
  EXPECT_EQ(summary["warnings"].toArray()[0].toObject()["pair"].toString(), "0");

  set_first_row_field(csv, 22, "400");
  dataset_ = open_dataset("pf-willow", (dir_.path() / "data").string());
  try {
    run(options("far"));
    FAIL() << "a keypoint 200 px outside its image should stop the run";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(
        std::string(e.what()).find("pair 0 (car(G)/img0.png -> car(G)/img1.png): target keypoint 0 (400.0"),
        std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("at most 10.0 px (5% of the longer side)"), std::string::npos)
        << e.what();
  }
}

TEST_F(EvalJob, RefusesToOverwriteOrResumeAnotherRun) {
  run(options("out"));
  EXPECT_THROW(run(options("out")), std::runtime_error);  // exists, no --resume
  EvalOptions other = options("out");
  other.resume = true;
  other.alphas = {"0.2"};
  EXPECT_THROW(run(other), std::runtime_error);  // a different run
}

// A resume compares what can change a result, not the versions of the tools that computed it.
TEST_F(EvalJob, ResumeAfterAVersionChangeIsAcceptedAndAfterAnOptionChangeRefusedNamingIt) {
  run_ = describe_run(*backbone_, "", flow_->options());
  std::atomic<bool> cancel{false};
  JobContext context;
  context.cancel_requested = &cancel;
  context.progress = [&](const JobProgress& p) {
    if (p.done == 5) cancel = true;
  };
  ASSERT_FALSE(run(options("upgraded"), context).complete);

  // The same run after an upgrade of the tool and its libraries: accepted, and finished as one run would be.
  run_.versions_json = R"({"hpf":"9.9.9","libtorch":"2.5.1","opencv":"4.10.0","qt":"6.8.0"})";
  EvalOptions resume = options("upgraded");
  resume.resume = true;
  const EvalResult resumed = run(resume);
  ASSERT_TRUE(resumed.complete);
  EXPECT_EQ(resumed.resumed, 5);
  run_ = describe_run(*backbone_, "", flow_->options());
  const EvalResult full = run(options("uninterrupted"));
  EXPECT_EQ(resumed.summary.pck, full.summary.pck);

  // Another exponent changes every result: refused, naming the option and both values.
  MatchOptions changed = flow_->options();
  changed.rhm.exponent = 2;
  const HyperpixelFlow other(*backbone_, changed);
  try {
    run_evaluation(*dataset_, other, describe_run(*backbone_, "", changed), resume);
    FAIL() << "a resume with another exponent was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("options.exponent: 3 in run.json, 2 now"), std::string::npos)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find("--"), std::string::npos) << "core names no flag: " << e.what();
  }
}

TEST_F(EvalJob, ResumeWithoutARunDescriptionSaysWhatIsMissing) {
  run(options("orphan"));
  std::filesystem::remove(dir_.path() / "orphan/run.json");
  EvalOptions resume = options("orphan");
  resume.resume = true;
  try {
    run(resume);
    FAIL() << "records without a run description were resumed";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("run.json is missing"), std::string::npos) << e.what();
  }
}

// Values that would quietly change or empty a results table are refused before any pair runs.
TEST_F(EvalJob, RefusesOptionsThatCannotBeRightAndAnEmptySelection) {
  const auto option_at_fault = [&](const EvalOptions& o) -> std::string {
    try {
      run(o);
    } catch (const OptionError& e) {
      return e.option();
    }
    return "none";
  };
  EvalOptions o = options("refused");
  o.alphas = {"nan"};
  EXPECT_EQ(option_at_fault(o), "alphas");
  o.alphas = {"0.1", "1.5"};
  EXPECT_EQ(option_at_fault(o), "alphas");
  o = options("refused");
  o.limit = -1;  // once meant "all"
  EXPECT_EQ(option_at_fault(o), "limit");
  o = options("refused");
  o.shard_index = 3;
  o.shard_count = 3;
  EXPECT_EQ(option_at_fault(o), "shard");
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "refused/run.json"));

  o = options("typo");
  o.categories = {"cra(G)"};
  try {
    run(o);
    FAIL() << "a selection of no pair was evaluated";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no pair of the split 'test' is in the categories 'cra(G)' (its "
                                         "categories: car(G), duck(S))"),
              std::string::npos)
        << e.what();
  }

  EXPECT_EQ(parse_alphas("0.05, 0.1;0.15"), (std::vector<std::string>{"0.05", "0.1", "0.15"}));
  for (const char* bad : {"nan", "inf", "0", "-0.1", "1e-1", "0.1,abc", ""}) {
    EXPECT_THROW(parse_alphas(bad), OptionError) << bad;
  }
}

TEST_F(EvalJob, PerKeypointPckPoolsKeypoints) {
  EvalOptions o = options("per-keypoint");
  o.pck = PckKind::PerKeypoint;
  const EvalResult result = run(o);
  int64_t correct = 0, total = 0;
  for (const PairRecord& r : read_pair_records(o.output_dir + "/pairs.jsonl")) {
    for (bool c : r.correct.at("0.1")) correct += c;
    total += static_cast<int64_t>(r.correct.at("0.1").size());
  }
  EXPECT_EQ(total, 240);
  EXPECT_DOUBLE_EQ(result.summary.pck.at("0.1"), static_cast<double>(correct) / total);
}

}  // namespace
}  // namespace hpf
