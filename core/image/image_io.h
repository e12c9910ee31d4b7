#pragma once
// Decoding images into the RGB tensors the compute core expects, with clear errors for bad files.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace cv {
class Mat;
}

namespace hpf {

class ImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A decoded image. Very large images are reduced right after decoding (area averaging) so that a 20000-px
// photo cannot exhaust memory in the float pipeline; `scale` records that reduction (1 for every ordinary
// image) and coordinates in original pixels are multiplied by it.
struct DecodedImage {
  at::Tensor rgb;  // (H, W, 3) uint8, RGB
  int original_width = 0;
  int original_height = 0;
  float scale = 1.0f;  // decoded size / original size
  std::string name;    // the file (or archive member) it came from, for messages
  // Legal but noteworthy, each naming the file: data the decoder repaired (a truncated JPEG), an EXIF
  // orientation left unapplied, a reduction at decode time.
  std::vector<std::string> warnings;
};

// Longest side kept at decode time (default); larger images are reduced, see DecodedImage.
constexpr int kMaxDecodedSide = 4096;
// Images with more pixels than this are refused before decoding (their RGB buffer alone would be ~750 MB).
constexpr int64_t kMaxDecodedPixels = int64_t{250} * 1000 * 1000;

// Reads and decodes an image file (anything OpenCV reads: PNG, JPEG, BMP, TIFF, WebP...). Grey and alpha
// images become RGB. Throws ImageError naming the file: missing, unreadable, not an image, empty, or above
// kMaxDecodedPixels. The EXIF orientation is not applied: benchmark annotations, and the published code
// (PIL), use the pixels as stored; a rotated one is a warning.
DecodedImage read_image(const std::string& path, int max_side = kMaxDecodedSide);

// Same, from bytes already in memory (e.g. a member of a dataset archive); `name` is used in messages.
DecodedImage decode_image(const std::vector<uint8_t>& bytes, const std::string& name,
                          int max_side = kMaxDecodedSide);

// Wraps an 8-bit RGB cv::Mat as an owning (H, W, 3) uint8 tensor, and back.
at::Tensor mat_to_tensor(const cv::Mat& rgb);
cv::Mat tensor_to_mat(const at::Tensor& rgb);

}  // namespace hpf
