#pragma once
// Inner loops of Hough voting and of the confidence argmax over a rectangle of kept target positions, shared
// by the matcher (rhm_cpu.cpp) and the layer search (core/search).
//
// Kept positions of the base grid form a rectangle in row-major order (the margin rule is separable), so the
// Hough bin of a source/target pair splits into bin_y(row of source, row of target) * bins_x +
// bin_x(column of source, column of target). Plain C++ (no LibTorch), so it stays cheap to compile.

#include <cstdint>

namespace hpf::hough_kernel {

// dst[x] += src[x] for x < n: one target row of votes into a row of a column accumulator.
void add_row(const float* src, int64_t n, float* dst);

// Moves accumulator rows [first, last] into the histogram through the x bins of one source column, and clears
// them: hist[y * bins_x + bin_x[x]] += acc[y * width + x].
void flush_accumulator(float* acc, int64_t first, int64_t last, int64_t width, const int32_t* bin_x,
                       int64_t bins_x, float* hist);

// argmax_j row[j] * hough[bin_y[t] * bins_x + bin_x[x]] over j = t * width + x, and its value; a null bin_x
// reads hough[bin_y[t] * bins_x + x] (a table already expanded to the target columns: no gather). The first
// of equal maxima wins (as torch.max); NaN confidences are never chosen. AVX2 where the CPU has it, the same
// result either way (one multiplication per value, compared exactly).
int64_t argmax_confidence(const float* row, const int32_t* bin_y, int64_t target_rows, int64_t width,
                          const int32_t* bin_x, int64_t bins_x, const float* hough,
                          float* best_value = nullptr);

}  // namespace hpf::hough_kernel
