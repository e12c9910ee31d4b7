#include "torchvision_fixture.h"

#include "core/checkpoint/checkpoint_reader.h"
#include "core/compute/raw_tensor_convert.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

namespace hpf::test {

std::string torchvision_fixture_dir() {
  static const std::string dir = [] {
    const char* python = std::getenv("HPF_TEST_PYTHON");
    const char* tools = std::getenv("HPF_TEST_TOOLS");
    if (!python || !tools) throw std::runtime_error("HPF_TEST_PYTHON/HPF_TEST_TOOLS unset: run the tests through ctest");
    const auto out = std::filesystem::temp_directory_path() / ("hpf-parity-" + std::to_string(::getpid()));
    const std::string command = std::string(python) + " " + tools + "/torchvision_parity.py " + out.string() +
                                " > " + (out.string() + ".log") + " 2>&1";
    if (std::system(command.c_str()) != 0) {
      throw std::runtime_error("could not create the torchvision fixtures with '" + std::string(python) +
                               "' (needs Debian's python3-torchvision); see " + out.string() + ".log");
    }
    // The fixtures are ~500 MB: remove them when the test binary exits.
    static const std::string to_remove = out.string();
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(to_remove, ignored);
      std::filesystem::remove(to_remove + ".log", ignored);
    });
    return out.string();
  }();
  return dir;
}

StateDict load_state(const std::string& path) { return to_state_dict(read_checkpoint(path)); }

}  // namespace hpf::test
