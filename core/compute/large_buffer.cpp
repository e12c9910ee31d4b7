#include "core/compute/large_buffer.h"

#include <ATen/ATen.h>

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace hpf {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

// The last released buffer, kept for the next pair of a similar size: an evaluation matches pair after pair,
// and a fresh buffer costs the kernel a page fault and a page clear for every page of it.
struct ReleasedBuffer {
  std::mutex mutex;
  void* data = nullptr;
  size_t bytes = 0;
};
// Never destroyed: a tensor may be released during static destruction.
ReleasedBuffer& released_buffer() {
  static ReleasedBuffer* buffer = new ReleasedBuffer;
  return *buffer;
}

void release(void* data, size_t bytes) {
  ReleasedBuffer& released = released_buffer();
  void* to_free = data;
  {
    std::lock_guard<std::mutex> lock(released.mutex);
    if (!released.data || released.bytes < bytes) {
      to_free = released.data;
      released.data = data;
      released.bytes = bytes;
    }
  }
  std::free(to_free);
}

// A released buffer of at least `bytes` and at most twice that (so a huge one does not linger under small
// matrices), or null; a buffer that does not fit is freed.
void* reuse(size_t bytes, size_t* capacity) {
  ReleasedBuffer& released = released_buffer();
  void* stale = nullptr;
  {
    std::lock_guard<std::mutex> lock(released.mutex);
    if (released.data && released.bytes >= bytes && released.bytes <= 2 * bytes) {
      void* data = released.data;
      *capacity = released.bytes;
      released.data = nullptr;
      return data;
    }
    stale = released.data;
    released.data = nullptr;
  }
  std::free(stale);
  return nullptr;
}

}  // namespace

at::Tensor empty_large_matrix(int64_t rows, int64_t cols) {
  const size_t bytes = static_cast<size_t>(rows) * static_cast<size_t>(cols) * sizeof(float);
  size_t capacity = 0;
  void* data = reuse(bytes, &capacity);
  if (!data) {
    capacity = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    data = std::aligned_alloc(kHugePage, capacity == 0 ? kHugePage : capacity);
    if (!data) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    // Advice only: when refused (THP disabled, an old kernel) the buffer simply uses small pages.
    ::madvise(data, capacity, MADV_HUGEPAGE);
#endif
  }
  return at::from_blob(
      data, {rows, cols}, [capacity](void* p) { release(p, capacity); },
      at::TensorOptions().dtype(at::kFloat));
}

}  // namespace hpf
