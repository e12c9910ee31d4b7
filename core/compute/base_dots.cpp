#include "core/compute/base_dots.h"

#include "core/compute/simd.h"

#include <stdexcept>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(HPF_NO_SIMD_CLONES)
#define HPF_AVX2_BASE_DOTS
#include <immintrin.h>
#endif

namespace hpf::base_dots {
namespace {

// Machines without AVX2/FMA (and sanitizer builds): plain multiply-adds in k order; a software fma would be
// far too slow here.
template <int R>
void rows_portable(const float* a, int64_t a_stride, int64_t depth, const float* target_t, int64_t cols,
                   float* out, int64_t out_stride, int64_t target_stride) {
  for (int r = 0; r < R; ++r) {
    float* o = out + r * out_stride;
    for (int64_t j = 0; j < cols; ++j) o[j] = 0.0f;
    for (int64_t k = 0; k < depth; ++k) {
      const float s = a[r * a_stride + k];
      const float* t = target_t + k * target_stride;
      for (int64_t j = 0; j < cols; ++j) o[j] += s * t[j];
    }
  }
}

#ifdef HPF_AVX2_BASE_DOTS
// R rows x 16 columns of accumulators (2R registers); each target load serves R rows.
// target_stride: distance between the k rows of target_t (cols, unless called on the last columns of a wider
// matrix).
template <int R>
__attribute__((target("avx2,fma"))) void rows_avx2(const float* a, int64_t a_stride, int64_t depth,
                                                   const float* target_t, int64_t cols, float* out,
                                                   int64_t out_stride, int64_t target_stride) {
  int64_t j = 0;
  for (; j + 16 <= cols; j += 16) {
    __m256 low[R], high[R];
    for (int r = 0; r < R; ++r) low[r] = high[r] = _mm256_setzero_ps();
    for (int64_t k = 0; k < depth; ++k) {
      const float* t = target_t + k * target_stride + j;
      const __m256 t0 = _mm256_loadu_ps(t), t1 = _mm256_loadu_ps(t + 8);
      for (int r = 0; r < R; ++r) {
        const __m256 s = _mm256_broadcast_ss(a + r * a_stride + k);
        low[r] = _mm256_fmadd_ps(s, t0, low[r]);
        high[r] = _mm256_fmadd_ps(s, t1, high[r]);
      }
    }
    for (int r = 0; r < R; ++r) {
      _mm256_storeu_ps(out + r * out_stride + j, low[r]);
      _mm256_storeu_ps(out + r * out_stride + j + 8, high[r]);
    }
  }
  for (; j < cols; ++j) {  // the last < 16 columns: the same fused multiply-adds, one lane at a time
    for (int r = 0; r < R; ++r) {
      float sum = 0.0f;
      for (int64_t k = 0; k < depth; ++k)
        sum = __builtin_fmaf(a[r * a_stride + k], target_t[k * target_stride + j], sum);
      out[r * out_stride + j] = sum;
    }
  }
}

// The same with 512-bit vectors: R rows x 32 columns, then the < 32 remaining columns by rows_avx2 (equal
// arithmetic lane by lane, so the result does not depend on the path).
template <int R>
__attribute__((target("avx512f,avx2,fma"))) void rows_avx512(const float* a, int64_t a_stride, int64_t depth,
                                                             const float* target_t, int64_t cols, float* out,
                                                             int64_t out_stride, int64_t target_stride) {
  int64_t j = 0;
  for (; j + 32 <= cols; j += 32) {
    __m512 low[R], high[R];
    for (int r = 0; r < R; ++r) low[r] = high[r] = _mm512_setzero_ps();
    for (int64_t k = 0; k < depth; ++k) {
      const float* t = target_t + k * target_stride + j;
      const __m512 t0 = _mm512_loadu_ps(t), t1 = _mm512_loadu_ps(t + 16);
      for (int r = 0; r < R; ++r) {
        const __m512 s = _mm512_set1_ps(a[r * a_stride + k]);
        low[r] = _mm512_fmadd_ps(s, t0, low[r]);
        high[r] = _mm512_fmadd_ps(s, t1, high[r]);
      }
    }
    for (int r = 0; r < R; ++r) {
      _mm512_storeu_ps(out + r * out_stride + j, low[r]);
      _mm512_storeu_ps(out + r * out_stride + j + 16, high[r]);
    }
  }
  if (j < cols) rows_avx2<R>(a, a_stride, depth, target_t + j, cols - j, out + j, out_stride, target_stride);
}

const bool kHaveAvx2Fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
const bool kHaveAvx512 = kHaveAvx2Fma && __builtin_cpu_supports("avx512f");
#endif

template <int R>
void rows_times(const float* a, int64_t a_stride, int64_t depth, const float* target_t, int64_t cols,
                float* out, int64_t out_stride, int64_t target_stride) {
#ifdef HPF_AVX2_BASE_DOTS
  if (kHaveAvx512) return rows_avx512<R>(a, a_stride, depth, target_t, cols, out, out_stride, target_stride);
  if (kHaveAvx2Fma) return rows_avx2<R>(a, a_stride, depth, target_t, cols, out, out_stride, target_stride);
#endif
  rows_portable<R>(a, a_stride, depth, target_t, cols, out, out_stride, target_stride);
}

}  // namespace

void rows_times_target(const float* a, int64_t a_stride, int rows, int64_t depth, const float* target_t,
                       int64_t cols, float* out, int64_t out_stride, int64_t target_stride) {
  if (target_stride == 0) target_stride = cols;
  switch (rows) {
    case 1:
      return rows_times<1>(a, a_stride, depth, target_t, cols, out, out_stride, target_stride);
    case 2:
      return rows_times<2>(a, a_stride, depth, target_t, cols, out, out_stride, target_stride);
    case 3:
      return rows_times<3>(a, a_stride, depth, target_t, cols, out, out_stride, target_stride);
    case 4:
      return rows_times<4>(a, a_stride, depth, target_t, cols, out, out_stride, target_stride);
    default:
      throw std::invalid_argument("base_dots: 1 to 4 rows at a time");
  }
}

}  // namespace hpf::base_dots
