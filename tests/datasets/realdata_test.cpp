#include <cstdlib>
#include <map>

#include "datasets/dataset.h"
#include "tests/datasets/fixtures.h"

namespace hpf {
namespace {

// The shared PF-WILLOW development copy: 360 pairs over 4 sub-classes.
TEST(DatasetsRealData, PfWillowDevCopy) {
  const char* shared = std::getenv("HPF_SHARED_DIR");
  if (shared == nullptr || *shared == '\0') {
    GTEST_SKIP() << "HPF_SHARED_DIR not set: point it at the shared folder holding data/pf-willow-dev";
  }
  const auto dataset = open_dataset("pf-willow", std::string(shared) + "/data/pf-willow-dev");
  const std::vector<PairAnnotation> pairs = dataset->pairs("test");
  ASSERT_EQ(pairs.size(), 360u);
  std::map<std::string, int> per_category;
  for (const PairAnnotation& pair : pairs) {
    ++per_category[pair.category];
    EXPECT_EQ(pair.source_kps.size(), 10u);
  }
  EXPECT_EQ(per_category, (std::map<std::string, int>{
                              {"car(G)", 90}, {"duck(S)", 90}, {"motorbike(G)", 90}, {"winebottle(M)", 90}}));
  EXPECT_EQ(pairs[0].source_image, "car(G)/Cars_000a.png");  // "PF-dataset/" stripped
  EXPECT_EQ(pairs[0].target_image, "car(G)/Cars_001b.png");
  EXPECT_EQ(pairs[0].source_kps[0].x, 91.08823529411765);
  EXPECT_EQ(pairs[0].source_kps[0].y, 170.3529411764706);
  const cv::Mat image = load_image(*dataset, pairs[0].source_image);
  EXPECT_EQ(image.type(), CV_8UC3);
  EXPECT_GT(image.cols, 0);
  EXPECT_GT(pck_threshold(pairs[0], dataset->default_threshold(), image.cols, image.rows), 0);
}

}  // namespace
}  // namespace hpf
