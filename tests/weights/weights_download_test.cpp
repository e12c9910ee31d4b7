// download_weights against a local HTTP server (127.0.0.1 only): complete, resumed, restarted, corrupted,
// cancelled and failed downloads.

#include "core/weights/weights_download.h"
#include "core/weights/weights_cache.h"
#include "core/weights/weights_error.h"
#include "tests/weights/local_http_server.h"
#include "tests/weights/scoped_env.h"

#include <QCryptographicHash>
#include <QLockFile>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>

namespace hpf {
namespace {

namespace fs = std::filesystem;
using test::LocalHttpServer;
using test::ScopedEnv;

constexpr int64_t kFileSize = 3 * 1024 * 1024 + 123;

// Deterministic pseudo-random bytes (xorshift), so a wrong offset shows up as wrong bytes.
QByteArray make_file_bytes() {
  QByteArray bytes(kFileSize, '\0');
  uint64_t state = 0x9e3779b97f4a7c15ull;
  for (char& c : bytes) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    c = static_cast<char>(state >> 56);
  }
  return bytes;
}

QByteArray read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return QByteArray::fromStdString(s);
}

int64_t size_of(const fs::path& file) {
  return static_cast<int64_t>(fs::file_size(file));
}

class WeightsDownload : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.isValid());
    entry_.backbone = "testnet";
    entry_.name = "V1";
    sha256_ = QCryptographicHash::hash(body_, QCryptographicHash::Sha256).toHex().toStdString();
    entry_.sha256_prefix = sha256_.substr(0, 10);
    entry_.file_name = "testnet-" + entry_.sha256_prefix + ".pth";
    entry_.url = "http://127.0.0.1:9/never-used/" + entry_.file_name;  // HPF_WEIGHTS_BASE_URL replaces it
    entry_.approx_bytes = kFileSize;
    entry_.is_default = true;
    serve(body_);
  }

  // Serves `body` as entry_.file_name from a new server.
  void serve(const QByteArray& body) {
    base_url_.reset();  // restores the variable before the new one sets it
    server_ = std::make_unique<LocalHttpServer>(entry_.file_name, body);
    base_url_ = std::make_unique<ScopedEnv>("HPF_WEIGHTS_BASE_URL", server_->base_url() + "/");
  }

  fs::path target() const { return cached_weights_path(entry_); }
  fs::path part() const { return fs::path(target().string() + ".part"); }

  // The WeightsDownloadError message of a download expected to fail.
  std::string failed_download(const DownloadOptions& options = {}) {
    try {
      download_weights(entry_, {}, nullptr, options);
    } catch (const WeightsDownloadError& e) {
      return e.what();
    }
    ADD_FAILURE() << "download succeeded";
    return {};
  }

  QTemporaryDir dir_;
  ScopedEnv weights_dir_{"HPF_WEIGHTS_DIR", dir_.path().toStdString()};
  const QByteArray body_ = make_file_bytes();
  std::string sha256_;
  WeightsEntry entry_;
  std::unique_ptr<LocalHttpServer> server_;
  std::unique_ptr<ScopedEnv> base_url_;
};

TEST_F(WeightsDownload, DownloadsVerifiesAndInstallsTheFile) {
  std::vector<std::pair<int64_t, int64_t>> reports;
  const fs::path path =
      download_weights(entry_, [&](int64_t done, int64_t total) { reports.emplace_back(done, total); });
  EXPECT_EQ(path, target());
  EXPECT_TRUE(read_bytes(path) == body_);
  EXPECT_FALSE(fs::exists(part()));
  EXPECT_FALSE(fs::exists(target().string() + ".lock"));
  EXPECT_EQ(server_->range_headers(), (std::vector<std::string>{""}));
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back(), std::make_pair(kFileSize, kFileSize));
  for (size_t i = 1; i < reports.size(); ++i) {
    EXPECT_LE(reports[i - 1].first, reports[i].first);
    EXPECT_EQ(reports[i].second, kFileSize);
  }
  // The verified hash is remembered, so the offline lookup finds the file without hashing it again.
  EXPECT_EQ(resolve_weights(entry_), target());
  std::ifstream sidecar(target().string() + ".sha256");
  std::string tag, hash;
  sidecar >> tag >> hash;
  EXPECT_EQ(hash, sha256_);
}

