#include "core/checkpoint/raw_dtype.h"

namespace hpf {

int64_t raw_dtype_itemsize(RawDType dtype) {
  switch (dtype) {
    case RawDType::Float64:
    case RawDType::Int64:
      return 8;
    case RawDType::Float32:
    case RawDType::Int32:
      return 4;
    case RawDType::Float16:
    case RawDType::Int16:
      return 2;
    case RawDType::Int8:
    case RawDType::UInt8:
    case RawDType::Bool:
      return 1;
  }
  return 1;
}

const char* raw_dtype_name(RawDType dtype) {
  switch (dtype) {
    case RawDType::Float32:
      return "float32";
    case RawDType::Float64:
      return "float64";
    case RawDType::Float16:
      return "float16";
    case RawDType::Int64:
      return "int64";
    case RawDType::Int32:
      return "int32";
    case RawDType::Int16:
      return "int16";
    case RawDType::Int8:
      return "int8";
    case RawDType::UInt8:
      return "uint8";
    case RawDType::Bool:
      return "bool";
  }
  return "unknown";
}

}  // namespace hpf
