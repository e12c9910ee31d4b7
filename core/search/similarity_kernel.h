#pragma once
// The inner loops of the layer search's scoring (candidate_scorer.cpp): one similarity row of a candidate
// set and its Hough votes (the accumulator flush and the confidence argmax are core/compute/hough_kernels.h).
//
// Rows are the kept source positions of the base layer, columns the kept target positions, both a rectangle
// of the base grid in row-major order (the margin rule is separable), so the Hough bin of (i, j) is bin_y(row
// of i, row of j) * bins_x + bin_x(column of i, column of j).
//
// A coarser layer's dot products for one source row come from its correlation with the target map
// interpolated along x only (candidate_scorer.cpp): the 4 rows of the source position's bilinear taps are
// blended into a small coarse_h x width block, and each kept target row blends two of its rows. A row reads
// a few tens of KB that stay in cache; a correlation interpolated along both target axes beforehand would be
// coarse_h / kept height times larger and stream from memory.
//
// Rows are stored with `width` a multiple of 8 (kept columns plus zero padding: candidate_scorer.cpp), so the
// kernels run whole vectors only; a width that is not is refused (std::logic_error).

#include <cstdint>
#include <vector>

namespace hpf::search_kernel {

// Bilinear interpolation (align_corners=true) along y of a coarse_h-row map to the kept target rows: the two
// coarse rows each kept row reads and their weights.
struct TargetTaps {
  int64_t coarse_h = 0;
  int64_t width = 0;  // the rows' length: kept target columns and padding
  std::vector<int32_t> y_low, y_high;
  std::vector<float> y_w0, y_w1;
  // Where the kept columns are in the correlation rows blend_rows reads: the first one, and the distance
  // between the coarse rows.
  int64_t first_column = 0, correlation_stride = 0;
};

// For c < count and j < n: out[c * n + j] = sum_k w[k] * rows[k][c * stride + j], a source position's 4
// bilinear taps of a coarse layer's correlation rows (count coarse target rows each).
void blend_rows(const float* const rows[4], const float w[4], int64_t count, int64_t stride, int64_t n,
                float* out);

// What a candidate adds to the dot products its set shares with its siblings.
struct RowTerm {
  enum class Kind { None, Dense, Coarse } kind = Kind::None;
  const float* dense = nullptr;      // Dense: the extra layer's own dot products for this row
  const float* along_x = nullptr;    // Coarse: the row's coarse_h x width block (blend_rows)
  const TargetTaps* taps = nullptr;  // Coarse: kept target row t blends two of its rows
};

// One source row against the kept target positions, `target_rows` rows of `width` (j = t * width + x):
// out[j] = max(0, (shared[j] + term[j]) * inv_source * inv_target[j]) ^ exponent, inv_source > 0.
// (Exponent 3 is computed as inv_source^3 * max(0, (shared + term) * inv_target)^3.)
void similarity_row(const float* shared, const RowTerm& term, float inv_source, const float* inv_target,
                    float exponent, int64_t target_rows, int64_t width, float* out);

// The same similarities, added into a column accumulator as the Hough votes of the row:
// acc[bin_y[t] * width + x] += s[t * width + x]. Consecutive target rows with the same bin_y are summed
// first, so the sums round differently from adding similarity_row's values one by one.
void vote_row(const float* shared, const RowTerm& term, float inv_source, const float* inv_target,
              float exponent, const int32_t* bin_y, int64_t target_rows, int64_t width, float* acc);

// dst[j] += the term's value at j: a layer's contribution to a row of shared dot products.
void add_term(const RowTerm& term, int64_t target_rows, int64_t width, float* dst);

}  // namespace hpf::search_kernel
