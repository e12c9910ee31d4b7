#pragma once
// CPU buffers of tens of megabytes (the N_s x N_t similarity) that are written once per pair.

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace hpf {

// An uninitialised (rows, cols) float32 CPU tensor for a matrix written once per pair. A fresh 70 MB buffer
// costs a MobileNetV2 pair ~20% of its time in the kernel (a page fault and a page clear per page), so:
//  - the last released buffer is kept and reused when the next request is between half its size and its size
//    (an evaluation matches pair after pair; at most one such buffer is kept);
//  - new buffers are 2 MB aligned and backed by transparent huge pages where the kernel offers them on
//  request
//    (Linux "madvise" mode, Debian's default): one fault per 2 MB instead of per 4 kB.
at::Tensor empty_large_matrix(int64_t rows, int64_t cols);

}  // namespace hpf
