// The real MobileNetV2 weights in the shared data folder read as torchvision's mobilenet_v2 state dict.

#include "core/checkpoint/checkpoint_reader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

namespace hpf {
namespace {

float float_at(const RawTensor& t, int64_t element) {
  float value = 0;
  std::memcpy(&value, t.storage->data() + (t.storage_offset + element) * 4, sizeof value);
  return value;
}

TEST(SharedWeights, MobileNetV2ImageNetHasTorchvisionLayout) {
  const char* shared = std::getenv("HPF_SHARED_DIR");
  if (!shared || !*shared)
    GTEST_SKIP() << "HPF_SHARED_DIR not set: the real MobileNetV2 weights are not available";
  const RawStateDict state =
      read_checkpoint(std::string(shared) + "/weights/mobilenet_v2_imagenet_uint8.pth");

  ASSERT_EQ(state.size(), 314u);  // len(torchvision.models.mobilenet_v2().state_dict())
  size_t float32 = 0, int64 = 0;
  int64_t elements = 0;
  for (const auto& [name, t] : state) {
    float32 += t.dtype == RawDType::Float32;
    int64 += t.dtype == RawDType::Int64;
    int64_t n = 1;
    for (int64_t d : t.shape) n *= d;
    elements += n;
  }
  EXPECT_EQ(float32, 262u);
  EXPECT_EQ(int64, 52u);
  EXPECT_EQ(elements, 3539036);
  const RawTensor& first = state.at("features.0.0.weight");
  EXPECT_EQ(first.shape, (std::vector<int64_t>{32, 3, 3, 3}));
  EXPECT_EQ(state.at("classifier.1.weight").shape, (std::vector<int64_t>{1000, 1280}));
  // Golden values as torch.load reads them.
  EXPECT_EQ(float_at(first, 0), -0.23336651921272278f);
  EXPECT_EQ(float_at(first, 1), -0.32671311497688293f);
  EXPECT_EQ(float_at(state.at("classifier.1.bias"), 2), -0.20940734446048737f);
}

}  // namespace
}  // namespace hpf
