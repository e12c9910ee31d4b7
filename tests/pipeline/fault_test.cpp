// Faults while writing results: the disk filling up (simulated with RLIMIT_FSIZE, which also works as root,
// where a read-only directory would not stop anyone) gives a clear error and loses nothing already written.

#include "fixtures.h"

#include "core/eval/evaluation_job.h"
#include "core/fileio/atomic_file.h"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include <sys/resource.h>

namespace hpf {
namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Limits the size of files this process may write while alive ("disk full" for everything written after).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    std::signal(SIGXFSZ, SIG_IGN);  // get EFBIG from write() instead of being killed
    getrlimit(RLIMIT_FSIZE, &saved_);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() { setrlimit(RLIMIT_FSIZE, &saved_); }

 private:
  rlimit saved_{};
};

TEST(Faults, AtomicWriteOnAFullDiskKeepsTheOldFile) {
  test::TempDir dir;
  const std::string path = dir.str() + "/summary.json";
  write_file_atomically(path, "previous results");
  {
    FileSizeLimit full(64);
    try {
      write_file_atomically(path, std::string(4096, 'x'));
      FAIL() << "a write past the file-size limit succeeded";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(read_text(path), "previous results");
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) files += entry.is_regular_file();
  EXPECT_EQ(files, 1) << "a temporary file was left behind";
  EXPECT_THROW(write_file_atomically(dir.str() + "/missing/dir/x.json", "x"), std::runtime_error);
}

TEST(Faults, EvaluationStoppedByAFullDiskResumesToTheSameResult) {
  test::TempDir dir;
  test::write_pf_willow_fixture(dir.path() / "data", 3, 11);  // 12 pairs
  const auto dataset = open_dataset("pf-willow", (dir.path() / "data").string());
  auto backbone = test::seeded_mobilenet();
  MatchOptions match;
  match.layers = {2, 4};
  const HyperpixelFlow flow(*backbone, match);
  EvalOptions options;
  options.alphas = {"0.1"};
  options.output_dir = (dir.path() / "full").string();
  run_evaluation(*dataset, flow, RunDescription{}, options);

  options.output_dir = (dir.path() / "interrupted").string();
  const std::string records = options.output_dir + "/pairs.jsonl";
  std::unique_ptr<FileSizeLimit> full;
  JobContext context;
  context.progress = [&](const JobProgress& p) {
    if (p.done == 5) full = std::make_unique<FileSizeLimit>(std::filesystem::file_size(records) + 40);
  };
  try {
    run_evaluation(*dataset, flow, RunDescription{}, options, context);
    FAIL() << "the evaluation went on although the disk was full";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("write failed"), std::string::npos) << e.what();
  }
  full.reset();
  EXPECT_EQ(read_pair_records(records).size(),
            5u);  // the finished pairs survived; the partial line is ignored
  options.resume = true;
  const EvalResult resumed = run_evaluation(*dataset, flow, RunDescription{}, options);
  ASSERT_TRUE(resumed.complete);
  EXPECT_EQ(resumed.resumed, 5);
  EXPECT_EQ(read_text(dir.path() / "interrupted/summary.json"), read_text(dir.path() / "full/summary.json"));
}

}  // namespace
}  // namespace hpf
