#pragma once
// Errors of the weights manager. Each message says what to do next (which URL, which folder, which option).

#include <stdexcept>

namespace hpf {

// Base of every weights-manager error.
class WeightsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// No usable weights file on this machine: the message names the URL to download, the file name and the folder
// to put it in, and the --weights FILE alternative.
class WeightsUnavailable : public WeightsError {
 public:
  using WeightsError::WeightsError;
};

// A download failed (network, HTTP status, or the file's hash). Any partial data kept for a resume is named.
class WeightsDownloadError : public WeightsError {
 public:
  using WeightsError::WeightsError;
};

// The caller's cancel flag stopped a download; the partial file is kept so the next download resumes.
class WeightsDownloadCancelled : public WeightsDownloadError {
 public:
  using WeightsDownloadError::WeightsDownloadError;
};

}  // namespace hpf
