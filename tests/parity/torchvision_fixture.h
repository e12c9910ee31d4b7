#pragma once
// Runs tests/tools/torchvision_parity.py once per test binary (Debian's python3-torchvision) and hands out the
// checkpoints and reference layer outputs it wrote.

#include "core/compute/state_dict.h"

#include <string>

namespace hpf::test {

// Directory holding <arch>.pth and <arch>_outputs.pth for every architecture. Fails the calling test with a clear
// message when the interpreter or torchvision is missing (they are test dependencies, not optional).
std::string torchvision_fixture_dir();

// Reads a checkpoint written by torch.save through the project's own reader.
StateDict load_state(const std::string& path);

}  // namespace hpf::test
