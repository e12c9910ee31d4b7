#include "fixtures.h"

#include <ATen/ATen.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <fstream>
#include <random>
#include <vector>

#include <unistd.h>

namespace hpf::test {

TempDir::TempDir() {
  static int counter = 0;
  path_ = std::filesystem::temp_directory_path() /
          ("hpf-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_synthetic_png(const std::string& path, int width, int height, unsigned seed) {
  std::mt19937 rng(seed);
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(90, 120, 150));
  std::uniform_int_distribution<int> x(0, width - 1), y(0, height - 1), r(3, std::max(4, std::min(width, height) / 5)),
      c(0, 255);
  for (int i = 0; i < 40; ++i) {
    cv::circle(image, {x(rng), y(rng)}, r(rng), cv::Scalar(c(rng), c(rng), c(rng)), cv::FILLED);
  }
  cv::Mat noise(height, width, CV_8UC3);
  cv::randu(noise, 0, 30);
  image += noise;
  cv::imwrite(path, image);
}

int write_pf_willow_fixture(const std::filesystem::path& root, int images_per_category, unsigned seed) {
  std::mt19937 rng(seed);
  std::filesystem::create_directories(root);
  std::ofstream csv(root / "test_pairs.csv");
  csv << "imageA,imageB";
  for (const char* prefix : {"XA", "YA", "XB", "YB"}) {
    for (int k = 1; k <= 10; ++k) csv << "," << prefix << k;
  }
  csv << "\n";
  int pairs = 0;
  for (const std::string category : {"car(G)", "duck(S)"}) {
    std::filesystem::create_directories(root / category);
    std::vector<std::vector<double>> kps;
    for (int i = 0; i < images_per_category; ++i) {
      const int w = 160 + 40 * (i % 3), h = 120 + 30 * ((i + 1) % 3);
      write_synthetic_png((root / category / ("img" + std::to_string(i) + ".png")).string(), w, h, rng());
      std::uniform_real_distribution<double> ux(10, w - 10), uy(10, h - 10);
      std::vector<double> k;
      for (int j = 0; j < 10; ++j) k.push_back(ux(rng));
      for (int j = 0; j < 10; ++j) k.push_back(uy(rng));
      kps.push_back(k);
    }
    for (int a = 0; a < images_per_category; ++a) {
      for (int b = 0; b < images_per_category; ++b) {
        if (a == b) continue;
        csv << "PF-dataset/" << category << "/img" << a << ".png,PF-dataset/" << category << "/img" << b << ".png";
        for (double v : kps[a]) csv << "," << v;
        for (double v : kps[b]) csv << "," << v;
        csv << "\n";
        ++pairs;
      }
    }
  }
  return pairs;
}

std::unique_ptr<Backbone> seeded_mobilenet(uint64_t seed) {
  at::manual_seed(seed);
  return make_backbone("mobilenet_v2");
}

std::string shared_dir() {
  const char* dir = std::getenv("HPF_SHARED_DIR");
  return dir ? dir : "";
}

}  // namespace hpf::test