TEST_F(WeightsDownload, AnInterruptedDownloadResumesWithARangeRequest) {
  server_->drop_after(1'000'000, 1);
  const std::string message = failed_download({1, std::chrono::milliseconds(10'000)});
  EXPECT_NE(message.find("download of " + server_->base_url() + "/" + entry_.file_name +
                         " failed after 1 attempt(s): "),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("; 1000000 bytes are kept in " + part().string() +
                         " and the next download resumes from there"),
            std::string::npos)
      << message;
  EXPECT_EQ(size_of(part()), 1'000'000);
  EXPECT_FALSE(fs::exists(target()));

  std::vector<std::pair<int64_t, int64_t>> reports;
  download_weights(entry_, [&](int64_t done, int64_t total) { reports.emplace_back(done, total); });
  EXPECT_TRUE(read_bytes(target()) == body_);
  EXPECT_EQ(server_->range_headers().front(), "");
  EXPECT_EQ(server_->ranges_requested(), (std::vector<std::string>{"bytes=1000000-"}));
  ASSERT_FALSE(reports.empty());
  EXPECT_GE(reports.front().first, 1'000'000) << "a resumed download counts the kept bytes";
  EXPECT_EQ(reports.back(), std::make_pair(kFileSize, kFileSize));
}

TEST_F(WeightsDownload, ResumesAutomaticallyWithinOneCall) {
  server_->drop_after(700'000, 2);
  download_weights(entry_);
  EXPECT_TRUE(read_bytes(target()) == body_);
  EXPECT_EQ(server_->range_headers().front(), "");
  // Each resume starts where a dropped response ended. (A request Qt repeats by itself on a fresh connection
  // may take the second drop, so the second resume is not certain.)
  const std::vector<std::string> ranges = server_->ranges_requested();
  ASSERT_FALSE(ranges.empty());
  EXPECT_EQ(ranges.front(), "bytes=700000-");
  for (const std::string& range : ranges)
    EXPECT_TRUE(range == "bytes=700000-" || range == "bytes=1400000-") << range;
}

TEST_F(WeightsDownload, StartsOverWhenTheServerIgnoresRange) {
  fs::create_directories(weights_cache_dir());
  std::ofstream(part(), std::ios::binary) << std::string(1000, '\xaa');  // not a prefix of the file
  server_->ignore_range(true);
  download_weights(entry_);
  EXPECT_TRUE(read_bytes(target()) == body_);
  EXPECT_EQ(server_->range_headers().front(), "bytes=1000-");
  EXPECT_EQ(server_->ranges_requested(), (std::vector<std::string>{"bytes=1000-"}));
}

TEST_F(WeightsDownload, ACompleteKeptPartIsVerifiedWithoutDownloadingAgain) {
  fs::create_directories(weights_cache_dir());
  std::ofstream(part(), std::ios::binary).write(body_.constData(), body_.size());
  download_weights(entry_);  // the server answers 416: nothing left to send
  EXPECT_TRUE(read_bytes(target()) == body_);
  EXPECT_EQ(server_->range_headers(), (std::vector<std::string>{"bytes=" + std::to_string(kFileSize) + "-"}));
}

TEST_F(WeightsDownload, AHashMismatchDeletesTheDownload) {
  const std::string real_prefix = entry_.sha256_prefix;
  entry_.sha256_prefix[0] = entry_.sha256_prefix[0] == '0' ? '1' : '0';
  const std::string message = failed_download();
  EXPECT_EQ(message,
            "the file downloaded from " + server_->base_url() + "/" + entry_.file_name + " has sha256 " +
                sha256_ + ", which does not start with " + entry_.sha256_prefix + " as registered for " +
                entry_.file_name +
                "; the download was corrupted or the server sent another file. The bad file was deleted; "
                "download again.");
  EXPECT_FALSE(fs::exists(target()));
  EXPECT_FALSE(fs::exists(part()));
}

// DINOv2 publishes no checksum: the first download's sha256 is recorded, and later uses and downloads must
// match it.
TEST_F(WeightsDownload, WithoutAPublishedChecksumTheFirstDownloadIsRecorded) {
  entry_.sha256_prefix.clear();
  entry_.file_name = "testnet_pretrain.pth";
  serve(body_);
  EXPECT_EQ(checksum_description(entry_), "none published: recorded at first download");
  download_weights(entry_);
  EXPECT_EQ(recorded_first_hash(target()), sha256_);
  EXPECT_EQ(checksum_description(entry_), "sha256 " + sha256_.substr(0, 8) + " (first download)");
  EXPECT_EQ(resolve_weights(entry_), target());

  // The file changes on disk: every later use refuses it.
  {
    std::fstream file(target(), std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(1000);
    file.put(static_cast<char>('\x5a' ^ body_[1000]));
  }
  // (within one timestamp tick the remembered hash would still apply: move the time on, as a later edit
  // would)
  fs::last_write_time(target(), fs::last_write_time(target()) + std::chrono::seconds(1));
  try {
    resolve_weights(entry_);
    ADD_FAILURE() << "a changed file was accepted";
  } catch (const WeightsUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("its sha256 differs from the one recorded at its first download"),
              std::string::npos)
        << e.what();
  }

  // A later download that brings other bytes is refused and deleted; the recorded hash stays.
  fs::remove(target());
  QByteArray other = body_;
  other[5] = static_cast<char>(other[5] ^ 1);
  serve(other);
  const std::string message = failed_download();
  EXPECT_NE(message.find("which differs from " + sha256_ + ", recorded at the first download of " +
                         entry_.file_name),
            std::string::npos)
      << message;
  EXPECT_FALSE(fs::exists(target()));
  EXPECT_EQ(recorded_first_hash(target()), sha256_);
}

TEST_F(WeightsDownload, CancellingKeepsThePartForALaterResume) {
  server_->pause_after(1'000'000, 2'000);  // the cancel lands mid-file, whatever the machine's load
  std::atomic<bool> cancel{false};
  try {
    download_weights(
        entry_, [&](int64_t done, int64_t) { cancel = cancel || done >= 500'000; }, &cancel);
    FAIL() << "download was not cancelled";
  } catch (const WeightsDownloadCancelled& e) {
    EXPECT_NE(std::string(e.what()).find(" cancelled; "), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(target()));
  const int64_t kept = size_of(part());
  EXPECT_GE(kept, 500'000);
  EXPECT_LE(kept, 1'000'000);

  server_->pause_after(-1, 0);
  download_weights(entry_);
  EXPECT_TRUE(read_bytes(target()) == body_);
  EXPECT_EQ(server_->range_headers().front(), "");
  EXPECT_EQ(server_->ranges_requested(), (std::vector<std::string>{"bytes=" + std::to_string(kept) + "-"}));
}

TEST_F(WeightsDownload, AnHttpErrorIsReportedWithoutRetrying) {
  entry_.file_name = "missing-" + entry_.sha256_prefix + ".pth";
  const std::string message = failed_download();
  EXPECT_EQ(message.rfind("download of " + server_->base_url() + "/" + entry_.file_name +
                              " failed: HTTP 404 Not Found; 0 bytes are kept in ",
                          0),
            0u)
      << message;
  EXPECT_EQ(server_->range_headers().size(), 1u);
}

TEST_F(WeightsDownload, AStalledServerTimesOut) {
  server_->stall(true);
  const std::string message = failed_download({1, std::chrono::milliseconds(300)});
  EXPECT_NE(message.find("failed after 1 attempt(s): no data arrived for 300 ms"), std::string::npos)
      << message;
}

TEST_F(WeightsDownload, ASecondDownloadOfTheSameFileIsRefused) {
  fs::create_directories(weights_cache_dir());
  QLockFile other(QString::fromStdString(target().string() + ".lock"));
  ASSERT_TRUE(other.tryLock(0));
  EXPECT_EQ(failed_download(), "another download of " + entry_.file_name + " into " +
                                   weights_cache_dir().string() + " is in progress (lock file " +
                                   target().string() + ".lock)");
  EXPECT_TRUE(server_->range_headers().empty());
}

}  // namespace
}  // namespace hpf
