#pragma once
// Turns checkpoint tensors (plain bytes, see raw_tensor.h) into LibTorch tensors.

#include "core/compute/raw_tensor.h"
#include "core/compute/state_dict.h"

namespace hpf {

// Copies every tensor (honouring shape, stride and storage offset) into an owning, contiguous CPU tensor.
// Throws std::runtime_error if a view does not fit inside its storage.
StateDict to_state_dict(const RawStateDict& raw);

}  // namespace hpf
