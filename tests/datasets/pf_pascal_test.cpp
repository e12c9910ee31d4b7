#include "datasets/pf_pascal.h"

#include <cmath>
#include <limits>

#include "tests/datasets/fixtures.h"

namespace hpf {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Two annotated cats; keypoint 1 is invisible in the source (NaN row), keypoint 3 invisible in the target.
void write_pascal(const test::TempDir& dir) {
  dir.write_pascal_mat("PF-PASCAL/Annotations/cat/2009_000001.mat",
                       {{{10.5, 20.5}}, {{kNaN, kNaN}}, {{30, 40}}, {{50, 60}}}, {5, 6, 95, 96});
  dir.write_pascal_mat("PF-PASCAL/Annotations/cat/2009_000002.mat",
                       {{{1, 2}}, {{3, 4}}, {{5, 6}}, {{kNaN, kNaN}}}, {1, 2, 71, 52});
  dir.write_pascal_mat("PF-PASCAL/Annotations/aeroplane/2008_000003.mat", {{{7, 8}}}, {0, 0, 10, 10});
  dir.write_png("PF-PASCAL/JPEGImages/2009_000002.jpg", 8, 6, 200, 100, 0);
  dir.write("PF-PASCAL/test_pairs.csv",
            "source_image,target_image,class\n"
            "PF-dataset-PASCAL/JPEGImages/2009_000001.jpg,PF-dataset-PASCAL/JPEGImages/2009_000002.jpg,8\n"
            "PF-dataset-PASCAL/JPEGImages/2008_000003.jpg,PF-dataset-PASCAL/JPEGImages/2008_000003.jpg,1\n");
  dir.write(
      "PF-PASCAL/trn_pairs.csv",
      "source_image,target_image,class,flip\n"
      "PF-dataset-PASCAL/JPEGImages/2009_000002.jpg,PF-dataset-PASCAL/JPEGImages/2009_000001.jpg,8,1\n");
}

TEST(DatasetsPfPascal, ReadsMatAnnotationsAndDropsInvisibleKeypointsPairwise) {
  test::TempDir dir;
  write_pascal(dir);
  const auto dataset = open_dataset("pf-pascal", dir.path());
  EXPECT_EQ(dataset->name(), "pf-pascal");
  EXPECT_EQ(dataset->splits(), (std::vector<std::string>{"trn", "val", "test"}));
  EXPECT_EQ(dataset->default_threshold(), ThresholdKind::Image);
  ASSERT_EQ(dataset->categories().size(), 20u);
  EXPECT_EQ(dataset->categories()[7], "cat");
  EXPECT_EQ(dataset->categories()[10], "diningtable");

  const std::vector<PairAnnotation> pairs = dataset->pairs("test");
  ASSERT_EQ(pairs.size(), 2u);
  const PairAnnotation& cat = pairs[0];
  EXPECT_EQ(cat.id, "0");
  EXPECT_EQ(cat.category, "cat");
  EXPECT_EQ(cat.source_image, "JPEGImages/2009_000001.jpg");
  EXPECT_EQ(cat.target_image, "JPEGImages/2009_000002.jpg");
  EXPECT_FALSE(cat.flip);
  ASSERT_EQ(cat.source_kps.size(), 2u);  // rows 0 and 2 are visible in both
  EXPECT_EQ(cat.kps_ids, (std::vector<int>{0, 2}));
  EXPECT_EQ(cat.source_kps[0].x, 10.5);
  EXPECT_EQ(cat.source_kps[0].y, 20.5);
  EXPECT_EQ(cat.source_kps[1].x, 30);
  EXPECT_EQ(cat.source_kps[1].y, 40);
  EXPECT_EQ(cat.target_kps[0].x, 1);
  EXPECT_EQ(cat.target_kps[0].y, 2);
  EXPECT_EQ(cat.target_kps[1].x, 5);
  EXPECT_EQ(cat.target_kps[1].y, 6);
  EXPECT_TRUE(cat.has_bbox);
  EXPECT_EQ(cat.source_bbox, (std::array<double, 4>{5, 6, 95, 96}));
  EXPECT_EQ(cat.target_bbox, (std::array<double, 4>{1, 2, 71, 52}));
  EXPECT_EQ(pairs[1].category, "aeroplane");

  // PF-PASCAL's T is the target image's larger side; the bbox one would be max(70, 50).
  const cv::Mat target = load_image(*dataset, cat.target_image);
  EXPECT_EQ(pck_threshold(cat, dataset->default_threshold(), target.cols, target.rows), 8.0);
  EXPECT_EQ(pck_threshold(cat, ThresholdKind::BoundingBox, target.cols, target.rows), 70.0);

  const std::vector<PairAnnotation> trn = dataset->pairs("trn");
  ASSERT_EQ(trn.size(), 1u);
  EXPECT_TRUE(trn[0].flip);
  EXPECT_EQ(trn[0].kps_ids, (std::vector<int>{0, 2}));
  EXPECT_EQ(trn[0].source_kps[1].x, 5);  // roles swapped relative to the test pair
}

TEST(DatasetsPfPascal, ReadsTheSameFromAZip) {
  test::TempDir dir;
  write_pascal(dir);
  test::make_zip(dir.path() + "/PF-PASCAL", dir.path() + "/pascal.zip", "PF-PASCAL/");
  const auto dataset = open_dataset("pfpascal", dir.path() + "/pascal.zip");
  const std::vector<PairAnnotation> pairs = dataset->pairs("test");
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].kps_ids, (std::vector<int>{0, 2}));
  EXPECT_EQ(pairs[0].target_kps[1].y, 6);
  EXPECT_EQ(pairs[0].source_bbox, (std::array<double, 4>{5, 6, 95, 96}));
}

