#pragma once
// Shared body of the archive fuzz targets: opens the input as a dataset archive and reads members through
// the DatasetSource interface, the way the dataset readers do.

#include <cstddef>
#include <cstdint>
#include <string>

namespace hpf::fuzz {

// Writes the input to <scratch>/<file_name> (the extension picks the source type), opens it with the marker
// "test_pairs.csv" and reads a fixed set of member paths, including escaping ones that must be refused.
// Traps on any outcome other than success or a DatasetError.
void open_and_read_archive(const uint8_t* data, size_t size, const std::string& file_name);

}  // namespace hpf::fuzz
