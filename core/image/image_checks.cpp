#include "core/image/image_checks.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE

#include <jpeglib.h>
#include <libexif/exif-data.h>

namespace hpf {
namespace {

bool is_jpeg(const std::vector<uint8_t>& bytes) {
  return bytes.size() > 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
}

bool is_png(const std::vector<uint8_t>& bytes) {
  static const uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  return bytes.size() >= 24 && std::equal(kSignature, kSignature + 8, bytes.begin());
}

// libjpeg reports through an error manager: fatal errors jump back here; warnings are collected, not printed.
struct CollectingErrors {
  jpeg_error_mgr base;
  std::jmp_buf fatal;
  std::vector<std::string> messages;
};

std::string message_of(j_common_ptr info) {
  char text[JMSG_LENGTH_MAX];
  (*info->err->format_message)(info, text);
  return text;
}

void on_fatal(j_common_ptr info) {
  auto* errors = reinterpret_cast<CollectingErrors*>(info->err);
  errors->messages.push_back(message_of(info));
  std::longjmp(errors->fatal, 1);
}

void on_message(j_common_ptr info, int level) {
  if (level >= 0) return;  // trace messages
  auto* errors = reinterpret_cast<CollectingErrors*>(info->err);
  ++info->err->num_warnings;
  if (errors->messages.size() < 4) errors->messages.push_back(message_of(info));
}

// Runs `step` on a decompressor reading `bytes`; returns libjpeg's messages (warnings, and a fatal error
// last).
template <typename Step>
std::vector<std::string> with_decompressor(const std::vector<uint8_t>& bytes, Step step) {
  jpeg_decompress_struct info{};
  CollectingErrors errors{};
  info.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = on_fatal;
  errors.base.emit_message = on_message;
  if (setjmp(errors.fatal) == 0) {
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, bytes.data(), static_cast<unsigned long>(bytes.size()));
    step(info);
  }
  jpeg_destroy_decompress(&info);
  return errors.messages;
}

}  // namespace

std::optional<ImageSize> header_size(const std::vector<uint8_t>& bytes) {
  if (is_png(bytes)) {
    // The IHDR chunk comes first: its width and height are big-endian at offsets 16 and 20.
    const auto be32 = [&](size_t at) {
      return (int64_t{bytes[at]} << 24) | (int64_t{bytes[at + 1]} << 16) | (int64_t{bytes[at + 2]} << 8) |
             int64_t{bytes[at + 3]};
    };
    return ImageSize{be32(16), be32(20)};
  }
  if (!is_jpeg(bytes)) return std::nullopt;
  std::optional<ImageSize> size;
  with_decompressor(bytes, [&](jpeg_decompress_struct& info) {
    if (jpeg_read_header(&info, TRUE) == JPEG_HEADER_OK)
      size = ImageSize{info.image_width, info.image_height};
  });
  return size;
}

std::vector<std::string> jpeg_damage(const std::vector<uint8_t>& bytes) {
  if (!is_jpeg(bytes)) return {};
  // Reading the coefficients runs the entropy decoder over the whole stream (where truncation and corrupt
  // data show) without the inverse DCT, upsampling and colour conversion of a full decode.
  return with_decompressor(bytes, [](jpeg_decompress_struct& info) {
    jpeg_read_header(&info, TRUE);
    jpeg_read_coefficients(&info);
    jpeg_finish_decompress(&info);
  });
}

std::optional<int> exif_orientation(const std::vector<uint8_t>& bytes) {
  if (!is_jpeg(bytes)) return std::nullopt;
  ExifData* data = exif_data_new_from_data(bytes.data(), static_cast<unsigned int>(bytes.size()));
  if (!data) return std::nullopt;
  std::optional<int> orientation;
  if (ExifEntry* entry = exif_data_get_entry(data, EXIF_TAG_ORIENTATION)) {
    if (entry->format == EXIF_FORMAT_SHORT && entry->components >= 1) {
      orientation = exif_get_short(entry->data, exif_data_get_byte_order(data));
    }
  }
  exif_data_unref(data);
  return orientation;
}

}  // namespace hpf
