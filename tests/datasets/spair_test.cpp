#include "datasets/spair.h"

#include <filesystem>

#include "datasets/statistics.h"
#include "tests/datasets/fixtures.h"

namespace hpf {
namespace {

std::string pair_json(const std::string& category, const std::string& src, const std::string& trg,
                      const std::string& src_kps, const std::string& trg_kps, const std::string& kps_ids,
                      const std::string& trg_box = "[10, 20, 110, 70]", int viewpoint = 1,
                      int truncation = 2) {
  return "{\"pair_id\": 1, \"src_imname\": \"" + src + "\", \"trg_imname\": \"" + trg +
         "\", \"src_imsize\": [500, 375, 3], \"trg_imsize\": [500, 333, 3], \"src_bndbox\": [1, 2, 51, 102], "
         "\"trg_bndbox\": " +
         trg_box + ", \"category\": \"" + category +
         "\", \"src_pose\": \"Frontal\", "
         "\"trg_pose\": \"Left\", \"src_kps\": " +
         src_kps + ", \"trg_kps\": " + trg_kps + ", \"kps_ids\": " + kps_ids +
         ", \"viewpoint_variation\": " + std::to_string(viewpoint) +
         ", \"scale_variation\": 0, \"truncation\": " + std::to_string(truncation) +
         ", \"occlusion\": 3, \"mirror\": 1}";
}

const char* const kFirst = "000001-2008_000585-2008_000008:aeroplane";
const char* const kSecond = "000002-2009_000001-2009_000002:cat";

void write_spair(const test::TempDir& dir) {
  dir.write("SPair-71k/Layout/large/test.txt", std::string(kFirst) + "\n" + kSecond + "\n");
  dir.write("SPair-71k/Layout/large/trn.txt", "");
  dir.write("SPair-71k/Layout/large/val.txt", "");
  dir.write("SPair-71k/Layout/small/test.txt", std::string(kSecond) + "\r\n");
  dir.write("SPair-71k/PairAnnotation/test/" + std::string(kFirst) + ".json",
            pair_json("aeroplane", "2008_000585.jpg", "2008_000008.jpg", "[[10.5, 20], [30, 40], [50, 60]]",
                      "[[1, 2], [3, 4], [5, 6.25]]", "[\"0\", \"4\", \"7\"]"));
  dir.write("SPair-71k/PairAnnotation/test/" + std::string(kSecond) + ".json",
            pair_json("cat", "2009_000001.jpg", "2009_000002.jpg", "[[1, 1]]", "[[2, 2]]", "[3]",
                      "[0, 0, 40, 80]", 2, 0));
  dir.write_png("SPair-71k/JPEGImages/aeroplane/2008_000585.jpg", 6, 4, 10, 120, 240);
}

TEST(DatasetsSPair, ReadsEveryFieldOfThePairJson) {
  test::TempDir dir;
  write_spair(dir);
  const auto dataset = open_dataset("spair", dir.path());
  EXPECT_EQ(dataset->name(), "spair");
  EXPECT_EQ(dataset->default_split(), "test");
  EXPECT_EQ(dataset->default_threshold(), ThresholdKind::BoundingBox);
  EXPECT_EQ(dataset->categories().size(), 18u);
  const std::vector<PairAnnotation> pairs = dataset->pairs("test");
  ASSERT_EQ(pairs.size(), 2u);
  const PairAnnotation& plane = pairs[0];
  EXPECT_EQ(plane.id, kFirst);
  EXPECT_EQ(plane.category, "aeroplane");
  EXPECT_EQ(plane.source_image, "JPEGImages/aeroplane/2008_000585.jpg");
  EXPECT_EQ(plane.target_image, "JPEGImages/aeroplane/2008_000008.jpg");
  ASSERT_EQ(plane.source_kps.size(), 3u);
  ASSERT_EQ(plane.target_kps.size(), 3u);
  EXPECT_EQ(plane.source_kps[0].x, 10.5);
  EXPECT_EQ(plane.source_kps[2].y, 60);
  EXPECT_EQ(plane.target_kps[1].x, 3);
  EXPECT_EQ(plane.target_kps[2].y, 6.25);
  EXPECT_EQ(plane.kps_ids, (std::vector<int>{0, 4, 7}));
  EXPECT_TRUE(plane.has_bbox);
  EXPECT_EQ(plane.source_bbox, (std::array<double, 4>{1, 2, 51, 102}));
  EXPECT_EQ(plane.target_bbox, (std::array<double, 4>{10, 20, 110, 70}));
  EXPECT_EQ(plane.viewpoint_variation, 1);
  EXPECT_EQ(plane.scale_variation, 0);
  EXPECT_EQ(plane.truncation, 2);
  EXPECT_EQ(plane.occlusion, 3);
  EXPECT_EQ(plane.mirror, 1);
  // T = max(w, h) of trg_bndbox = max(100, 50), independent of the image size.
  EXPECT_EQ(pck_threshold(plane, ThresholdKind::BoundingBox, 500, 333), 100.0);
  EXPECT_EQ(pairs[1].kps_ids, (std::vector<int>{3}));
  EXPECT_EQ(pck_threshold(pairs[1], ThresholdKind::BoundingBox, 500, 333), 80.0);
  const cv::Mat image = load_image(*dataset, plane.source_image);  // a JPEG: lossy, so only the size is exact
  EXPECT_EQ(image.cols, 6);
  EXPECT_EQ(image.rows, 4);
  const cv::Vec3b pixel = image.at<cv::Vec3b>(0, 0);
  EXPECT_NEAR(pixel[0], 10, 6);  // R first
  EXPECT_NEAR(pixel[1], 120, 6);
  EXPECT_NEAR(pixel[2], 240, 6);
  EXPECT_TRUE(dataset->pairs("trn").empty());

  const auto small = open_dataset("spair-71k", dir.path(), DatasetOptions{"small"});
  const std::vector<PairAnnotation> small_pairs = small->pairs("test");
  ASSERT_EQ(small_pairs.size(), 1u);
  EXPECT_EQ(small_pairs[0].id, kSecond);
  EXPECT_DATASET_ERROR(open_dataset("spair", dir.path(), DatasetOptions{"medium"}),
                       "unknown layout 'medium'");
}

TEST(DatasetsSPair, StatisticsCountPairsPerCategoryAndFlag) {
  test::TempDir dir;
  write_spair(dir);
  const DatasetStatistics stats = dataset_statistics(open_dataset("spair", dir.path())->pairs("test"));
  EXPECT_EQ(stats.pairs, 2u);
  EXPECT_EQ(stats.keypoints, 4u);
  EXPECT_EQ(stats.per_category, (std::map<std::string, size_t>{{"aeroplane", 1}, {"cat", 1}}));
  EXPECT_EQ(stats.viewpoint_variation, (std::map<int, size_t>{{1, 1}, {2, 1}}));
  EXPECT_EQ(stats.scale_variation, (std::map<int, size_t>{{0, 2}}));
  EXPECT_EQ(stats.truncation, (std::map<int, size_t>{{0, 1}, {2, 1}}));
  EXPECT_EQ(stats.occlusion, (std::map<int, size_t>{{3, 2}}));
  EXPECT_EQ(stats.mirror, (std::map<int, size_t>{{1, 2}}));
}

TEST(DatasetsSPair, ReadsFromTarGzLikeTheOfficialArchive) {
  test::TempDir dir;
  write_spair(dir);
  test::make_tar_gz(dir.path() + "/SPair-71k", dir.path() + "/SPair-71k.tar.gz", "SPair-71k/");
  const auto dataset = open_dataset("spair", dir.path() + "/SPair-71k.tar.gz");
  const std::vector<PairAnnotation> pairs = dataset->pairs("test");
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].target_kps[2].y, 6.25);
  EXPECT_EQ(pairs[1].category, "cat");
  EXPECT_EQ(load_image(*dataset, pairs[0].source_image).cols, 6);
}

