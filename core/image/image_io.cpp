#include "core/image/image_io.h"

#include "core/image/image_checks.h"

#include <ATen/ATen.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

namespace hpf {
namespace {

DecodedImage finish(cv::Mat decoded, const std::string& name, int max_side) {
  if (decoded.empty()) throw ImageError(name + ": not a readable image (unknown format or corrupt data)");
  if (decoded.depth() != CV_8U) {
    // 16-bit PNG/TIFF: scale to 8 bits like any viewer would.
    decoded.convertTo(decoded, CV_8U, decoded.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
  }
  cv::Mat rgb;
  switch (decoded.channels()) {
    case 1:
      cv::cvtColor(decoded, rgb, cv::COLOR_GRAY2RGB);
      break;
    case 3:
      cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB);
      break;
    case 4:
      cv::cvtColor(decoded, rgb, cv::COLOR_BGRA2RGB);
      break;
    default:
      throw ImageError(name + ": unsupported number of channels " + std::to_string(decoded.channels()));
  }
  DecodedImage out;
  out.name = name;
  out.original_width = rgb.cols;
  out.original_height = rgb.rows;
  const int side = std::max(rgb.cols, rgb.rows);
  if (max_side > 0 && side > max_side) {
    out.scale = static_cast<float>(max_side) / static_cast<float>(side);
    cv::Mat reduced;
    cv::resize(rgb, reduced,
               cv::Size(std::max(1, static_cast<int>(rgb.cols * out.scale)),
                        std::max(1, static_cast<int>(rgb.rows * out.scale))),
               0, 0, cv::INTER_AREA);
    out.warnings.push_back(name + " (" + std::to_string(out.original_width) + "x" +
                           std::to_string(out.original_height) + ") was reduced to " +
                           std::to_string(reduced.cols) + "x" + std::to_string(reduced.rows) +
                           " when decoded (the " + std::to_string(max_side) +
                           "-px limit of decoded images); coordinates stay in original pixels");
    rgb = reduced;
  }
  out.rgb = mat_to_tensor(rgb);
  return out;
}

// Refuses, from the header, an image too large to decode, and one whose header gives no pixels.
void check_header(const std::vector<uint8_t>& bytes, const std::string& name) {
  const std::optional<ImageSize> size = header_size(bytes);
  if (!size) return;
  if (size->width < 1 || size->height < 1) {
    throw ImageError(name + ": the header gives a size of " + std::to_string(size->width) + "x" +
                     std::to_string(size->height) + " pixels");
  }
  if (size->width * size->height > kMaxDecodedPixels) {
    throw ImageError(name + ": " + std::to_string(size->width) + "x" + std::to_string(size->height) + " is " +
                     std::to_string(size->width * size->height / 1000000) + " megapixels, above the " +
                     std::to_string(kMaxDecodedPixels / 1000000) +
                     " this tool decodes; reduce the image first");
  }
}

std::string orientation_name(int orientation) {
  switch (orientation) {
    case 2:
      return "mirrored";
    case 3:
      return "rotated 180°";
    case 4:
      return "mirrored vertically";
    case 5:
      return "mirrored and rotated 90° clockwise";
    case 6:
      return "rotated 90° clockwise";
    case 7:
      return "mirrored and rotated 90° counter-clockwise";
    case 8:
      return "rotated 90° counter-clockwise";
    default:
      return "unknown";
  }
}

// What the decoder repaired and what it leaves undone, as warnings.
void add_decoder_warnings(const std::vector<uint8_t>& bytes, DecodedImage& image) {
  const std::vector<std::string> damage = jpeg_damage(bytes);
  if (!damage.empty()) {
    std::string messages;
    for (const std::string& m : damage) messages += (messages.empty() ? "" : "; ") + m;
    image.warnings.push_back(image.name + ": damaged JPEG data, repaired by the decoder (libjpeg: " +
                             messages + "); the missing part is filled in, not real");
  }
  const std::optional<int> orientation = exif_orientation(bytes);
  if (orientation && *orientation > 1) {
    image.warnings.push_back(image.name + ": its EXIF orientation " + std::to_string(*orientation) + " (" +
                             orientation_name(*orientation) +
                             ") is not applied: the image is matched as stored, as benchmark annotations and "
                             "the published code read it");
  }
}

}  // namespace

DecodedImage read_image(const std::string& path, int max_side) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) throw ImageError(path + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImageError(path + ": cannot be opened for reading");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return decode_image(bytes, path, max_side);
}

DecodedImage decode_image(const std::vector<uint8_t>& bytes, const std::string& name, int max_side) {
  if (bytes.empty()) throw ImageError(name + ": the file is empty");
  check_header(bytes, name);
  cv::Mat decoded;
  try {
    decoded =
        cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, const_cast<uint8_t*>(bytes.data())),
                     cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw ImageError(name + ": cannot decode image: " + e.msg);
  }
  DecodedImage image = finish(decoded, name, max_side);
  add_decoder_warnings(bytes, image);
  return image;
}

at::Tensor mat_to_tensor(const cv::Mat& rgb) {
  CV_Assert(rgb.type() == CV_8UC3);
  const cv::Mat continuous = rgb.isContinuous() ? rgb : rgb.clone();
  // from_blob does not own the pixels: clone so the tensor outlives the Mat.
  return at::from_blob(const_cast<uint8_t*>(continuous.ptr<uint8_t>()), {continuous.rows, continuous.cols, 3},
                       at::TensorOptions().dtype(at::kByte))
      .clone();
}

cv::Mat tensor_to_mat(const at::Tensor& rgb) {
  const at::Tensor contiguous = rgb.to(at::kCPU).to(at::kByte).contiguous();
  cv::Mat view(static_cast<int>(contiguous.size(0)), static_cast<int>(contiguous.size(1)), CV_8UC3,
               contiguous.data_ptr<uint8_t>());
  return view.clone();
}

}  // namespace hpf
