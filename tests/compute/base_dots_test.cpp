#include "core/compute/base_dots.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace hpf {
namespace {

// rows_times_target against a plain matrix product, for every row count, vector-width and tail column
// counts, and strided source and output rows (as the RHM row pass uses it: rows of one source column).
TEST(BaseDots, EqualsTheMatrixProduct) {
  at::manual_seed(5);
  for (const int64_t depth : {1, 16, 24, 64}) {
    for (const int64_t cols : {1, 15, 16, 17, 70, 3500}) {
      for (int rows = 1; rows <= 4; ++rows) {
        const int64_t a_stride = 3 * depth, out_stride = 2 * cols + 5;
        const at::Tensor a = at::randn({rows, a_stride});
        const at::Tensor target = at::randn({cols, depth});
        const at::Tensor target_t = target.t().contiguous();
        at::Tensor out = at::full({rows, out_stride}, -7.0f);
        base_dots::rows_times_target(a.data_ptr<float>(), a_stride, rows, depth, target_t.data_ptr<float>(),
                                     cols, out.data_ptr<float>(), out_stride);
        const at::Tensor expected = at::mm(a.slice(1, 0, depth), target.t());
        EXPECT_TRUE(at::allclose(out.slice(1, 0, cols), expected, 1e-5, 1e-5))
            << "depth " << depth << " cols " << cols << " rows " << rows;
        // Nothing outside the rows' first `cols` entries is written.
        EXPECT_TRUE(out.slice(1, cols).eq(-7.0f).all().item<bool>());
      }
    }
  }
}

TEST(BaseDots, RejectsMoreThanFourRows) {
  float a[8] = {}, t[2] = {}, out[10] = {};
  EXPECT_THROW(base_dots::rows_times_target(a, 1, 5, 1, t, 2, out, 2), std::invalid_argument);
  EXPECT_THROW(base_dots::rows_times_target(a, 1, 0, 1, t, 2, out, 2), std::invalid_argument);
}

}  // namespace
}  // namespace hpf
