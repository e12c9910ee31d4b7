#include "datasets/caltech.h"

#include "tests/datasets/fixtures.h"

namespace hpf {
namespace {

const char* const kHeader = "source_image,target_image,class,XA,YA,XB,YB\n";

TEST(DatasetsCaltech, ReadsQuotedPolygonLists) {
  test::TempDir dir;
  dir.write(
      "Caltech-101/test_pairs_caltech_with_category.csv",
      std::string(kHeader) +
          "101_ObjectCategories/Faces/image_0001.jpg,101_ObjectCategories/Faces/image_0002.jpg,1,"
          "\"1.5,10,10\",\"2,2,20.5\",\"3,30,30,3\",\"4,4,40,40\"\n"
          "101_ObjectCategories/yin_yang/image_0003.jpg,101_ObjectCategories/yin_yang/image_0004.jpg,101,"
          "\"0,1,2\",\"0,1,0\",\"5,6,7\",\"5,6,5\"\n");
  const auto dataset = open_dataset("caltech-101", dir.path());
  EXPECT_EQ(dataset->name(), "caltech");
  EXPECT_EQ(dataset->annotation_kind(), AnnotationKind::Polygon);
  ASSERT_EQ(dataset->categories().size(), 101u);
  const std::vector<PairAnnotation> pairs = dataset->pairs("test");
  ASSERT_EQ(pairs.size(), 2u);
  const PairAnnotation& face = pairs[0];
  EXPECT_EQ(face.category, "Faces");
  EXPECT_EQ(face.source_image, "101_ObjectCategories/Faces/image_0001.jpg");
  EXPECT_EQ(face.target_image, "101_ObjectCategories/Faces/image_0002.jpg");
  ASSERT_EQ(face.source_kps.size(), 3u);
  ASSERT_EQ(face.target_kps.size(), 4u);  // polygons differ in vertex count
  EXPECT_EQ(face.source_kps[0].x, 1.5);
  EXPECT_EQ(face.source_kps[2].y, 20.5);
  EXPECT_EQ(face.target_kps[3].x, 3);
  EXPECT_EQ(face.target_kps[3].y, 40);
  EXPECT_TRUE(face.kps_ids.empty());
  EXPECT_EQ(face.target_bbox, (std::array<double, 4>{3, 4, 30, 40}));
  EXPECT_EQ(pairs[1].category, "yin_yang");
}

TEST(DatasetsCaltech, CorruptRowsAreNamed) {
  test::TempDir dir;
  const std::string file = dir.path() + "/test_pairs_caltech_with_category.csv";
  dir.write("test_pairs_caltech_with_category.csv",
            std::string(kHeader) + "p/A/a.jpg,p/A/b.jpg,3,\"1,2,3\",\"1,2\",\"1,2,3\",\"1,2,3\"\n");
  const auto dataset = open_dataset("caltech", dir.path());
  EXPECT_DATASET_ERROR(dataset->pairs("test"), file + " line 2: source polygon", "found 3 x and 2 y values");
  dir.write("test_pairs_caltech_with_category.csv", std::string(kHeader) + "p/A/a.jpg,p/A/b.jpg,3,1,2,3\n");
  EXPECT_DATASET_ERROR(dataset->pairs("test"), file + " line 2: expected 7 columns", "found 6");
  dir.write("test_pairs_caltech_with_category.csv",
            std::string(kHeader) + "p/A/a.jpg,p/A/b.jpg,0,\"1,2,3\",\"1,2,3\",\"1,2,3\",\"1,2,3\"\n");
  EXPECT_DATASET_ERROR(dataset->pairs("test"), file + " line 2, column 3 (class)",
                       "expected 1..101, found 0");
  dir.write("test_pairs_caltech_with_category.csv",
            std::string(kHeader) + "p/A/a.jpg,p/A/b.jpg,3,\"1,2,3\",\"1,,3\",\"1,2,3\",\"1,2,3\"\n");
  EXPECT_DATASET_ERROR(dataset->pairs("test"), file + " line 2, column 5 (source y-list)", "item 2",
                       "found ''");
}

}  // namespace
}  // namespace hpf
