#include "core/search/similarity_kernel.h"

#include "core/compute/simd.h"

#include <algorithm>
#include <cmath>
#include <limits>

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

SEARCH_SIMD
void row_none(const float* d, float si, const float* it, float e, int64_t n, float* out) {
  if (e == 3.0f) {
    for (int64_t j = 0; j < n; ++j) {
      const float c = std::max(0.0f, d[j] * si * it[j]);
      out[j] = c * c * c;
    }
  } else {
    for (int64_t j = 0; j < n; ++j) out[j] = finish(d[j], si, it[j], e);
  }
}

SEARCH_SIMD
void row_dense(const float* d, const float* t, float si, const float* it, float e, int64_t n, float* out) {
  if (e == 3.0f) {
    for (int64_t j = 0; j < n; ++j) {
      const float c = std::max(0.0f, (d[j] + t[j]) * si * it[j]);
      out[j] = c * c * c;
    }
  } else {
    for (int64_t j = 0; j < n; ++j) out[j] = finish(d[j] + t[j], si, it[j], e);
  }
}

SEARCH_SIMD
void row_taps(const float* __restrict d, const float* __restrict r0, const float* __restrict r1,
              const float* __restrict r2, const float* __restrict r3, float w0, float w1, float w2, float w3,
              float si, const float* __restrict it, float e, int64_t n, float* __restrict out) {
  if (e == 3.0f) {
    for (int64_t j = 0; j < n; ++j) {
      const float c =
          std::max(0.0f, (d[j] + (w0 * r0[j] + w1 * r1[j] + w2 * r2[j] + w3 * r3[j])) * si * it[j]);
      out[j] = c * c * c;
    }
  } else {
    for (int64_t j = 0; j < n; ++j) {
      out[j] = finish(d[j] + (w0 * r0[j] + w1 * r1[j] + w2 * r2[j] + w3 * r3[j]), si, it[j], e);
    }
  }
}

SEARCH_SIMD
void taps_kernel(const float* r0, const float* r1, const float* r2, const float* r3, float w0, float w1,
                 float w2, float w3, int64_t n, float* dst) {
  for (int64_t j = 0; j < n; ++j) dst[j] += w0 * r0[j] + w1 * r1[j] + w2 * r2[j] + w3 * r3[j];
}

SEARCH_SIMD
void add_kernel(const float* src, int64_t n, float* dst) {
  for (int64_t j = 0; j < n; ++j) dst[j] += src[j];
}

}  // namespace

void similarity_row(const float* shared, const RowTerm& term, float inv_source, const float* inv_target,
                    float exponent, int64_t n, float* out) {
  switch (term.kind) {
    case RowTerm::Kind::None:
      row_none(shared, inv_source, inv_target, exponent, n, out);
      break;
    case RowTerm::Kind::Dense:
      row_dense(shared, term.dense, inv_source, inv_target, exponent, n, out);
      break;
    case RowTerm::Kind::Taps:
      row_taps(shared, term.rows[0], term.rows[1], term.rows[2], term.rows[3], term.weights[0],
               term.weights[1], term.weights[2], term.weights[3], inv_source, inv_target, exponent, n, out);
      break;
  }
}

void add_taps(const float* const rows[4], const float weights[4], int64_t n, float* dst) {
  taps_kernel(rows[0], rows[1], rows[2], rows[3], weights[0], weights[1], weights[2], weights[3], n, dst);
}

void accumulate_row(const float* row, const int32_t* bin_y, int64_t target_rows, int64_t width, float* acc) {
  for (int64_t t = 0; t < target_rows; ++t) add_kernel(row + t * width, width, acc + bin_y[t] * width);
}

void flush_accumulator(float* acc, int64_t first, int64_t last, int64_t width, const int32_t* bin_x,
                       int64_t bins_x, float* hist) {
  for (int64_t y = first; y <= last; ++y) {
    float* a = acc + y * width;
    float* h = hist + y * bins_x;
    for (int64_t x = 0; x < width; ++x) {
      h[bin_x[x]] += a[x];
      a[x] = 0.0f;
    }
  }
}

int64_t argmax_confidence(const float* row, const int32_t* bin_y, int64_t target_rows, int64_t width,
                          const int32_t* bin_x, int64_t bins_x, const float* hough) {
  float best = -std::numeric_limits<float>::infinity();
  int64_t best_j = 0;
  for (int64_t t = 0; t < target_rows; ++t) {
    const float* h = hough + bin_y[t] * bins_x;
    const float* r = row + t * width;
    for (int64_t x = 0; x < width; ++x) {
      const float confidence = r[x] * h[bin_x[x]];
      if (confidence > best) {
        best = confidence;
        best_j = t * width + x;
      }
    }
  }
  return best_j;
}

}  // namespace hpf::search_kernel
