// The registry of official torchvision weight files.

#include "core/weights/weights_registry.h"
#include "core/weights/weights_error.h"

#include <gtest/gtest.h>

namespace hpf {
namespace {

TEST(WeightsRegistry, DefaultsAreTheTorchvisionV1Files) {
  EXPECT_EQ(default_weights("resnet50").url, "https://download.pytorch.org/models/resnet50-0676ba61.pth");
  EXPECT_EQ(default_weights("resnet101").url, "https://download.pytorch.org/models/resnet101-63fe2227.pth");
  EXPECT_EQ(default_weights("fcn_resnet101").url,
            "https://download.pytorch.org/models/fcn_resnet101_coco-7ecb50ca.pth");
  EXPECT_EQ(default_weights("mobilenet_v2").url,
            "https://download.pytorch.org/models/mobilenet_v2-b0353104.pth");
  EXPECT_EQ(default_weights("resnet101").sha256_prefix, "63fe2227");
  EXPECT_EQ(default_weights("fcn_resnet101").sha256_prefix, "7ecb50ca");
}

TEST(WeightsRegistry, PaperEraFilesAreSelectableByName) {
  EXPECT_EQ(find_weights("resnet50", "PAPER").file_name, "resnet50-19c8e357.pth");
  EXPECT_EQ(find_weights("resnet101", "PAPER").sha256_prefix, "5d3b4d8f");
  EXPECT_FALSE(find_weights("resnet101", "PAPER").is_default);
}

TEST(WeightsRegistry, EveryEntryIsConsistent) {
  EXPECT_EQ(registered_backbones(),
            (std::vector<std::string>{"resnet50", "resnet101", "fcn_resnet101", "mobilenet_v2"}));
  for (const WeightsEntry& e : weights_registry()) {
    SCOPED_TRACE(e.file_name);
    EXPECT_EQ(e.url, "https://download.pytorch.org/models/" + e.file_name);
    EXPECT_GE(e.sha256_prefix.size(), 8u);
    EXPECT_NE(e.file_name.find("-" + e.sha256_prefix + ".pth"), std::string::npos);
    EXPECT_GT(e.approx_bytes, 10'000'000);
    EXPECT_EQ(&default_weights(e.backbone), &find_weights(e.backbone, default_weights(e.backbone).name));
  }
}

TEST(WeightsRegistry, ReadsTheHashPrefixLikeTorchvision) {
  EXPECT_EQ(hash_prefix_from_file_name("resnet50-0676ba61.pth"), "0676ba61");
  EXPECT_EQ(hash_prefix_from_file_name("fcn_resnet101_coco-7ecb50ca.pth"), "7ecb50ca");
  EXPECT_EQ(hash_prefix_from_file_name("my-model-abc123def.pt"), "abc123def");
  EXPECT_EQ(hash_prefix_from_file_name("resnet50.pth"), "");
  EXPECT_EQ(hash_prefix_from_file_name("resnet50-final.pth"), "");
}

TEST(WeightsRegistry, UnknownNamesListTheChoices) {
  try {
    default_weights("vgg16");
    FAIL() << "vgg16 has no registered weights";
  } catch (const WeightsError& e) {
    EXPECT_STREQ(e.what(),
                 "no weights are registered for backbone 'vgg16'; known backbones: resnet50, resnet101, "
                 "fcn_resnet101, mobilenet_v2");
  }
  try {
    find_weights("resnet101", "V2");
    FAIL() << "resnet101 has no V2 in the registry";
  } catch (const WeightsError& e) {
    EXPECT_STREQ(e.what(), "backbone 'resnet101' has no weights named 'V2'; known: IMAGENET1K_V1, PAPER");
  }
}

}  // namespace
}  // namespace hpf
