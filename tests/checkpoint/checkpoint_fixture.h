#pragma once
// Builds checkpoint fixtures byte by byte, in the real formats: a pickle writer that emits the same opcodes
// torch.save does, and a zip writer, so tests can make valid files and precisely broken ones.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hpf::test {

// Appends pickle opcodes; offset() tells where the next opcode will start (for expected error offsets).
class PickleBuilder {
 public:
  PickleBuilder& op(uint8_t opcode);
  PickleBuilder& bytes(const std::vector<uint8_t>& raw);
  PickleBuilder& proto() { return op(0x80).byte(2); }
  PickleBuilder& global(const std::string& module, const std::string& name);
  PickleBuilder& str(const std::string& s);  // BINUNICODE
  PickleBuilder& integer(int64_t v);         // BININT1 / BININT2 / BININT / LONG1, as Python picks
  PickleBuilder& binput(uint32_t index);     // BINPUT or LONG_BINPUT
  PickleBuilder& binget(uint32_t index);     // BINGET or LONG_BINGET
  PickleBuilder& int_tuple(const std::vector<int64_t>& values);
  // GLOBAL collections OrderedDict, EMPTY_TUPLE, REDUCE: pushes a new OrderedDict.
  PickleBuilder& ordered_dict();
  // Pushes torch._utils._rebuild_tensor_v2(storage(...), offset, shape, stride, False, OrderedDict()).
  PickleBuilder& tensor(const std::string& storage_type, const std::string& key, int64_t numel,
                        int64_t offset, const std::vector<int64_t>& shape,
                        const std::vector<int64_t>& stride);
  size_t offset() const { return data_.size(); }
  const std::vector<uint8_t>& data() const { return data_; }

 private:
  PickleBuilder& byte(uint8_t b);
  PickleBuilder& le(uint64_t v, int n);
  std::vector<uint8_t> data_;
};

// One tensor of a fixture state dict, as a view into storage data/<key>.
struct FixtureTensor {
  std::string name;
  std::string storage_type;  // e.g. "FloatStorage"
  std::string key;
  int64_t numel;
  int64_t offset;
  std::vector<int64_t> shape;
  std::vector<int64_t> stride;
};

// The data.pkl torch.save writes for an OrderedDict of `tensors` (with an empty _metadata BUILD when asked).
std::vector<uint8_t> state_dict_pickle(const std::vector<FixtureTensor>& tensors, bool with_metadata = true);

using ZipRecordList = std::vector<std::pair<std::string, std::vector<uint8_t>>>;

// Writes a zip archive with the given records stored uncompressed (as torch.save does).
void write_zip(const std::string& path, const ZipRecordList& records);

// Writes `bytes` to `path` as a plain file.
void write_file(const std::string& path, const std::vector<uint8_t>& bytes);
std::vector<uint8_t> read_file(const std::string& path);

// Little-endian bytes of float values, as torch stores a FloatStorage.
std::vector<uint8_t> float_bytes(const std::vector<float>& values);

}  // namespace hpf::test
