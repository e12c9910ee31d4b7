#include "core/compute/hough_kernels.h"

#include "core/compute/simd.h"

#include <limits>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(HPF_NO_SIMD_CLONES)
#define HPF_AVX2_ARGMAX 1
#include <immintrin.h>
#endif

namespace hpf::hough_kernel {
namespace {

struct Best {
  float value = -std::numeric_limits<float>::infinity();
  int64_t index = 0;
};

// Scalar scan of row[x] * h[bin_x[x]] (h[x] when bin_x is null) for x in [begin, end), j = offset + x.
inline void scan(const float* r, const float* h, const int32_t* bin_x, int64_t begin, int64_t end,
                 int64_t offset, Best& best) {
  for (int64_t x = begin; x < end; ++x) {
    const float confidence = r[x] * h[bin_x ? bin_x[x] : x];
    if (confidence > best.value) {
      best.value = confidence;
      best.index = offset + x;
    }
  }
}

Best argmax_scalar(const float* row, const int32_t* bin_y, int64_t target_rows, int64_t width,
                   const int32_t* bin_x, int64_t bins_x, const float* hough) {
  Best best;
  for (int64_t t = 0; t < target_rows; ++t)
    scan(row + t * width, hough + bin_y[t] * bins_x, bin_x, 0, width, t * width, best);
  return best;
}

#ifdef HPF_AVX2_ARGMAX
// Eight lanes, each keeping its own first maximum (strictly greater replaces); the tail of each target row
// goes through the scalar scan. The overall first maximum is the smallest index among the candidates holding
// the largest value, which is exactly what one scalar scan returns.
// Gather: hough values through bin_x; otherwise the table is already expanded and read contiguously.
template <bool Gather>
__attribute__((target("avx2"))) Best argmax_avx2(const float* row, const int32_t* bin_y, int64_t target_rows,
                                                 int64_t width, const int32_t* bin_x, int64_t bins_x,
                                                 const float* hough) {
  __m256 lane_value = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  __m256i lane_index = _mm256_setzero_si256();
  const __m256i step = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const int64_t vector_end = width - width % 8;
  Best tail;
  for (int64_t t = 0; t < target_rows; ++t) {
    const float* r = row + t * width;
    const float* h = hough + bin_y[t] * bins_x;
    for (int64_t x = 0; x < vector_end; x += 8) {
      __m256 hough_values;
      if constexpr (Gather) {
        hough_values =
            _mm256_i32gather_ps(h, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bin_x + x)), 4);
      } else {
        hough_values = _mm256_loadu_ps(h + x);
      }
      const __m256 confidence = _mm256_mul_ps(_mm256_loadu_ps(r + x), hough_values);
      const __m256 greater = _mm256_cmp_ps(confidence, lane_value, _CMP_GT_OQ);
      lane_value = _mm256_blendv_ps(lane_value, confidence, greater);
      const __m256i index = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int32_t>(t * width + x)), step);
      lane_index = _mm256_blendv_epi8(lane_index, index, _mm256_castps_si256(greater));
    }
    scan(r, h, bin_x, vector_end, width, t * width, tail);
  }
  alignas(32) float values[8];
  alignas(32) int32_t indices[8];
  _mm256_store_ps(values, lane_value);
  _mm256_store_si256(reinterpret_cast<__m256i*>(indices), lane_index);
  Best best = tail;
  for (int k = 0; k < 8; ++k) {
    if (values[k] > best.value || (values[k] == best.value && indices[k] < best.index)) {
      best.value = values[k];
      best.index = indices[k];
    }
  }
  return best;
}

const bool kHaveAvx2 = __builtin_cpu_supports("avx2");

__attribute__((target("avx2"))) float add_row_max_avx2(const float* __restrict src, int64_t n,
                                                       float* __restrict dst) {
  // max_ps(value, m) returns m when value is NaN: NaN never raises the bound.
  __m256 m = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  int64_t x = 0;
  for (; x + 8 <= n; x += 8) {
    const __m256 v = _mm256_loadu_ps(src + x);
    _mm256_storeu_ps(dst + x, _mm256_add_ps(_mm256_loadu_ps(dst + x), v));
    m = _mm256_max_ps(v, m);
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, m);
  float best = lanes[0];
  for (int k = 1; k < 8; ++k) best = lanes[k] > best ? lanes[k] : best;
  for (; x < n; ++x) {
    dst[x] += src[x];
    if (src[x] > best) best = src[x];
  }
  return best;
}
#endif

}  // namespace

float add_row_max(const float* __restrict src, int64_t n, float* __restrict dst) {
#ifdef HPF_AVX2_ARGMAX
  if (kHaveAvx2) return add_row_max_avx2(src, n, dst);
#endif
  float best = -std::numeric_limits<float>::infinity();
  for (int64_t x = 0; x < n; ++x) {
    dst[x] += src[x];
    if (src[x] > best) best = src[x];
  }
  return best;
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
                          const int32_t* bin_x, int64_t bins_x, const float* hough, float* best_value) {
#ifdef HPF_AVX2_ARGMAX
  const Best best = !kHaveAvx2 ? argmax_scalar(row, bin_y, target_rows, width, bin_x, bins_x, hough)
                    : bin_x    ? argmax_avx2<true>(row, bin_y, target_rows, width, bin_x, bins_x, hough)
                               : argmax_avx2<false>(row, bin_y, target_rows, width, bin_x, bins_x, hough);
#else
  const Best best = argmax_scalar(row, bin_y, target_rows, width, bin_x, bins_x, hough);
#endif
  if (best_value) *best_value = best.value;
  return best.index;
}

int64_t argmax_confidence_pruned(const float* row, const int32_t* bin_y, int64_t target_rows, int64_t width,
                                 int64_t bins_x, const float* table, const float* table_row_max,
                                 const float* row_max, float* best_value) {
  Best best;
  if (target_rows == 0) {
    if (best_value) *best_value = best.value;
    return best.index;
  }
  const auto bound = [&](int64_t t) {
    const float h = table_row_max[bin_y[t]];
    return row_max[t] * (h > 0.0f ? h : 0.0f);
  };
  // One target row (its own first maximum), merged so that the smallest index wins among equal values.
  const auto visit = [&](int64_t t) {
    float value = 0.0f;
    const int64_t x = argmax_confidence(row + t * width, bin_y + t, 1, width, nullptr, bins_x, table, &value);
    const int64_t j = t * width + x;
    if (value > best.value || (value == best.value && j < best.index)) {
      best.value = value;
      best.index = j;
    }
  };
  int64_t first = 0;
  for (int64_t t = 1; t < target_rows; ++t) {
    if (bound(t) > bound(first)) first = t;
  }
  visit(first);
  for (int64_t t = 0; t < target_rows; ++t) {
    if (t != first && bound(t) >= best.value) visit(t);
  }
  if (best_value) *best_value = best.value;
  return best.index;
}

}  // namespace hpf::hough_kernel
