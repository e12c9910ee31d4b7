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
#endif

}  // namespace

HPF_SIMD_CLONES
void add_row(const float* __restrict src, int64_t n, float* __restrict dst) {
  for (int64_t x = 0; x < n; ++x) dst[x] += src[x];
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

}  // namespace hpf::hough_kernel
