// The registry of official weight files (torchvision, DINOv2).

#include "core/weights/weights_registry.h"

#include "core/compute/backbone.h"
#include "core/compute/dinov2.h"
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
  EXPECT_EQ(registered_backbones(), backbone_names());  // every backbone has official weights
  for (const WeightsEntry& e : weights_registry()) {
    SCOPED_TRACE(e.file_name);
    if (is_dinov2(e.backbone)) {
      // DINOv2: no published checksum; hub's naming (reg4 files for the _reg models); the float32 size of
      // the published architecture's parameters within 0.1%.
      EXPECT_FALSE(e.has_published_checksum());
      const bool reg = e.backbone.size() > 4 && e.backbone.substr(e.backbone.size() - 4) == "_reg";
      const std::string stem = reg ? e.backbone.substr(0, e.backbone.size() - 4) : e.backbone;
      EXPECT_EQ(e.file_name, stem + (reg ? "_reg4" : "") + "_pretrain.pth");
      EXPECT_EQ(e.url, "https://dl.fbaipublicfiles.com/dinov2/" + stem + "/" + e.file_name);
      const double bytes = 4.0 * static_cast<double>(dinov2_parameter_count(dinov2_named_config(e.backbone)));
      EXPECT_NEAR(static_cast<double>(e.approx_bytes) / bytes, 1.0, 1e-3);
      continue;
    }
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
                 "fcn_resnet101, mobilenet_v2, dinov2_vits14, dinov2_vitb14, dinov2_vitl14, dinov2_vitg14, "
                 "dinov2_vits14_reg, dinov2_vitb14_reg, dinov2_vitl14_reg, dinov2_vitg14_reg");
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
