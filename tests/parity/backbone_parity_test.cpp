// Every backbone against torchvision: the same checkpoint file, the same input, every captured layer within
// 1e-4 x max|value| of torchvision's output (and the ImageNet logits for the classifiers).

#include "torchvision_fixture.h"

#include "core/compute/backbone.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

namespace hpf {
namespace {

class BackboneParity : public ::testing::TestWithParam<const char*> {};

void expect_close(const at::Tensor& actual, const at::Tensor& expected, const std::string& what) {
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  const double scale = expected.abs().max().item<double>();
  const double error = (actual - expected).abs().max().item<double>();
  EXPECT_LE(error, 1e-4 * scale) << what << ": max abs error " << error << " vs max |value| " << scale;
}

TEST_P(BackboneParity, EveryCapturedLayerMatchesTorchvision) {
  const std::string arch = GetParam();
  const std::string dir = test::torchvision_fixture_dir();
  auto backbone = make_backbone(arch);
  backbone->load_state_dict(test::load_state(dir + "/" + arch + ".pth"));
  const StateDict reference = test::load_state(dir + "/" + arch + "_outputs.pth");

  std::vector<int> ids;
  for (const auto& [key, value] : reference) {
    if (key.rfind("layer.", 0) == 0) ids.push_back(std::stoi(key.substr(6)));
  }
  std::sort(ids.begin(), ids.end());
  ASSERT_GE(ids.size(), 10u);
  c10::InferenceMode inference;
  const std::vector<at::Tensor> outputs = backbone->extract(reference.at("input"), ids);
  ASSERT_EQ(outputs.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    expect_close(outputs[i], reference.at("layer." + std::to_string(ids[i])), arch + " layer " + std::to_string(ids[i]));
  }
  // Requesting a subset in another order returns them in that order and stops early.
  const std::vector<at::Tensor> two = backbone->extract(reference.at("input"), {ids[2], ids[0]});
  expect_close(two[0], reference.at("layer." + std::to_string(ids[2])), arch + " reordered");
  expect_close(two[1], reference.at("layer." + std::to_string(ids[0])), arch + " reordered");

  if (reference.count("logits")) {
    expect_close(backbone->classify(reference.at("input")), reference.at("logits"), arch + " logits");
  }
}

INSTANTIATE_TEST_SUITE_P(Torchvision, BackboneParity,
                         ::testing::Values("resnet50", "resnet101", "fcn_resnet101", "mobilenet_v2"));

TEST(BackboneCheckpoint, WeightsOfAnotherArchitectureAreRejectedByName) {
  const std::string dir = test::torchvision_fixture_dir();
  auto backbone = make_backbone("resnet101");
  try {
    backbone->load_state_dict(test::load_state(dir + "/resnet50.pth"));
    FAIL() << "resnet50 weights loaded into resnet101";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("layer3.6.conv1.weight' is missing"), std::string::npos) << e.what();
  }
  auto mobilenet = make_backbone("mobilenet_v2");
  try {
    mobilenet->load_state_dict(test::load_state(dir + "/resnet50.pth"));
    FAIL() << "resnet50 weights loaded into mobilenet_v2";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("is not a mobilenet_v2 state dict"), std::string::npos) << e.what();
  }
}

TEST(BackboneCheckpoint, WrongShapeIsNamed) {
  const std::string dir = test::torchvision_fixture_dir();
  StateDict state = test::load_state(dir + "/mobilenet_v2.pth");
  state["features.3.conv.1.0.weight"] = at::zeros({144, 1, 5, 5});
  auto backbone = make_backbone("mobilenet_v2");
  try {
    backbone->load_state_dict(state);
    FAIL() << "wrong shape accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'features.3.conv.1.0.weight' has shape [144, 1, 5, 5], expected "
                                         "[144, 1, 3, 3]"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace hpf
