#pragma once
// Loads a PyTorch state dict saved with torch.save(model.state_dict(), path) (torch >= 1.6 zip format),
// without Python and without LibTorch: the result is plain hpf::RawTensor structs (core/compute/raw_tensor.h)
// that hpf_compute turns into tensors.
//
// The file is untrusted: the archive layout, the pickle (see pickle_reader.h) and every storage size and view
// are validated, and any problem is reported as a CheckpointError naming the file and what exactly is wrong.

#include "core/compute/raw_tensor.h"

#include <stdexcept>
#include <string>

namespace hpf {

// A checkpoint that cannot be read. what() starts with the file path, then says what is wrong, e.g.
// "x.pth: storage data/7 has 100 bytes, expected 400 (100 elements of float32)".
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the state dict in the zip archive at `path`. The archive holds one folder (its name varies, e.g.
// "archive/") with data.pkl, data/<key> storage records, version and optionally byteorder. Tensors that share
// a storage in the file share one storage buffer in the result. Throws CheckpointError.
RawStateDict read_checkpoint(const std::string& path);

}  // namespace hpf
