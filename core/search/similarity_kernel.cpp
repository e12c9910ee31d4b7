#include "core/search/similarity_kernel.h"

#include "core/compute/simd.h"

#include <algorithm>
#include <cmath>

// Hot loops compiled twice, for AVX2 and for the baseline, picked at load time. Dispatch on the AVX2 feature,
// not on "arch=haswell": GCC resolves an arch= clone with __builtin_cpu_is, i.e. only on Haswell-model CPUs.
#if defined(HPF_NO_SIMD_CLONES) || !defined(__x86_64__) || !defined(__GNUC__)
#define SEARCH_SIMD
#else
#define SEARCH_SIMD __attribute__((target_clones("avx2", "default")))
#endif

namespace hpf::search_kernel {
namespace {

// The finishing step shared by every variant: normalise, clamp, power.
inline float finish(float dot, float inv_source, float inv_target, float exponent) {
  const float c = std::max(0.0f, dot * inv_source * inv_target);
  return exponent == 3.0f ? c * c * c : std::pow(c, exponent);
}

// Each kernel either stores the similarities (add = false) or adds them to `out` (add = true: the Hough votes
// of one target row into an accumulator row). The value is the same expression either way; 0 + s == s
// exactly.
SEARCH_SIMD
void row_none(const float* __restrict d, float si, const float* __restrict it, float e, int64_t n,
              float* __restrict out, bool add) {
  if (e == 3.0f) {
    for (int64_t j = 0; j < n; ++j) {
      const float c = std::max(0.0f, d[j] * si * it[j]);
      out[j] = (add ? out[j] : 0.0f) + c * c * c;
    }
  } else {
    for (int64_t j = 0; j < n; ++j) out[j] = (add ? out[j] : 0.0f) + finish(d[j], si, it[j], e);
  }
}

SEARCH_SIMD
void row_dense(const float* __restrict d, const float* __restrict t, float si, const float* __restrict it,
               float e, int64_t n, float* __restrict out, bool add) {
  if (e == 3.0f) {
    for (int64_t j = 0; j < n; ++j) {
      const float c = std::max(0.0f, (d[j] + t[j]) * si * it[j]);
      out[j] = (add ? out[j] : 0.0f) + c * c * c;
    }
  } else {
    for (int64_t j = 0; j < n; ++j) out[j] = (add ? out[j] : 0.0f) + finish(d[j] + t[j], si, it[j], e);
  }
}

SEARCH_SIMD
void row_taps(const float* __restrict d, const float* __restrict r0, const float* __restrict r1,
              const float* __restrict r2, const float* __restrict r3, float w0, float w1, float w2, float w3,
              float si, const float* __restrict it, float e, int64_t n, float* __restrict out, bool add) {
  if (e == 3.0f) {
    for (int64_t j = 0; j < n; ++j) {
      const float c =
          std::max(0.0f, (d[j] + (w0 * r0[j] + w1 * r1[j] + w2 * r2[j] + w3 * r3[j])) * si * it[j]);
      out[j] = (add ? out[j] : 0.0f) + c * c * c;
    }
  } else {
    for (int64_t j = 0; j < n; ++j) {
      out[j] = (add ? out[j] : 0.0f) +
               finish(d[j] + (w0 * r0[j] + w1 * r1[j] + w2 * r2[j] + w3 * r3[j]), si, it[j], e);
    }
  }
}

SEARCH_SIMD
void taps_kernel(const float* __restrict r0, const float* __restrict r1, const float* __restrict r2,
                 const float* __restrict r3, float w0, float w1, float w2, float w3, int64_t n,
                 float* __restrict dst) {
  for (int64_t j = 0; j < n; ++j) dst[j] += w0 * r0[j] + w1 * r1[j] + w2 * r2[j] + w3 * r3[j];
}

// Target row t of a source row into `out` (width values).
void row_span(const float* shared, const RowTerm& term, float inv_source, const float* inv_target,
              float exponent, int64_t t, int64_t width, float* out, bool add) {
  const int64_t offset = t * width;
  switch (term.kind) {
    case RowTerm::Kind::None:
      row_none(shared + offset, inv_source, inv_target + offset, exponent, width, out, add);
      break;
    case RowTerm::Kind::Dense:
      row_dense(shared + offset, term.dense + offset, inv_source, inv_target + offset, exponent, width, out,
                add);
      break;
    case RowTerm::Kind::Taps: {
      const int64_t tap = term.tap_offset + t * term.tap_stride;
      row_taps(shared + offset, term.rows[0] + tap, term.rows[1] + tap, term.rows[2] + tap,
               term.rows[3] + tap, term.weights[0], term.weights[1], term.weights[2], term.weights[3],
               inv_source, inv_target + offset, exponent, width, out, add);
      break;
    }
  }
}

}  // namespace

void similarity_row(const float* shared, const RowTerm& term, float inv_source, const float* inv_target,
                    float exponent, int64_t target_rows, int64_t width, float* out) {
  for (int64_t t = 0; t < target_rows; ++t) {
    row_span(shared, term, inv_source, inv_target, exponent, t, width, out + t * width, /*add=*/false);
  }
}

void vote_row(const float* shared, const RowTerm& term, float inv_source, const float* inv_target,
              float exponent, const int32_t* bin_y, int64_t target_rows, int64_t width, float* acc) {
  for (int64_t t = 0; t < target_rows; ++t) {
    row_span(shared, term, inv_source, inv_target, exponent, t, width, acc + bin_y[t] * width, /*add=*/true);
  }
}

void add_taps(const RowTerm& taps, int64_t target_rows, int64_t width, float* dst) {
  for (int64_t t = 0; t < target_rows; ++t) {
    const int64_t tap = taps.tap_offset + t * taps.tap_stride;
    taps_kernel(taps.rows[0] + tap, taps.rows[1] + tap, taps.rows[2] + tap, taps.rows[3] + tap,
                taps.weights[0], taps.weights[1], taps.weights[2], taps.weights[3], width, dst + t * width);
  }
}

}  // namespace hpf::search_kernel
