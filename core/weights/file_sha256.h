#pragma once
// SHA-256 of a file, streamed (weight files are hundreds of MB).

#include <filesystem>
#include <string>

namespace hpf {

// Lower-case hex SHA-256 of the file's bytes. Throws WeightsError if the file cannot be read.
std::string file_sha256_hex(const std::filesystem::path& file);

}  // namespace hpf
