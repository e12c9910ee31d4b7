// Finding weights offline: cache folder, the user's own file, hash verification with its remembered result,
// and the message that tells a user what to download where.

#include "core/weights/weights_cache.h"
#include "core/weights/file_sha256.h"
#include "core/weights/weights_error.h"
#include "tests/weights/scoped_env.h"

#include <QCryptographicHash>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

namespace hpf {
namespace {

namespace fs = std::filesystem;
using test::ScopedEnv;

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

std::string sha256_hex(const std::string& text) {
  return QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Sha256)
      .toHex()
      .toStdString();
}

std::string error_of(const WeightsEntry& entry, const std::optional<fs::path>& local = std::nullopt) {
  try {
    resolve_weights(entry, local);
  } catch (const WeightsUnavailable& e) {
    return e.what();
  }
  ADD_FAILURE() << "weights resolved";
  return {};
}

class WeightsCache : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.isValid()); }
  fs::path dir() const { return dir_.path().toStdString(); }

  QTemporaryDir dir_;
  ScopedEnv weights_dir_{"HPF_WEIGHTS_DIR", dir_.path().toStdString()};
  ScopedEnv base_url_{"HPF_WEIGHTS_BASE_URL", std::nullopt};
};

TEST_F(WeightsCache, FolderFollowsTheEnvironment) {
  EXPECT_EQ(weights_cache_dir(), dir());
  ScopedEnv no_override("HPF_WEIGHTS_DIR", std::nullopt);
  {
    ScopedEnv xdg("XDG_CACHE_HOME", "/xdg/cache");
    EXPECT_EQ(weights_cache_dir(), fs::path("/xdg/cache/hyperpixel-studio/weights"));
  }
  ScopedEnv no_xdg("XDG_CACHE_HOME", std::nullopt);
  ScopedEnv home("HOME", "/home/ada");
  EXPECT_EQ(weights_cache_dir(), fs::path("/home/ada/.cache/hyperpixel-studio/weights"));
  EXPECT_EQ(cached_weights_path(default_weights("resnet50")),
            fs::path("/home/ada/.cache/hyperpixel-studio/weights/resnet50-0676ba61.pth"));
}

TEST_F(WeightsCache, OfflineMessageSaysWhatToDownloadAndWhere) {
  const std::string expected =
      "weights for resnet101 (IMAGENET1K_V1, resnet101-63fe2227.pth) are not on this machine. Download\n"
      "  https://download.pytorch.org/models/resnet101-63fe2227.pth\n"
      "(about 179 MB) and save it as resnet101-63fe2227.pth in the folder\n  " +
      dir().string() + "\n(that is, " + (dir() / "resnet101-63fe2227.pth").string() +
      "), or pass --weights FILE to use a state-dict file you already have.";
  try {
    resolve_weights("resnet101");
    FAIL() << "nothing is cached";
  } catch (const WeightsUnavailable& e) {
    EXPECT_EQ(e.what(), expected);
  }
}

TEST_F(WeightsCache, OfflineMessageUsesTheBaseUrlOverride) {
  ScopedEnv mirror("HPF_WEIGHTS_BASE_URL", "http://127.0.0.1:8080/mirror/");
  EXPECT_EQ(weights_download_url(default_weights("mobilenet_v2")),
            "http://127.0.0.1:8080/mirror/mobilenet_v2-b0353104.pth");
  EXPECT_NE(error_of(default_weights("mobilenet_v2"))
                .find("\n  http://127.0.0.1:8080/mirror/mobilenet_v2-b0353104.pth\n"),
            std::string::npos);
}

TEST_F(WeightsCache, TheUsersFileWinsAndMustExist) {
  const fs::path mine = dir() / "my_weights.pth";
  write_text(mine, "anything");
  write_text(cached_weights_path(default_weights("resnet50")), "a cached file");
  EXPECT_EQ(resolve_weights("resnet50", mine), mine);
  EXPECT_EQ(resolve_weights("a_backbone_without_registry_entry", mine), mine);

  const fs::path missing = dir() / "nope.pth";
  EXPECT_EQ(error_of(default_weights("resnet50"), missing),
            "weights file " + missing.string() + " does not exist");
  EXPECT_EQ(error_of(default_weights("resnet50"), dir()),
            "weights file " + dir().string() + " is not a file");
}

