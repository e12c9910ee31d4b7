#pragma once
// Where weight files live on this machine, and how a backbone's weights are found without any network access.

#include "core/weights/weights_registry.h"

#include <filesystem>
#include <optional>
#include <string>

namespace hpf {

// $HPF_WEIGHTS_DIR if set, else $XDG_CACHE_HOME/hyperpixel-studio/weights, else
// ~/.cache/hyperpixel-studio/weights. Not created here.
std::filesystem::path weights_cache_dir();

// Where `entry` is (or will be) cached: weights_cache_dir() / entry.file_name.
std::filesystem::path cached_weights_path(const WeightsEntry& entry);

// The URL to fetch `entry` from: $HPF_WEIGHTS_BASE_URL + "/" + file_name if that variable is set (mirrors,
// tests), else entry.url.
std::string weights_download_url(const WeightsEntry& entry);

// Whether `file`'s sha256 starts with entry.sha256_prefix, or, for weights without a published checksum
// (DINOv2), equals the sha256 recorded at the first download in "<file>.first-sha256" (a file found in the
// cache before any download is recorded at its first use). The full hash is remembered in a sidecar
// "<file>.sha256" together with the file's size and modification time, so an unchanged file is hashed once.
// Throws WeightsError if the file cannot be read.
bool weights_file_verified(const std::filesystem::path& file, const WeightsEntry& entry);

// The sha256 recorded at the first download of `file` (weights without a published checksum), if any.
std::optional<std::string> recorded_first_hash(const std::filesystem::path& file);

// Records `sha256_hex` as the hash every later use of `file` must match. Throws std::runtime_error if it
// cannot be written.
void record_first_hash(const std::filesystem::path& file, const std::string& sha256_hex);

// How `entry` is checked, for listings: the published prefix, or the recorded first-download hash.
std::string checksum_description(const WeightsEntry& entry);

// Records that `file` has sha256 `sha256_hex` (used by the downloader, which has just hashed it).
void remember_weights_hash(const std::filesystem::path& file, const std::string& sha256_hex);

// The weights file to load for `entry`, offline:
//  1. `local_file` if given (the user's --weights FILE): it must exist; its hash is not checked, since a user
//     may convert or fine-tune weights;
//  2. else the cached file, if present and its hash verifies;
//  3. else throws WeightsUnavailable saying which URL to download, as which file name, into which folder (or
//  to
//     pass --weights FILE). A cached file with a wrong hash is reported as corrupt, with the same
//     instructions.
std::filesystem::path resolve_weights(const WeightsEntry& entry,
                                      const std::optional<std::filesystem::path>& local_file = std::nullopt);

// resolve_weights for the default weights of `backbone` (see default_weights()).
std::filesystem::path resolve_weights(const std::string& backbone,
                                      const std::optional<std::filesystem::path>& local_file = std::nullopt);

}  // namespace hpf
