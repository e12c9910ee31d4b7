#include "core/compute/raw_tensor_convert.h"

#include <ATen/ATen.h>

#include <stdexcept>

namespace hpf {
namespace {

at::ScalarType scalar_type(RawDType dtype) {
  switch (dtype) {
    case RawDType::Float32: return at::kFloat;
    case RawDType::Float64: return at::kDouble;
    case RawDType::Float16: return at::kHalf;
    case RawDType::Int64: return at::kLong;
    case RawDType::Int32: return at::kInt;
    case RawDType::Int16: return at::kShort;
    case RawDType::Int8: return at::kChar;
    case RawDType::UInt8: return at::kByte;
    case RawDType::Bool: return at::kBool;
  }
  throw std::logic_error("unknown RawDType");
}

}  // namespace

StateDict to_state_dict(const RawStateDict& raw) {
  StateDict state;
  for (const auto& [key, tensor] : raw) {
    const at::ScalarType type = scalar_type(tensor.dtype);
    const int64_t item = static_cast<int64_t>(c10::elementSize(type));
    const int64_t storage_elements =
        tensor.storage ? static_cast<int64_t>(tensor.storage->size()) / item : 0;
    if (tensor.shape.size() != tensor.stride.size()) {
      throw std::runtime_error("tensor '" + key + "': shape and stride have different lengths");
    }
    // Largest element index the view touches; empty tensors touch nothing.
    int64_t last = tensor.storage_offset;
    bool empty = false;
    for (size_t d = 0; d < tensor.shape.size(); ++d) {
      if (tensor.shape[d] < 0 || tensor.stride[d] < 0) throw std::runtime_error("tensor '" + key + "': negative size");
      if (tensor.shape[d] == 0) empty = true;
      last += (tensor.shape[d] - 1) * tensor.stride[d];
    }
    if (!empty && (tensor.storage_offset < 0 || last >= storage_elements)) {
      throw std::runtime_error("tensor '" + key + "' reaches element " + std::to_string(last) +
                               " of a storage with " + std::to_string(storage_elements) + " elements");
    }
    if (empty) {
      state.emplace(key, at::empty(tensor.shape, at::TensorOptions().dtype(type)));
      continue;
    }
    // from_blob does not own the bytes: clone so the tensor outlives the checkpoint buffer.
    auto* data = const_cast<uint8_t*>(tensor.storage->data()) + tensor.storage_offset * item;
    at::Tensor view = at::from_blob(data, tensor.shape, tensor.stride, at::TensorOptions().dtype(type));
    state.emplace(key, view.clone(at::MemoryFormat::Contiguous));
  }
  return state;
}

}  // namespace hpf
