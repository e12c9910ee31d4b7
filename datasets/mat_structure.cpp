#include "datasets/mat_structure.h"

#include <zlib.h>

#include "datasets/dataset_error.h"

namespace hpf {
namespace {

// Data element types and array classes of the level-5 format (MATLAB "MAT-File Format", tables 1-2 and 1-3).
constexpr uint32_t kMiInt32 = 5;
constexpr uint32_t kMiMatrix = 14;
constexpr uint32_t kMiCompressed = 15;
constexpr uint32_t kSparseClass = 5;
constexpr size_t kHeaderBytes = 128;
// A PF-PASCAL annotation inflates to a few KB; nothing this reader needs comes close.
constexpr size_t kMaxInflatedBytes = size_t(16) << 20;
constexpr int kMaxNesting = 16;    // cells and structs inside cells and structs
constexpr uint32_t kMaxRank = 32;  // MATLAB's own limit is far lower in practice

class Mat5Checker {
 public:
  Mat5Checker(bool swap, std::string location) : swap_(swap), location_(std::move(location)) {}

  // The top level: a sequence of (possibly compressed) matrices. `base` is the offset of `data` in the file.
  void check_top_level(const uint8_t* data, size_t size, size_t base) {
    size_t pos = 0;
    while (pos < size) {
      const Tag tag = read_tag(data, size, pos, base);
      if (tag.small) fail(base + pos, "a top-level element must not use the small element format");
      const uint8_t* body = data + pos + 8;
      if (tag.type == kMiCompressed) {
        const std::vector<uint8_t> inflated = inflate(body, tag.nbytes, base + pos);
        // Offsets inside inflated data are reported relative to the compressed element.
        check_top_level(inflated.data(), inflated.size(), base + pos);
        pos += 8 + tag.nbytes;  // compressed elements are not padded
      } else {
        if (tag.type == kMiMatrix) check_matrix(body, tag.nbytes, base + pos + 8, 0);
        pos += 8 + padded(tag.nbytes);
      }
    }
  }

 private:
  struct Tag {
    uint32_t type = 0;
    size_t nbytes = 0;
    bool small = false;  // type and size share the first 4 bytes; the data (<= 4 bytes) follows
  };

  [[noreturn]] void fail(size_t offset, const std::string& detail) const {
    throw DatasetError(location_ + ": malformed .mat file at byte " + std::to_string(offset) + ": " + detail);
  }

  uint32_t u32(const uint8_t* p) const {
    const uint32_t little =
        uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
    return swap_ ? __builtin_bswap32(little) : little;
  }

  static size_t padded(size_t nbytes) { return (nbytes + 7) & ~size_t(7); }

  // Reads the tag at `pos` and checks that the element it announces lies inside [0, size).
  Tag read_tag(const uint8_t* data, size_t size, size_t pos, size_t base) const {
    // pos may lie past the end: padding to 8 bytes is not guaranteed to fit in a hostile parent element.
    if (pos > size || size - pos < 8) {
      fail(base + pos,
           "expected an 8-byte element tag, found " + std::to_string(pos > size ? 0 : size - pos) + " bytes");
    }
    const uint32_t first = u32(data + pos);
    Tag tag;
    if ((first >> 16) != 0) {
      tag.small = true;
      tag.type = first & 0xffff;
      tag.nbytes = first >> 16;
      if (tag.nbytes > 4) {
        fail(base + pos, "small element declares " + std::to_string(tag.nbytes) + " bytes, at most 4 fit");
      }
      return tag;
    }
    tag.type = first;
    tag.nbytes = u32(data + pos + 4);
    if (tag.nbytes > size - pos - 8) {
      fail(base + pos, "element of type " + std::to_string(tag.type) + " declares " +
                           std::to_string(tag.nbytes) + " bytes, only " + std::to_string(size - pos - 8) +
                           " remain");
    }
    return tag;
  }

