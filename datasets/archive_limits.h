#pragma once

#include <cstdint>

namespace hpf {

// Largest single archive member we agree to inflate into memory. Dataset members are images and small
// annotation files; anything bigger is a broken or hostile archive and must not exhaust memory.
constexpr uint64_t kMaxArchiveMemberBytes = uint64_t(1) << 30;

}  // namespace hpf
