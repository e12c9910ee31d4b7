#pragma once
// A strict interpreter for the data.pkl that torch.save(model.state_dict()) writes into its zip archive.
//
// Python's pickle format can call any importable function, so a general unpickler is a code-execution hole.
// This one understands only the opcodes and globals a state dict needs (collections.OrderedDict,
// torch._utils._rebuild_tensor_v2 and the typed torch.<X>Storage classes) and rejects everything else,
// naming the offending opcode or global and its byte offset. Every length and count is checked against the
// remaining bytes and against fixed caps, so a hostile file cannot make it allocate without bound or loop.
//
// It knows nothing about zip archives: it describes each tensor by its storage key; the caller loads
// the storage bytes (see checkpoint_reader.h).

#include "core/compute/raw_tensor.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace hpf {

// One state-dict entry as data.pkl describes it: a strided view into a storage record data/<storage_key>.
struct PickledTensor {
  std::string name;  // the state-dict key, e.g. "features.0.0.weight"
  RawDType dtype = RawDType::Float32;
  std::string storage_key;     // the archive record data/<storage_key> holds the storage bytes
  int64_t storage_numel = 0;   // elements in the whole storage, as its persistent id declares
  int64_t storage_offset = 0;  // first element of the view, in elements
  std::vector<int64_t> shape;
  std::vector<int64_t> stride;  // in elements
};

// A malformed or disallowed pickle. what() is "offset <N>: <detail>", N being the byte offset in data.pkl of
// the opcode that failed.
class PickleError : public std::runtime_error {
 public:
  PickleError(uint64_t offset, const std::string& detail);
  uint64_t offset() const noexcept { return offset_; }

 private:
  uint64_t offset_;
};

// Interprets `pickle` (the bytes of data.pkl) as a state dict: a dict from str to tensors. Checks that
// every view (offset, shape, stride) lies inside the storage numel its persistent id declares, and that all
// references to one storage agree on its dtype and numel. Returns the entries in the order the pickle
// stores them. Throws PickleError.
std::vector<PickledTensor> parse_state_dict_pickle(const std::vector<uint8_t>& pickle);

}  // namespace hpf