TEST(DatasetsSPair, CorruptJsonNamesFileAndField) {
  test::TempDir dir;
  write_spair(dir);
  const auto dataset = open_dataset("spair", dir.path());
  const std::string json = dir.path() + "/SPair-71k/PairAnnotation/test/" + kFirst + ".json";
  const auto rewrite = [&](const std::string& content) {
    dir.write("SPair-71k/PairAnnotation/test/" + std::string(kFirst) + ".json", content);
  };

  rewrite("{\"src_imname\": \"a.jpg\", ");
  EXPECT_DATASET_ERROR(dataset->pairs("test"), json + ": invalid JSON at byte");

  rewrite(pair_json("aeroplane", "a.jpg", "b.jpg", "[[1, 2], [3, 4]]", "[[1, 2]]", "[0, 1]"));
  EXPECT_DATASET_ERROR(dataset->pairs("test"), json + ": keypoint counts differ", "found 2, 1 and 2");

  rewrite(pair_json("aeroplane", "a.jpg", "b.jpg", "[[1, 2]]", "[[1, 2]]", "[0, 1]"));
  EXPECT_DATASET_ERROR(dataset->pairs("test"), json + ": keypoint counts differ", "found 1, 1 and 2");

  rewrite(pair_json("aeroplane", "a.jpg", "b.jpg", "[[1, 2]]", "[[1, 2]]", "[0]", "[10, 20, 10, 70]"));
  EXPECT_DATASET_ERROR(dataset->pairs("test"), json + ": field 'trg_bndbox'", "x2 > x1 and y2 > y1",
                       "found [10.000000, 20.000000, 10.000000, 70.000000]");

  rewrite(pair_json("aeroplane", "a.jpg", "b.jpg", "[[1, 2]]", "[[1, \"x\"]]", "[0]"));
  EXPECT_DATASET_ERROR(dataset->pairs("test"), json + ": field 'trg_kps'", "[x, y] numbers at index 0",
                       "found [1,\"x\"]");

  rewrite(pair_json("cat", "a.jpg", "b.jpg", "[[1, 2]]", "[[1, 2]]", "[0]"));
  EXPECT_DATASET_ERROR(dataset->pairs("test"), json + ": field 'category'", "expected 'aeroplane'",
                       "found 'cat'");

  rewrite("{\"category\": \"aeroplane\"}");
  EXPECT_DATASET_ERROR(dataset->pairs("test"), json + ": field 'src_imname' is missing");

  std::filesystem::remove(json);
  EXPECT_DATASET_ERROR(dataset->pairs("test"), json, "file not found");

  dir.write("SPair-71k/Layout/large/val.txt", "\nnot-a-pair-name\n");
  EXPECT_DATASET_ERROR(dataset->pairs("val"), "Layout/large/val.txt line 2",
                       "expected a pair name '<id>-<source>-<target>:<category>', found 'not-a-pair-name'");
}

}  // namespace
}  // namespace hpf
