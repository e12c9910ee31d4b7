#pragma once
// CPU buffers of tens of megabytes (the N_s x N_t similarity) that are written once per pair.

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace hpf {

// An uninitialised (rows, cols) float32 CPU tensor whose pages are backed by transparent huge pages where the
// kernel offers them on request (Linux "madvise" mode, Debian's default): one page fault per 2 MB instead of
// per 4 kB. A fresh 70 MB similarity matrix otherwise spends ~20% of a MobileNetV2 pair in the kernel's fault
// path.
at::Tensor empty_large_matrix(int64_t rows, int64_t cols);

}  // namespace hpf
