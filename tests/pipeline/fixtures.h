#pragma once
// Test fixtures written by the tests themselves: synthetic photos and small datasets in real formats.

#include "core/compute/backbone.h"

#include <filesystem>
#include <memory>
#include <string>

namespace hpf::test {

// A fresh temporary directory, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// A deterministic textured RGB image (blobs of colour plus noise) saved as PNG.
void write_synthetic_png(const std::string& path, int width, int height, unsigned seed);

// A PF-WILLOW-format dataset (test_pairs.csv + car(G)/ and duck(S)/ PNGs): `images` images per category, every
// ordered pair of them, 10 random keypoints per image. Returns the number of pairs.
int write_pf_willow_fixture(const std::filesystem::path& root, int images_per_category, unsigned seed);

// An untrained MobileNetV2 with deterministic weights (timing and plumbing tests need no real weights).
std::unique_ptr<Backbone> seeded_mobilenet(uint64_t seed = 0);

// $HPF_SHARED_DIR or empty.
std::string shared_dir();

}  // namespace hpf::test
