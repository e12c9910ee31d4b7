// The pair-matching job end to end on synthetic images, its outputs, and its handling of bad input.

#include "fixtures.h"

#include "core/compute/memory_budget.h"
#include "core/image/image_io.h"
#include "core/pipeline/match_report.h"
#include "core/pipeline/model_loader.h"
#include "core/pipeline/point_query.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <fstream>

namespace hpf {
namespace {

class MatchJob : public ::testing::Test {
 protected:
  void SetUp() override {
    write_image("a.png", 400, 300, 1);
    write_image("b.png", 240, 320, 2);
    backbone_ = test::seeded_mobilenet();
    options_.layers = {2, 4, 7, 10, 13};
  }
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }
  void write_image(const std::string& name, int w, int h, unsigned seed) {
    test::write_synthetic_png(path(name), w, h, seed);
  }

  test::TempDir dir_;
  std::unique_ptr<Backbone> backbone_;
  MatchOptions options_;
};

TEST_F(MatchJob, TransfersKeypointsAndWritesReport) {
  const HyperpixelFlow flow(*backbone_, options_);
  const DecodedImage a = read_image(path("a.png")), b = read_image(path("b.png"));
  MatchedPair pair = match_images(flow, a, b);
  EXPECT_FLOAT_EQ(pair.source_scale, 0.75f);  // 400 px -> 300 px
  EXPECT_FLOAT_EQ(pair.target_scale, 300.0f / 320.0f * 1.0f);
  const std::vector<Point2> points = {{200, 150}, {0, 0}, {399, 299}};
  const std::vector<TransferredPoint> out = transfer_points(pair, points, &pair.timings.transfer_ms);
  ASSERT_EQ(out.size(), 3u);
  for (const auto& t : out) {
    ASSERT_TRUE(t.target.has_value());  // MobileNet layer 2 boxes (rf 11, jump 4) cover the whole image
    EXPECT_GE(t.covering, 1);
    EXPECT_FLOAT_EQ(static_cast<float>(t.target->x),
                    static_cast<float>(t.target_resized.x) / pair.target_scale);
  }

  const MatchReport report = make_match_report(
      pair, {path("a.png"), path("b.png"), "mobilenet_v2", "none", "cpu"}, flow.options(), points, out);
  write_match_outputs(path("out"), a, b, report);
  std::ifstream json_file(path("out/matches.json"));
  const std::string text((std::istreambuf_iterator<char>(json_file)), std::istreambuf_iterator<char>());
  const QJsonObject json = QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
  ASSERT_EQ(json["transferred_kps"].toArray().size(), 3);
  EXPECT_DOUBLE_EQ(json["transferred_kps"].toArray()[0].toArray()[0].toDouble(), out[0].target->x);
  EXPECT_EQ(json["covering"].toArray()[1].toInt(), out[1].covering);
  EXPECT_DOUBLE_EQ(json["resize_ratio"].toObject()["source"].toDouble(), 0.75);
  for (const char* stage :
       {"backbone", "hyperpixels", "similarity", "voting", "smoothing", "transfer", "total"}) {
    EXPECT_TRUE(json["timings_ms"].toObject().contains(stage)) << stage;
  }
  EXPECT_EQ(json["options"].toObject()["layers"].toArray().size(), 5);
  const cv::Mat figure = cv::imread(path("out/matches.png"));
  EXPECT_FALSE(figure.empty());
  EXPECT_GT(figure.cols, figure.rows);  // side by side
}

TEST_F(MatchJob, UncoveredKeypointIsReportedAsNull) {
  // Margin pruning keeps every in-image pixel covered at these layers, so an uncovered keypoint (the
  // reference's NaN: annotations on or beyond the border) is fabricated here; compute-level coverage is
  // tested in transfer_test.cpp.
  const HyperpixelFlow flow(*backbone_, options_);
  const MatchedPair pair = match_images(flow, read_image(path("a.png")), read_image(path("b.png")));
  std::vector<TransferredPoint> out = transfer_points(pair, {{10.0, 10.0}, {20.0, 20.0}});
  out[1] = TransferredPoint{std::nullopt, {NAN, NAN}, 0};
  const MatchReport report = make_match_report(pair, {}, flow.options(), {{10.0, 10.0}, {20.0, 20.0}}, out);
  const QJsonObject json =
      QJsonDocument::fromJson(QByteArray::fromStdString(match_report_json(report))).object();
  EXPECT_TRUE(json["transferred_kps"].toArray()[0].isArray());
  EXPECT_TRUE(json["transferred_kps"].toArray()[1].isNull());
  EXPECT_EQ(json["covering"].toArray()[1].toInt(), 0);
  EXPECT_EQ(json["uncovered"].toInt(), 1);
}

TEST_F(MatchJob, PointQueryAgreesWithKeypointTransfer) {
  const HyperpixelFlow flow(*backbone_, options_);
  const MatchedPair pair = match_images(flow, read_image(path("a.png")), read_image(path("b.png")));
  const PointQuery q = query_point(pair, {123.0, 77.0});
  const std::vector<TransferredPoint> t = transfer_points(pair, {{123.0, 77.0}});
  ASSERT_TRUE(q.best_match && t[0].target);
  EXPECT_DOUBLE_EQ(q.best_match->x, t[0].target->x);
  EXPECT_EQ(static_cast<int64_t>(q.covering.size()), t[0].covering);
  ASSERT_EQ(static_cast<int64_t>(q.confidence.size()), q.grid_width * q.grid_height);
  EXPECT_FLOAT_EQ(*std::max_element(q.confidence.begin(), q.confidence.end()), 1.0f);
}

TEST_F(MatchJob, BadImagesGiveClearErrors) {
  std::ofstream(path("text.png")) << "this is not an image";
  try {
    read_image(path("text.png"));
    FAIL();
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("text.png: not a readable image"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_image(path("missing.png")), ImageError);
  std::ofstream(path("empty.png")).close();
  EXPECT_THROW(read_image(path("empty.png")), ImageError);

  // A 1-pixel image: decodes, but no hyperpixel survives at these layers -> a clear error, not a crash.
  write_image("tiny.png", 1, 1, 3);
  const HyperpixelFlow flow(*backbone_, options_);
  try {
    match_images(flow, read_image(path("tiny.png")), read_image(path("b.png")));
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("too small"), std::string::npos) << e.what();
  }
}

TEST_F(MatchJob, HugeImageIsReducedNotExhaustingMemory) {
  write_image("wide.png", 20000, 1500, 4);
  const DecodedImage wide = read_image(path("wide.png"));
  EXPECT_EQ(wide.original_width, 20000);
  EXPECT_EQ(wide.rgb.size(1), kMaxDecodedSide);
  EXPECT_EQ(wide.rgb.size(0), 307);
  EXPECT_FLOAT_EQ(wide.scale, static_cast<float>(kMaxDecodedSide) / 20000.0f);
  // Not silent: the reduction is a warning, which the pair carries.
  ASSERT_EQ(wide.warnings.size(), 1u);
  EXPECT_NE(wide.warnings[0].find("(20000x1500) was reduced to 4096x307 when decoded"), std::string::npos)
      << wide.warnings[0];
  options_.layers = {2, 4};
  const HyperpixelFlow flow(*backbone_, options_);
  const MatchedPair pair = match_images(flow, wide, read_image(path("b.png")));
  EXPECT_NE(pair.notice.find("was reduced to 4096x307"), std::string::npos) << pair.notice;
  // Keypoints stay in original pixels: the far right end of the strip maps inside the resized image.
  const std::vector<TransferredPoint> out = transfer_points(pair, {{19990.0, 1400.0}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].target.has_value());
  EXPECT_NEAR(pair.source_scale, wide.scale * pair.source.image.ratio, 1e-9);
}

TEST_F(MatchJob, OversizedPairIsRefusedWithAFittingImageSide) {
  write_image("big.png", 1600, 1200, 6);
  options_.max_side = 0;  // keep 1600 px: ~120k hyperpixels per image at jump 4
  options_.memory_budget_mb = 256;
  const HyperpixelFlow flow(*backbone_, options_);
  const DecodedImage big = read_image(path("big.png"));
  int suggestion = 0;
  try {
    match_images(flow, big, big);
    FAIL() << "an oversized pair was accepted";
  } catch (const MemoryBudgetExceeded& e) {
    suggestion = e.suggested_max_side;
    EXPECT_EQ(e.option(), "max_side");
    EXPECT_NE(e.problem().find("at most " + std::to_string(suggestion) + " px fits"), std::string::npos)
        << e.what();
    EXPECT_NE(e.problem().find("over the 256 MB memory budget"), std::string::npos) << e.what();
  }
  ASSERT_GT(suggestion, 100);
  ASSERT_LT(suggestion, 1600);
  options_.max_side = suggestion;
  const MatchedPair pair = match_images(HyperpixelFlow(*backbone_, options_), big, big);
  EXPECT_LE(estimate_match_bytes(pair.source.hyperpixels.size(), pair.target.hyperpixels.size(), 328, true),
            int64_t{256} << 20);
}

TEST_F(MatchJob, InvalidKeypointsAndLayersAreRejected) {
  const HyperpixelFlow flow(*backbone_, options_);
  const MatchedPair pair = match_images(flow, read_image(path("a.png")), read_image(path("b.png")));
  EXPECT_THROW(transfer_points(pair, {{NAN, 3.0}}), std::invalid_argument);
  // An extreme strip cannot keep a single row at 300 px: a clear error, not an empty tensor downstream.
  write_image("strip.png", 20000, 60, 5);
  try {
    match_images(flow, read_image(path("strip.png")), read_image(path("b.png")));
    FAIL() << "a strip without hyperpixels was matched";
  } catch (const std::invalid_argument& e) {  // the message names the image at fault
    EXPECT_NE(std::string(e.what()).find("strip.png (20000x60): the image is too elongated"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(transfer_points(pair, {{401.0, 3.0}}), std::invalid_argument);
  EXPECT_THROW(transfer_points(pair, {{-1.0, 3.0}}), std::invalid_argument);
  MatchOptions bad = options_;
  bad.layers = {};
  EXPECT_THROW(HyperpixelFlow(*backbone_, bad), std::invalid_argument);
  bad.layers = {2, 19};
  EXPECT_THROW(HyperpixelFlow(*backbone_, bad), std::invalid_argument);
  EXPECT_THROW(parse_layer_set("none"), std::invalid_argument);
  EXPECT_EQ(parse_layer_set("13, 2,4,2"), (std::vector<int>{2, 4, 13}));
}

TEST(Weights, NonFiniteValuesAreRefusedNamingTheTensor) {
  StateDict state;
  state["features.0.0.weight"] = at::ones({4, 3});
  state["features.0.1.num_batches_tracked"] = at::zeros({}, at::kLong);
  EXPECT_NO_THROW(check_finite_weights(state, "w.pth"));
  state["features.3.conv.0.weight"] = at::ones({2, 2});
  state["features.3.conv.0.weight"][1][0] = NAN;
  state["features.3.conv.0.weight"][1][1] = INFINITY;
  try {
    check_finite_weights(state, "w.pth");
    FAIL() << "NaN weights were accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "w.pth: tensor 'features.3.conv.0.weight' holds 2 NaN or infinite values (a damaged or "
                 "diverged checkpoint)");
  }
}

TEST_F(MatchJob, FactorizedAndReferenceSimilarityAgree) {
  MatchOptions reference = options_;
  reference.rhm.factorized_similarity = false;
  MatchOptions factorized = options_;
  factorized.rhm.factorized_similarity = true;
  const DecodedImage a = read_image(path("a.png")), b = read_image(path("b.png"));
  const MatchedPair r = match_images(HyperpixelFlow(*backbone_, reference), a, b);
  const MatchedPair f = match_images(HyperpixelFlow(*backbone_, factorized), a, b);
  EXPECT_LT((r.match.correlation.similarity - f.match.correlation.similarity).abs().max().item<float>(),
            1e-5f);
  const double agree =
      r.match.best.target_index.eq(f.match.best.target_index).to(at::kFloat).mean().item<double>();
  EXPECT_GE(agree, 0.99);
}

}  // namespace
}  // namespace hpf
