#pragma once
// A tensor as stored in a checkpoint, before it becomes a LibTorch tensor: readers of untrusted files produce
// this plain struct (no LibTorch needed), and to_state_dict() turns it into tensors.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace hpf {

enum class RawDType { Float32, Float64, Float16, Int64, Int32, Int16, Int8, UInt8, Bool };

struct RawTensor {
  RawDType dtype = RawDType::Float32;
  std::vector<int64_t> shape;
  std::vector<int64_t> stride;        // in elements, as in the checkpoint
  int64_t storage_offset = 0;         // in elements
  std::shared_ptr<const std::vector<uint8_t>> storage;  // little-endian bytes of the whole storage
};

using RawStateDict = std::map<std::string, RawTensor>;

}  // namespace hpf