TEST_F(WeightsCache, ACachedFileIsUsedWhenItsHashVerifies) {
  const std::string content = "pretend these are weights";
  WeightsEntry entry = default_weights("mobilenet_v2");
  entry.sha256_prefix = sha256_hex(content).substr(0, 8);
  const fs::path cached = cached_weights_path(entry);
  write_text(cached, content);
  EXPECT_EQ(resolve_weights(entry), cached);
  std::ifstream sidecar(cached.string() + ".sha256");
  std::string tag, hash;
  sidecar >> tag >> hash;
  EXPECT_EQ(tag, "sha256");
  EXPECT_EQ(hash, sha256_hex(content));
}

TEST_F(WeightsCache, TheRememberedHashIsUsedUntilTheFileChanges) {
  const std::string content = "weights v1";
  WeightsEntry entry = default_weights("mobilenet_v2");
  entry.sha256_prefix = sha256_hex(content).substr(0, 8);
  const fs::path cached = cached_weights_path(entry);
  write_text(cached, content);
  ASSERT_TRUE(weights_file_verified(cached, entry));

  // A remembered hash for the unchanged file is trusted, so the file is not hashed again.
  remember_weights_hash(cached, std::string(64, '0'));
  EXPECT_FALSE(weights_file_verified(cached, entry));

  // Once the file changes (size and time), it is hashed again.
  write_text(cached, content + " ");
  write_text(cached, content);
  fs::last_write_time(cached, fs::last_write_time(cached) + std::chrono::seconds(5));
  EXPECT_TRUE(weights_file_verified(cached, entry));
}

TEST_F(WeightsCache, ACorruptCachedFileIsReported) {
  const WeightsEntry& entry = default_weights("resnet50");
  write_text(cached_weights_path(entry), "truncated download");
  const std::string message = error_of(entry);
  EXPECT_EQ(message.rfind("the cached weights file " + cached_weights_path(entry).string() +
                              " is corrupt: its sha256 does not start with 0676ba61. Delete it. Download\n",
                          0),
            0u)
      << message;
}

TEST(FileSha256, MatchesTheStandardTestVector) {
  QTemporaryDir dir;
  const fs::path file = fs::path(dir.path().toStdString()) / "abc";
  write_text(file, "abc");
  EXPECT_EQ(file_sha256_hex(file), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// A DINOv2 file put into the cache by hand (no published checksum, never downloaded): its hash is recorded at
// its first use and required afterwards.
TEST_F(WeightsCache, AHandPlacedFileWithoutPublishedChecksumIsRecordedAtFirstUse) {
  WeightsEntry entry = default_weights("dinov2_vits14");
  ASSERT_FALSE(entry.has_published_checksum());
  EXPECT_EQ(entry.url, "https://dl.fbaipublicfiles.com/dinov2/dinov2_vits14/dinov2_vits14_pretrain.pth");
  EXPECT_EQ(default_weights("dinov2_vitg14_reg").url,
            "https://dl.fbaipublicfiles.com/dinov2/dinov2_vitg14/dinov2_vitg14_reg4_pretrain.pth");
  const fs::path file = dir() / entry.file_name;
  write_text(file, "dinov2 weights");
  EXPECT_FALSE(recorded_first_hash(file));
  EXPECT_EQ(resolve_weights(entry), file);
  EXPECT_EQ(recorded_first_hash(file), sha256_hex("dinov2 weights"));
  write_text(file, "other weights!");  // same size
  fs::last_write_time(file, fs::last_write_time(file) + std::chrono::seconds(1));
  const std::string message = error_of(entry);
  EXPECT_NE(message.find("is corrupt: its sha256 differs from the one recorded at its first download"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(entry.url), std::string::npos) << message;
}

}  // namespace
}  // namespace hpf
