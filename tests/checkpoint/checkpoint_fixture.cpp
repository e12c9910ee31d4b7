#include "tests/checkpoint/checkpoint_fixture.h"

#include <quazip/quazip.h>
#include <quazip/quazipfile.h>
#include <quazip/quazipnewinfo.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace hpf::test {

PickleBuilder& PickleBuilder::byte(uint8_t b) {
  data_.push_back(b);
  return *this;
}

PickleBuilder& PickleBuilder::le(uint64_t v, int n) {
  for (int i = 0; i < n; ++i) data_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  return *this;
}

PickleBuilder& PickleBuilder::op(uint8_t opcode) {
  return byte(opcode);
}

PickleBuilder& PickleBuilder::bytes(const std::vector<uint8_t>& raw) {
  data_.insert(data_.end(), raw.begin(), raw.end());
  return *this;
}

PickleBuilder& PickleBuilder::global(const std::string& module, const std::string& name) {
  op('c');
  for (char c : module + "\n" + name + "\n") byte(static_cast<uint8_t>(c));
  return *this;
}

PickleBuilder& PickleBuilder::str(const std::string& s) {
  op('X').le(s.size(), 4);
  for (char c : s) byte(static_cast<uint8_t>(c));
  return *this;
}

PickleBuilder& PickleBuilder::integer(int64_t v) {
  if (v >= 0 && v < 256) return op('K').le(static_cast<uint64_t>(v), 1);
  if (v >= 0 && v < 65536) return op('M').le(static_cast<uint64_t>(v), 2);
  if (v >= INT32_MIN && v <= INT32_MAX) return op('J').le(static_cast<uint32_t>(v), 4);
  // LONG1 with the shortest two's complement encoding.
  int n = 8;
  while (n > 1) {
    const int64_t shifted = v >> (8 * (n - 1) - 1);
    if (shifted != 0 && shifted != -1) break;
    --n;
  }
  return op(0x8a).byte(static_cast<uint8_t>(n)).le(static_cast<uint64_t>(v), n);
}

PickleBuilder& PickleBuilder::binput(uint32_t index) {
  return index < 256 ? op('q').le(index, 1) : op('r').le(index, 4);
}

PickleBuilder& PickleBuilder::binget(uint32_t index) {
  return index < 256 ? op('h').le(index, 1) : op('j').le(index, 4);
}

PickleBuilder& PickleBuilder::int_tuple(const std::vector<int64_t>& values) {
  if (values.empty()) return op(')');
  op('(');
  for (int64_t v : values) integer(v);
  return op('t');
}

PickleBuilder& PickleBuilder::ordered_dict() {
  return global("collections", "OrderedDict").op(')').op('R');
}

PickleBuilder& PickleBuilder::tensor(const std::string& storage_type, const std::string& key, int64_t numel,
                                     int64_t offset, const std::vector<int64_t>& shape,
                                     const std::vector<int64_t>& stride) {
  global("torch._utils", "_rebuild_tensor_v2").op('(');
  op('(').str("storage").global("torch", storage_type).str(key).str("cpu").integer(numel).op('t').op('Q');
  integer(offset).int_tuple(shape).int_tuple(stride).op(0x89).ordered_dict().op('t');
  return op('R');
}

std::vector<uint8_t> state_dict_pickle(const std::vector<FixtureTensor>& tensors, bool with_metadata) {
  PickleBuilder b;
  b.proto().ordered_dict().binput(0).op('(');
  for (const FixtureTensor& t : tensors)
    b.str(t.name).tensor(t.storage_type, t.key, t.numel, t.offset, t.shape, t.stride);
  b.op('u');
  if (with_metadata) b.op('}').str("_metadata").ordered_dict().op('s').op('b');
  return b.op('.').data();
}

void write_zip(const std::string& path, const ZipRecordList& records) {
  QuaZip zip(QString::fromStdString(path));
  if (!zip.open(QuaZip::mdCreate)) throw std::runtime_error("cannot create zip " + path);
  for (const auto& [name, bytes] : records) {
    QuaZipFile file(&zip);
    if (!file.open(QIODevice::WriteOnly, QuaZipNewInfo(QString::fromStdString(name)), nullptr, 0, 0, 0)) {
      throw std::runtime_error("cannot add " + name + " to " + path);
    }
    if (file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<qint64>(bytes.size())) !=
        static_cast<qint64>(bytes.size())) {
      throw std::runtime_error("cannot write " + name + " to " + path);
    }
    file.close();
  }
  zip.close();
  if (zip.getZipError() != 0) throw std::runtime_error("cannot finish zip " + path);
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<uint8_t> float_bytes(const std::vector<float>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(float));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

}  // namespace hpf::test
