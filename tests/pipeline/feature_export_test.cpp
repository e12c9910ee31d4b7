// `hpf features`' core: .npy files NumPy reads back as they were, and layer outputs equal to the backbone's.

#include "fixtures.h"

#include "core/compute/preprocess.h"
#include "core/fileio/npy.h"
#include "core/pipeline/feature_export.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

namespace hpf {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The values of a float32 .npy written by npy_float32 (the header length is at bytes 8-9).
at::Tensor npy_values(const std::string& bytes, const std::vector<int64_t>& shape) {
  const size_t header =
      static_cast<uint8_t>(bytes[8]) | (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
  at::Tensor out = at::empty(shape, at::kFloat);
  std::memcpy(out.data_ptr<float>(), bytes.data() + 10 + header, out.numel() * sizeof(float));
  return out;
}

TEST(Npy, NumPyLoadsWhatWasWritten) {
  test::TempDir dir;
  const at::Tensor values = at::arange(24, at::kFloat).mul_(0.5).sub_(3).view({2, 3, 4}).contiguous();
  const std::string bytes = npy_float32(values.data_ptr<float>(), {2, 3, 4});
  EXPECT_EQ((10 + (static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8))) % 64, 0u);
  std::ofstream(dir.str() + "/a.npy", std::ios::binary) << bytes;
  const std::string one = npy_float32(values.data_ptr<float>(), {24});
  std::ofstream(dir.str() + "/b.npy", std::ios::binary) << one;
  const char* python = std::getenv("HPF_TEST_PYTHON");
  ASSERT_TRUE(python) << "HPF_TEST_PYTHON unset: run through ctest";
  const std::string check =
      std::string(python) + " -c \"import numpy as np; a = np.load('" + dir.str() +
      "/a.npy'); b = np.load('" + dir.str() +
      "/b.npy'); assert a.dtype == np.float32 and a.shape == (2, 3, 4), (a.dtype, a.shape); "
      "assert (a.ravel() == np.arange(24, dtype=np.float32) * 0.5 - 3).all(); "
      "assert b.shape == (24,) and (b == a.ravel()).all()\"";
  EXPECT_EQ(std::system(check.c_str()), 0) << check;
}

TEST(FeatureExport, LayersEqualTheBackbonesOutputsAndTheJsonDescribesThem) {
  test::TempDir dir;
  test::write_synthetic_png(dir.str() + "/img.png", 400, 260, 5);
  const DecodedImage image = read_image(dir.str() + "/img.png");
  auto backbone = test::seeded_mobilenet();
  FeatureExportOptions options;
  options.layers = {7, 2};
  const auto written = export_features(*backbone, image, options, dir.str() + "/out");
  EXPECT_EQ(written.size(), 3u);

  c10::InferenceMode inference;
  const PreparedImage prepared = prepare_image(image.rgb, 300);
  const std::vector<at::Tensor> expected = backbone->extract(prepared.tensor, {2, 7});
  const QJsonObject json =
      QJsonDocument::fromJson(QByteArray::fromStdString(read_text(dir.str() + "/out/features.json")))
          .object();
  EXPECT_EQ(json["backbone"].toString(), "mobilenet_v2");
  EXPECT_EQ(json["input_size"].toArray(), (QJsonArray{300, 195}));
  EXPECT_FLOAT_EQ(static_cast<float>(json["resize_ratio"].toDouble()), prepared.ratio);
  const QJsonArray layers = json["layers"].toArray();
  ASSERT_EQ(layers.size(), 2);
  for (int i = 0; i < 2; ++i) {
    const QJsonObject layer = layers[i].toObject();
    const int id = i == 0 ? 2 : 7;
    EXPECT_EQ(layer["id"].toInt(), id);
    EXPECT_EQ(layer["jump"].toInt(), backbone->layers()[id].jump);
    EXPECT_EQ(layer["receptive_field"].toInt(), backbone->layers()[id].receptive_field);
    const at::Tensor map = expected[i].squeeze(0);
    EXPECT_EQ(layer["channels"].toInt(), map.size(0));
    const at::Tensor stored = npy_values(
        read_text(dir.str() + "/out/" + layer["file"].toString().toStdString()), map.sizes().vec());
    EXPECT_TRUE(at::equal(stored, map)) << "layer " << id;
  }

  // Raw input: the image as it is, normalised only.
  options.raw_input = true;
  export_features(*backbone, image, options, dir.str() + "/raw");
  const QJsonObject raw =
      QJsonDocument::fromJson(QByteArray::fromStdString(read_text(dir.str() + "/raw/features.json")))
          .object();
  EXPECT_EQ(raw["input_size"].toArray(), (QJsonArray{400, 260}));
  EXPECT_EQ(raw["resize_ratio"].toDouble(), 1.0);
  options.layers = {99};
  EXPECT_THROW(export_features(*backbone, image, options, dir.str() + "/bad"), std::invalid_argument);
}

}  // namespace
}  // namespace hpf