TEST(DatasetsPfPascal, CorruptInputsNameTheFileAndField) {
  test::TempDir dir;
  write_pascal(dir);
  const auto dataset = open_dataset("pf-pascal", dir.path());
  const std::string root = dir.path() + "/PF-PASCAL/";

  EXPECT_DATASET_ERROR(dataset->pairs("val"), root + "val_pairs.csv", "file not found");

  dir.write("PF-PASCAL/test_pairs.csv", "source_image,target_image,class\na.jpg,b.jpg,21\n");
  EXPECT_DATASET_ERROR(dataset->pairs("test"), root + "test_pairs.csv line 2, column 3 (class)",
                       "expected 1..20, found 21");

  dir.write("PF-PASCAL/test_pairs.csv", "source_image,target_image,class\na.jpg,b.jpg\n");
  EXPECT_DATASET_ERROR(dataset->pairs("test"), root + "test_pairs.csv line 2: expected 4 columns", "found 2");

  dir.write("PF-PASCAL/test_pairs.csv",
            "source_image,target_image,class\nx/missing.jpg,x/2009_000001.jpg,8\n");
  EXPECT_DATASET_ERROR(dataset->pairs("test"), root + "Annotations/cat/missing.mat", "file not found");

  // Keypoint count mismatch between the two images of a pair.
  dir.write("PF-PASCAL/test_pairs.csv",
            "source_image,target_image,class\nx/2009_000001.jpg,x/2009_000005.jpg,8\n");
  dir.write_pascal_mat("PF-PASCAL/Annotations/cat/2009_000005.mat", {{{1, 1}}, {{2, 2}}}, {0, 0, 5, 5});
  EXPECT_DATASET_ERROR(dataset->pairs("test"), "keypoint counts differ", "2009_000001.mat has 4",
                       "2009_000005.mat has 2");

  // Nothing visible in both images.
  dir.write_pascal_mat("PF-PASCAL/Annotations/cat/2009_000006.mat",
                       {{{kNaN, 1}}, {{2, 2}}, {{3, 3}}, {{4, 4}}}, {0, 0, 5, 5});
  dir.write_pascal_mat("PF-PASCAL/Annotations/cat/2009_000007.mat",
                       {{{1, 1}}, {{kNaN, 2}}, {{3, kNaN}}, {{kNaN, 4}}}, {0, 0, 5, 5});
  dir.write("PF-PASCAL/test_pairs.csv",
            "source_image,target_image,class\nx/2009_000006.jpg,x/2009_000007.jpg,8\n");
  EXPECT_DATASET_ERROR(dataset->pairs("test"),
                       "test_pairs.csv line 2: no keypoint is visible in both images");

  // Not a .mat at all.
  dir.write("PF-PASCAL/Annotations/cat/2009_000008.mat", "MATLAB? no.");
  dir.write("PF-PASCAL/test_pairs.csv",
            "source_image,target_image,class\nx/2009_000008.jpg,x/2009_000001.jpg,8\n");
  EXPECT_DATASET_ERROR(dataset->pairs("test"), root + "Annotations/cat/2009_000008.mat",
                       "not a MATLAB .mat file");

  // kps with the wrong shape (N x 3 cannot be written with the helper; a 1 x 4 bbox as kps is).
  dir.write_pascal_mat("PF-PASCAL/Annotations/cat/2009_000009.mat", {}, {0, 0, 5, 5});
  dir.write("PF-PASCAL/test_pairs.csv",
            "source_image,target_image,class\nx/2009_000009.jpg,x/2009_000001.jpg,8\n");
  EXPECT_DATASET_ERROR(dataset->pairs("test"), "2009_000009.mat: variable 'kps': expected an N x 2 matrix",
                       "found 0 x 2");
}

}  // namespace
}  // namespace hpf
