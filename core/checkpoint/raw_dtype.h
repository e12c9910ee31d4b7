#pragma once
// Element sizes and display names of hpf::RawDType, shared by the checkpoint reader and its users.

#include "core/compute/raw_tensor.h"

#include <cstdint>

namespace hpf {

// Bytes per element of `dtype` (e.g. 4 for Float32).
int64_t raw_dtype_itemsize(RawDType dtype);

// Lower-case name as torch prints it without the "torch." prefix (e.g. "float32", "int64").
const char* raw_dtype_name(RawDType dtype);

}  // namespace hpf
