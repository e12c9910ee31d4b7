// Fuzzes the state-dict pickle interpreter (data.pkl of a torch.save checkpoint) on raw bytes. The only
// acceptable failure is a PickleError; anything else (another exception, a crash, a sanitizer report, a
// hang, an allocation beyond libFuzzer's limit) is a bug.

#include "core/checkpoint/pickle_reader.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> pickle(data, data + size);
  try {
    const std::vector<hpf::PickledTensor> tensors = hpf::parse_state_dict_pickle(pickle);
    // Every accepted view must be consistent with what the reader promised to check.
    for (const hpf::PickledTensor& t : tensors) {
      if (t.shape.size() != t.stride.size() || t.storage_offset < 0 || t.storage_numel < 0) __builtin_trap();
    }
  } catch (const hpf::PickleError&) {
  }
  return 0;
}
