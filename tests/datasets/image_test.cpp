#include "datasets/dataset.h"

#include <opencv2/imgcodecs.hpp>

#include "datasets/download_info.h"
#include "tests/datasets/fixtures.h"

namespace hpf {
namespace {

TEST(DatasetsImage, LoadsRgbAndRejectsNonImages) {
  test::TempDir dir;
  dir.write("test_pairs_caltech_with_category.csv", "s,t,c,xa,ya,xb,yb\n");
  dir.write_png("101_ObjectCategories/ant/rgb.png", 3, 2, 255, 0, 0);
  // A 16-bit grey PNG must still come back as 8-bit RGB.
  cv::Mat grey16(2, 2, CV_16UC1, cv::Scalar(65535));
  ASSERT_TRUE(cv::imwrite(dir.path() + "/101_ObjectCategories/ant/grey16.png", grey16));
  dir.write("101_ObjectCategories/ant/fake.jpg", "this is text, not a JPEG");
  dir.write("101_ObjectCategories/ant/empty.jpg", "");
  const auto dataset = open_dataset("caltech", dir.path());

  const cv::Mat red = load_image(*dataset, "101_ObjectCategories/ant/rgb.png");
  EXPECT_EQ(red.type(), CV_8UC3);
  EXPECT_EQ(red.at<cv::Vec3b>(1, 2), cv::Vec3b(255, 0, 0));
  const cv::Mat grey = load_image(*dataset, "101_ObjectCategories/ant/grey16.png");
  EXPECT_EQ(grey.type(), CV_8UC3);
  EXPECT_EQ(grey.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 255, 255));

  EXPECT_DATASET_ERROR(load_image(*dataset, "101_ObjectCategories/ant/fake.jpg"),
                       dir.path() + "/101_ObjectCategories/ant/fake.jpg: not a decodable image (24 bytes");
  EXPECT_DATASET_ERROR(load_image(*dataset, "101_ObjectCategories/ant/empty.jpg"),
                       "not a decodable image (0 bytes");
  EXPECT_DATASET_ERROR(load_image(*dataset, "101_ObjectCategories/ant/none.jpg"), "none.jpg: file not found");
}

TEST(DatasetsImage, PckThresholdPerKind) {
  PairAnnotation pair;
  pair.id = "p";
  EXPECT_EQ(pck_threshold(pair, ThresholdKind::Image, 640, 480), 640.0);
  EXPECT_EQ(pck_threshold(pair, ThresholdKind::Image, 300, 500), 500.0);
  EXPECT_DATASET_ERROR(pck_threshold(pair, ThresholdKind::BoundingBox, 640, 480), "pair p", "has no box");
  pair.has_bbox = true;
  pair.target_bbox = {10, 10, 40.5, 30};
  EXPECT_EQ(pck_threshold(pair, ThresholdKind::BoundingBox, 640, 480), 30.5);
  pair.target_bbox = {10, 10, 10, 10};
  EXPECT_DATASET_ERROR(pck_threshold(pair, ThresholdKind::BoundingBox, 640, 480), "must be positive");
  EXPECT_DATASET_ERROR(pck_threshold(pair, ThresholdKind::Image, 0, 0), "must be positive");
}

TEST(DatasetsDownloadInfo, EveryKindHasInstructionsWithItsOfficialUrl) {
  for (const std::string& kind : dataset_kinds()) {
    EXPECT_NE(offline_instructions(kind).find(kind == "spair" ? "SPair-71k.tar.gz" : "http"),
              std::string::npos);
  }
  EXPECT_NE(offline_instructions("pf-willow")
                .find("https://www.di.ens.fr/willow/research/proposalflow/dataset/PF-dataset.zip"),
            std::string::npos);
  EXPECT_NE(offline_instructions("pf-pascal").find("PF-dataset-PASCAL.zip"), std::string::npos);
  EXPECT_NE(offline_instructions("caltech").find("test_pairs_caltech_with_category.csv"), std::string::npos);
  EXPECT_EQ(dataset_downloads().size(), dataset_kinds().size());
  EXPECT_DATASET_ERROR(offline_instructions("mnist"), "unknown dataset kind 'mnist'");
}

}  // namespace
}  // namespace hpf
