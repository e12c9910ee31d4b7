#pragma once
// What an image's bytes say before and beside decoding, that OpenCV's decoder does not report: the size from
// the header (to bound memory before decoding), libjpeg's warnings about damaged data that it repaired (a
// truncated JPEG decodes with its missing part filled in), and the EXIF orientation.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hpf {

struct ImageSize {
  int64_t width = 0, height = 0;
};

// Width and height from a JPEG's or PNG's header; nullopt for other formats or an unreadable header.
std::optional<ImageSize> header_size(const std::vector<uint8_t>& bytes);

// libjpeg's warnings while reading every coefficient of a JPEG (e.g. "Premature end of JPEG file"): each is
// damage the decoder repaired. Empty for an intact JPEG and for other formats. A fatal error is reported as
// one message too (OpenCV then fails to decode the file).
std::vector<std::string> jpeg_damage(const std::vector<uint8_t>& bytes);

// The EXIF orientation tag (1-8) of a JPEG, nullopt when absent.
std::optional<int> exif_orientation(const std::vector<uint8_t>& bytes);

}  // namespace hpf
