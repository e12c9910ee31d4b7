#pragma once
// The inner loops of the layer search's scoring (candidate_scorer.cpp): one similarity row of a candidate
// set and its Hough votes (the accumulator flush and the confidence argmax are core/compute/hough_kernels.h).
//
// Rows are the kept source positions of the base layer, columns the kept target positions, both a rectangle
// of the base grid in row-major order (the margin rule is separable), so the Hough bin of (i, j) is bin_y(row
// of i, row of j) * bins_x + bin_x(column of i, column of j).
//
// This file is compiled without floating-point contraction: a value computed in the voting pass and
// recomputed for a keypoint row goes through the same roundings, whatever the compiler vectorises.

#include <cstdint>

namespace hpf::search_kernel {

// What a candidate adds to the dot products its set shares with its siblings.
struct RowTerm {
  enum class Kind { None, Dense, Taps } kind = Kind::None;
  const float* dense = nullptr;  // Dense: the extra layer's own dot products for this row
  const float* rows[4] = {};     // Taps: four rows of the extra layer's grid correlation and their
  float weights[4] = {};         //       bilinear weights (the row's position on the coarse grid);
  int64_t tap_stride = 0;        //       kept target row t starts at rows[k] + tap_offset + t * tap_stride
  int64_t tap_offset = 0;
};

// One source row against the kept target positions, `target_rows` rows of `width` (j = t * width + x):
// out[j] = max(0, (shared[j] + term[j]) * inv_source * inv_target[j]) ^ exponent.
void similarity_row(const float* shared, const RowTerm& term, float inv_source, const float* inv_target,
                    float exponent, int64_t target_rows, int64_t width, float* out);

// The same similarities, added into a column accumulator as the Hough votes of the row, target row by target
// row: acc[bin_y[t] * width + x] += s[t * width + x]. The values equal similarity_row's bit for bit.
void vote_row(const float* shared, const RowTerm& term, float inv_source, const float* inv_target,
              float exponent, const int32_t* bin_y, int64_t target_rows, int64_t width, float* acc);

// dst[j] += the taps' value at j: a coarse layer's contribution to a row of shared dot products.
void add_taps(const RowTerm& taps, int64_t target_rows, int64_t width, float* dst);

}  // namespace hpf::search_kernel
