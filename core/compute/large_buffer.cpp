#include "core/compute/large_buffer.h"

#include <ATen/ATen.h>

#include <cstdint>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace hpf {

at::Tensor empty_large_matrix(int64_t rows, int64_t cols) {
  at::Tensor out = at::empty({rows, cols}, at::TensorOptions().dtype(at::kFloat));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<uintptr_t>(out.data_ptr<float>());
  const uintptr_t end = begin + static_cast<uintptr_t>(out.numel()) * sizeof(float);
  const uintptr_t first = (begin + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t last = end & ~(kHugePage - 1);
  // Advice only: when refused (THP disabled, an old kernel) the buffer simply uses small pages.
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#endif
  return out;
}

}  // namespace hpf
