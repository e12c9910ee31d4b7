#include "core/search/similarity_kernel.h"

#include "core/compute/simd.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace hpf::search_kernel {
namespace {

// 8 floats: one AVX2 register (also in the AVX-512 clone: on CPUs with one 512-bit FMA port, as this one,
// 8-wide on two ports is as fast, and 16-wide vectors lower badly where only AVX2 exists), two SSE ones in
// the baseline clone. Contraction into fused multiply-adds is left to the compiler: a clone contracts the
// same expression the same way every time it runs it.
typedef float V8 __attribute__((vector_size(32)));
typedef int32_t I8 __attribute__((vector_size(32)));
constexpr int64_t kLanes = 8;

inline V8 load(const float* p) {
  V8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, V8 v) {
  std::memcpy(p, &v, sizeof v);
}
inline V8 splat(float f) {
  return V8{} + f;
}
// max(0, v) as a mask: a vector ?: is split into scalar compares by the baseline clone.
inline V8 clamp0(V8 v) {
  return (V8)((I8)(v > 0.0f) & (I8)v);
}

// A term's view of one kept target row: what it adds to that row's shared dot products, 8 columns at a time.
struct NoTerm {
  struct Row {
    V8 operator()(V8 shared, int64_t) const { return shared; }
  };
  Row row(int64_t) const { return {}; }
};
struct DenseTerm {
  const float* dense;
  int64_t width;
  struct Row {
    const float* at;
    V8 operator()(V8 shared, int64_t x) const { return shared + load(at + x); }
  };
  Row row(int64_t t) const { return {dense + t * width}; }
};
struct CoarseTerm {
  const float* along_x;
  const TargetTaps* taps;
  struct Row {
    const float *low, *high;
    float w0, w1;
    V8 operator()(V8 shared, int64_t x) const {
      return (shared + splat(w0) * load(low + x)) + splat(w1) * load(high + x);  // two fused multiply-adds
    }
  };
  Row row(int64_t t) const {
    return {along_x + taps->y_low[t] * taps->width, along_x + taps->y_high[t] * taps->width, taps->y_w0[t],
            taps->y_w1[t]};
  }
};

// Exponent 3 (the paper's): with s = inv_source > 0, max(0, v * s * it)^3 = s^3 * max(0, v * it)^3, so
// the row's constant s^3 is applied once per accumulated value instead of once per similarity.
//
// Votes: target rows with the same y bin are consecutive (bin_y is monotonic in the target row), so the
// similarities of a run of them (up to kRun rows at a time) are summed in registers, 8 columns at a time,
// and added to their accumulator row once.
constexpr int kRun = 4;

// The votes of N consecutive target rows with the same y bin into their accumulator row `out`, summed in
// registers 8 columns at a time. N is a template argument so that the rows' pointers and weights stay in
// registers for the whole row.
template <int N, class Term>
inline void vote_run(const float* shared, const Term& term, const float* inv_target, int64_t t0,
                     int64_t width, V8 s3, float* out) {
  typename Term::Row row[N];
  const float *dots[N], *norms[N];
  for (int k = 0; k < N; ++k) {
    row[k] = term.row(t0 + k);
    dots[k] = shared + (t0 + k) * width;
    norms[k] = inv_target + (t0 + k) * width;
  }
  for (int64_t x = 0; x < width; x += kLanes) {
    V8 sum{};
    for (int k = 0; k < N; ++k) {
      const V8 c = clamp0(row[k](load(dots[k] + x), x) * load(norms[k] + x));
      sum += c * c * c;
    }
    store(out + x, load(out + x) + sum * s3);
  }
}

template <class Term>
HPF_SIMD_CLONES void vote_cubed(const float* shared, Term term, float inv_source, const float* inv_target,
                                const int32_t* bin_y, int64_t rows, int64_t width, float* acc) {
  const V8 s3 = splat(inv_source * inv_source * inv_source);
  for (int64_t t0 = 0, t1 = 0; t0 < rows; t0 = t1) {
    while (t1 < rows && t1 - t0 < kRun && bin_y[t1] == bin_y[t0]) ++t1;
    float* out = acc + bin_y[t0] * width;
    switch (t1 - t0) {
      case 1:
        vote_run<1>(shared, term, inv_target, t0, width, s3, out);
        break;
      case 2:
        vote_run<2>(shared, term, inv_target, t0, width, s3, out);
        break;
      case 3:
        vote_run<3>(shared, term, inv_target, t0, width, s3, out);
        break;
      default:
        vote_run<kRun>(shared, term, inv_target, t0, width, s3, out);
        break;
    }
  }
}

template <class Term>
HPF_SIMD_CLONES void similarity_cubed(const float* shared, Term term, float inv_source,
                                      const float* inv_target, int64_t rows, int64_t width, float* out) {
  const V8 s3 = splat(inv_source * inv_source * inv_source);
  for (int64_t t = 0; t < rows; ++t) {
    const typename Term::Row row = term.row(t);
    for (int64_t x = 0; x < width; x += kLanes) {
      const V8 c = clamp0(row(load(shared + t * width + x), x) * load(inv_target + t * width + x));
      store(out + t * width + x, c * c * c * s3);
    }
  }
}

// Any other exponent: the matcher's expression, max(0, v * s * it) ^ e, one value at a time.
template <class Term>
void general(const float* shared, Term term, float inv_source, const float* inv_target, float exponent,
             const int32_t* bin_y, int64_t rows, int64_t width, float* out) {
  for (int64_t t = 0; t < rows; ++t) {
    const typename Term::Row row = term.row(t);
    float* o = out + (bin_y ? bin_y[t] : t) * width;
    for (int64_t x = 0; x < width; x += kLanes) {
      const V8 v = row(load(shared + t * width + x), x);
      for (int k = 0; k < kLanes; ++k) {
        const float s = std::pow(std::max(0.0f, v[k] * inv_source * inv_target[t * width + x + k]), exponent);
        o[x + k] = (bin_y ? o[x + k] : 0.0f) + s;
      }
    }
  }
}

template <class Term>
void run(const float* shared, Term term, float inv_source, const float* inv_target, float exponent,
         const int32_t* bin_y, int64_t rows, int64_t width, float* out) {
  if (width % kLanes != 0) {
    throw std::logic_error("search kernel: target rows must be padded to a multiple of 8 values");
  }
  if (exponent != 3.0f)
    return general(shared, term, inv_source, inv_target, exponent, bin_y, rows, width, out);
  if (bin_y) return vote_cubed(shared, term, inv_source, inv_target, bin_y, rows, width, out);
  similarity_cubed(shared, term, inv_source, inv_target, rows, width, out);
}

void dispatch(const float* shared, const RowTerm& term, float inv_source, const float* inv_target,
              float exponent, const int32_t* bin_y, int64_t rows, int64_t width, float* out) {
  switch (term.kind) {
    case RowTerm::Kind::None:
      return run(shared, NoTerm{}, inv_source, inv_target, exponent, bin_y, rows, width, out);
    case RowTerm::Kind::Dense:
      return run(shared, DenseTerm{term.dense, width}, inv_source, inv_target, exponent, bin_y, rows, width,
                 out);
    case RowTerm::Kind::Coarse:
      return run(shared, CoarseTerm{term.along_x, term.taps}, inv_source, inv_target, exponent, bin_y, rows,
                 width, out);
  }
}

HPF_SIMD_CLONES
void blend_four(const float* __restrict r0, const float* __restrict r1, const float* __restrict r2,
                const float* __restrict r3, float w0, float w1, float w2, float w3, int64_t n,
                float* __restrict out) {
  for (int64_t j = 0; j < n; ++j) out[j] = w0 * r0[j] + w1 * r1[j] + w2 * r2[j] + w3 * r3[j];
}

HPF_SIMD_CLONES
void add_coarse(const float* __restrict along_x, const TargetTaps& taps, int64_t rows, int64_t width,
                float* __restrict dst) {
  for (int64_t t = 0; t < rows; ++t) {
    const float* __restrict low = along_x + taps.y_low[t] * width;
    const float* __restrict high = along_x + taps.y_high[t] * width;
    const float w0 = taps.y_w0[t], w1 = taps.y_w1[t];
    float* __restrict o = dst + t * width;
    for (int64_t x = 0; x < width; ++x) o[x] += w0 * low[x] + w1 * high[x];
  }
}

}  // namespace

