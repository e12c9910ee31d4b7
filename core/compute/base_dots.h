#pragma once
// Dot products of a few base-layer feature rows against every target row, for base layers with few channels
// (MobileNetV2's 16-32): computed right before the RHM row pass finishes those rows, while they are in cache,
// instead of writing the whole N_s x N_t product from BLAS and reading it back.

#include <cstdint>

namespace hpf::base_dots {

// Base layers up to this many channels take the fused path; wider ones (ResNet's 256) are compute-bound and
// BLAS does them faster.
constexpr int64_t kMaxFusedDepth = 64;

// For r < rows (1..4): out[r * out_stride + j] = sum_k a[r * a_stride + k] * target_t[k * cols + j], summed
// in increasing k with fused multiply-adds where the CPU has AVX2 + FMA (the order OpenBLAS uses for such
// short products), with plain multiply-adds elsewhere. `target_t` is the target features transposed: (depth,
// cols), its rows target_stride apart (0: cols, i.e. contiguous; larger to take a column range of a wider
// matrix, as cache tiles do).
void rows_times_target(const float* a, int64_t a_stride, int rows, int64_t depth, const float* target_t,
                       int64_t cols, float* out, int64_t out_stride, int64_t target_stride = 0);

}  // namespace hpf::base_dots