  // An miMATRIX body: array flags, dimensions, name, then the data (or nested matrices for cells/structs).
  void check_matrix(const uint8_t* data, size_t size, size_t base, int depth) {
    if (depth > kMaxNesting) fail(base, "matrices nested more than " + std::to_string(kMaxNesting) + " deep");
    if (size == 0) return;  // an empty matrix element (MATLAB writes these for empty cells)
    size_t pos = 0;
    const Tag flags = read_tag(data, size, pos, base);
    if (flags.small || flags.nbytes < 8) fail(base + pos, "expected the 8-byte array flags");
    const uint32_t array_class = u32(data + pos + 8) & 0xff;
    pos += 8 + padded(flags.nbytes);

    const Tag dims = read_tag(data, size, pos, base);
    const uint8_t* dims_data = data + pos + (dims.small ? 4 : 8);
    if (dims.type != kMiInt32 || dims.nbytes % 4 != 0 || dims.nbytes / 4 < 2 || dims.nbytes / 4 > kMaxRank) {
      fail(base + pos, "expected 2 to " + std::to_string(kMaxRank) + " int32 dimensions, found type " +
                           std::to_string(dims.type) + " with " + std::to_string(dims.nbytes) + " bytes");
    }
    uint64_t elements = 1;
    for (size_t i = 0; i < dims.nbytes / 4; ++i) {
      const uint32_t extent = u32(dims_data + 4 * i);
      if (extent > 0x7fffffffu) fail(base + pos, "negative dimension");
      if (__builtin_mul_overflow(elements, uint64_t(extent), &elements))
        fail(base + pos, "dimensions overflow");
    }
    pos += dims.small ? 8 : 8 + padded(dims.nbytes);

    // Every element of a numeric, char, logical, cell or struct array takes at least one byte of what follows
    // (sparse arrays are sized by their index arrays instead, which the bounds checks below cover).
    const size_t rest = pos < size ? size - pos : 0;
    if (array_class != kSparseClass && elements > rest) {
      fail(base, "matrix declares " + std::to_string(elements) + " elements but holds only " +
                     std::to_string(rest) + " bytes of data");
    }
    while (pos < size) {
      const Tag tag = read_tag(data, size, pos, base);
      if (tag.small) {
        pos += 8;
        continue;
      }
      if (tag.type == kMiMatrix) check_matrix(data + pos + 8, tag.nbytes, base + pos + 8, depth + 1);
      if (tag.type == kMiCompressed) fail(base + pos, "compressed element inside a matrix");
      pos += 8 + padded(tag.nbytes);
    }
  }

  // Inflates a zlib stream, refusing to produce more than kMaxInflatedBytes.
  std::vector<uint8_t> inflate(const uint8_t* data, size_t size, size_t offset) const {
    z_stream stream{};
    if (inflateInit(&stream) != Z_OK) fail(offset, "cannot initialise zlib");
    stream.next_in = const_cast<Bytef*>(data);
    stream.avail_in = uInt(size);
    std::vector<uint8_t> out;
    int status = Z_OK;
    while (status == Z_OK) {
      if (out.size() >= kMaxInflatedBytes) {
        inflateEnd(&stream);
        fail(offset,
             "compressed element inflates to more than " + std::to_string(kMaxInflatedBytes) + " bytes");
      }
      const size_t filled = out.size();
      out.resize(std::min(kMaxInflatedBytes, filled + std::max<size_t>(4096, filled)));
      stream.next_out = out.data() + filled;
      stream.avail_out = uInt(out.size() - filled);
      status = ::inflate(&stream, Z_NO_FLUSH);
      out.resize(out.size() - stream.avail_out);
      if (status == Z_BUF_ERROR && stream.avail_in == 0) break;  // truncated stream: check what came out
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END && status != Z_BUF_ERROR && status != Z_OK) {
      fail(offset,
           std::string("corrupt compressed element (") + (stream.msg ? stream.msg : "zlib error") + ")");
    }
    return out;
  }

  bool swap_;
  std::string location_;
};

}  // namespace

void check_mat5_structure(const std::vector<uint8_t>& bytes, const std::string& location) {
  // Only level-5 files reach matio: its v4 probing of headerless files is itself a hazard (a 56-byte file
  // made it touch 2 GB), and v7.3 files would expose libhdf5 to hostile input; scipy, the reference's reader,
  // reads neither.
  const std::string expected =
      ": not a MATLAB .mat file: expected a level-5 (v5-v7) file with its 128-byte header";
  if (bytes.size() < kHeaderBytes) {
    throw DatasetError(location + expected + ", found " + std::to_string(bytes.size()) + " bytes");
  }
  const uint8_t* version = bytes.data() + 124;
  const bool little = version[2] == 'I' && version[3] == 'M';
  const bool big = version[2] == 'M' && version[3] == 'I';
  const uint16_t v = little ? uint16_t(version[0] | version[1] << 8) : uint16_t(version[0] << 8 | version[1]);
  if (v == 0x0200 && (little || big)) {
    throw DatasetError(location + ": v7.3 (HDF5) .mat files are not supported; save with -v7 instead");
  }
  if ((!little && !big) || v != 0x0100) {
    throw DatasetError(location + expected + " (version 0x0100, endian 'IM' or 'MI' at byte 124)");
  }
  Mat5Checker(big, location)
      .check_top_level(bytes.data() + kHeaderBytes, bytes.size() - kHeaderBytes, kHeaderBytes);
}

}  // namespace hpf