void blend_rows(const float* const rows[4], const float w[4], int64_t count, int64_t stride, int64_t n,
                float* out) {
  for (int64_t c = 0; c < count; ++c) {
    const int64_t at = c * stride;
    blend_four(rows[0] + at, rows[1] + at, rows[2] + at, rows[3] + at, w[0], w[1], w[2], w[3], n,
               out + c * n);
  }
}

void similarity_row(const float* shared, const RowTerm& term, float inv_source, const float* inv_target,
                    float exponent, int64_t target_rows, int64_t width, float* out) {
  dispatch(shared, term, inv_source, inv_target, exponent, nullptr, target_rows, width, out);
}

void vote_row(const float* shared, const RowTerm& term, float inv_source, const float* inv_target,
              float exponent, const int32_t* bin_y, int64_t target_rows, int64_t width, float* acc) {
  dispatch(shared, term, inv_source, inv_target, exponent, bin_y, target_rows, width, acc);
}

void add_term(const RowTerm& term, int64_t target_rows, int64_t width, float* dst) {
  switch (term.kind) {
    case RowTerm::Kind::None:
      break;
    case RowTerm::Kind::Dense:
      for (int64_t j = 0; j < target_rows * width; ++j) dst[j] += term.dense[j];
      break;
    case RowTerm::Kind::Coarse:
      add_coarse(term.along_x, *term.taps, target_rows, width, dst);
      break;
  }
}

}  // namespace hpf::search_kernel
