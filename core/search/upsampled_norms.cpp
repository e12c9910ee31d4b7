#include "core/search/upsampled_norms.h"

#include "core/compute/bilinear_tap.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace hpf {

at::Tensor upsampled_squared_norms(const at::Tensor& map, int64_t gh, int64_t gw) {
  const int64_t h = map.size(1), w = map.size(2);
  if (h == gh && w == gw) return map.pow(2).sum(0);
  // The map of <f(a + y0, b + x0), f(a + y1, b + x1)> over the positions (a, b) where both exist, in double.
  const auto inner = [&](int64_t y0, int64_t x0, int64_t y1, int64_t x1) {
    const int64_t rows = h - std::max(y0, y1), cols = w - std::max(x0, x1);
    if (rows <= 0 || cols <= 0) return at::Tensor();
    const at::Tensor p = map.slice(1, y0, y0 + rows).slice(2, x0, x0 + cols);
    const at::Tensor q = map.slice(1, y1, y1 + rows).slice(2, x1, x1 + cols);
    return (p * q).sum(0).to(at::kDouble).contiguous();
  };
  struct View {  // a map's values, read at (a, b) without a tensor call per read
    const double* data = nullptr;
    int64_t cols = 0;
  };
  const auto view = [](const at::Tensor& t) {
    return t.defined() ? View{t.data_ptr<double>(), t.size(1)} : View{};
  };
  const at::Tensor maps[5] = {inner(0, 0, 0, 0), inner(0, 0, 0, 1), inner(0, 0, 1, 0), inner(0, 0, 1, 1),
                              inner(0, 1, 1, 0)};
  const View self = view(maps[0]), right = view(maps[1]), down = view(maps[2]), diagonal = view(maps[3]),
             anti = view(maps[4]);
  const auto at2 = [](const View& v, int64_t a, int64_t b) { return v.data[a * v.cols + b]; };
  at::Tensor out = at::empty({gh, gw}, map.options());
  float* o = out.data_ptr<float>();
  for (int64_t y = 0; y < gh; ++y) {
    const BilinearTap ty = bilinear_tap(y, h, gh);
    const double wy1 = ty.high_weight, wy0 = 1.0 - wy1;
    for (int64_t x = 0; x < gw; ++x) {
      const BilinearTap tx = bilinear_tap(x, w, gw);
      const double wx1 = tx.high_weight, wx0 = 1.0 - wx1;
      const bool step_x = tx.high != tx.low, step_y = ty.high != ty.low;
      // |g(a, x)|^2 for a coarse row a.
      const auto row_norm = [&](int64_t a) {
        double v = wx0 * wx0 * at2(self, a, tx.low);
        if (step_x) v += 2 * wx0 * wx1 * at2(right, a, tx.low) + wx1 * wx1 * at2(self, a, tx.high);
        return v;
      };
      double v = wy0 * wy0 * row_norm(ty.low);
      if (step_y) {
        double cross = wx0 * wx0 * at2(down, ty.low, tx.low);
        if (step_x) {
          cross += wx0 * wx1 * (at2(diagonal, ty.low, tx.low) + at2(anti, ty.low, tx.low)) +
                   wx1 * wx1 * at2(down, ty.low, tx.high);
        }
        v += 2 * wy0 * wy1 * cross + wy1 * wy1 * row_norm(ty.high);
      }
      o[y * gw + x] = static_cast<float>(v);
    }
  }
  return out;
}


}  // namespace hpf
