#pragma once
// Inner loops of Hough voting and of the confidence argmax over a rectangle of kept target positions, shared
// by the matcher (rhm_cpu.cpp) and the layer search (core/search).
//
// Kept positions of the base grid form a rectangle in row-major order (the margin rule is separable), so the
// Hough bin of a source/target pair splits into bin_y(row of source, row of target) * bins_x +
// bin_x(column of source, column of target). Plain C++ (no LibTorch), so it stays cheap to compile.

#include <cstdint>

namespace hpf::hough_kernel {

// dst[x] += src[x] for x < n (one target row of votes into a row of a column accumulator), returning the
// largest src[x] (NaN ignored; -inf when n is 0): the bound the pruned argmax below needs, taken while the
// row is in cache.
float add_row_max(const float* src, int64_t n, float* dst);

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

// argmax_confidence over an expanded table (bin_x null), the same index and value, skipping target rows that
// cannot reach the best value found so far: target row t is scanned only if
//   row_max[t] * max(0, table_row_max[bin_y[t]]) >= best so far,
// where row_max[t] >= every row[t * width + x] (NaN aside) and table_row_max[y] >= every table[y * bins_x +
// x] (NaN aside). The row with the largest bound goes first. Requires row values >= 0 (clamped similarities):
// then each skipped confidence is at most its bound (rounding is monotonic), below the final best, so neither
// the best nor an equal value at a smaller index can be skipped.
int64_t argmax_confidence_pruned(const float* row, const int32_t* bin_y, int64_t target_rows, int64_t width,
                                 int64_t bins_x, const float* table, const float* table_row_max,
                                 const float* row_max, float* best_value = nullptr);

}  // namespace hpf::hough_kernel
