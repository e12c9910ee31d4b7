#include "datasets/source.h"

#include "tests/datasets/fixtures.h"

namespace hpf {
namespace {

std::string text_of(const std::vector<uint8_t>& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

TEST(DatasetsSource, NormalizesAndRejectsEscapingPaths) {
  EXPECT_EQ(normalize_relative_path("./a//b/./c.png", "ctx"), "a/b/c.png");
  EXPECT_DATASET_ERROR(normalize_relative_path("a/../../etc/passwd", "ctx"), "ctx: path 'a/../../etc/passwd'",
                       "'..'");
  EXPECT_DATASET_ERROR(normalize_relative_path("/etc/passwd", "ctx"), "ctx: path '/etc/passwd' is absolute");
  EXPECT_DATASET_ERROR(normalize_relative_path("./", "ctx"), "names no file");
}

TEST(DatasetsSource, RootInListingIsShallowestFolderHoldingMarker) {
  EXPECT_EQ(find_root_in_listing({"top/PF/test_pairs.csv", "top/PF/a/x.png", "top/PF/a/test_pairs.csv"},
                                 "test_pairs.csv", "x.zip"),
            "top/PF");
  EXPECT_EQ(find_root_in_listing({"test_pairs.csv"}, "test_pairs.csv", "x.zip"), "");
  // Folder markers count even without explicit folder entries.
  EXPECT_EQ(find_root_in_listing({"SPair-71k/Layout/large/test.txt"}, "Layout", "s.tgz"), "SPair-71k");
  EXPECT_DATASET_ERROR(find_root_in_listing({"a/b.txt"}, "Layout", "s.tgz"),
                       "archive s.tgz: no 'Layout' inside");
}

TEST(DatasetsSource, FolderFindsNestedRootAndReadsFiles) {
  test::TempDir dir;
  dir.write("outer/PF-WILLOW/test_pairs.csv", "hello");
  dir.write("outer/PF-WILLOW/car(G)/a.txt", "A");
  const auto source = open_source(dir.path(), "test_pairs.csv");
  EXPECT_EQ(text_of(source->read("test_pairs.csv")), "hello");
  EXPECT_EQ(text_of(source->read("car(G)/a.txt")), "A");
  EXPECT_TRUE(source->exists("car(G)/a.txt"));
  EXPECT_FALSE(source->exists("car(G)/b.txt"));
  EXPECT_EQ(source->location("x.png"), dir.path() + "/outer/PF-WILLOW/x.png");
  EXPECT_DATASET_ERROR(source->read("car(G)/b.txt"), dir.path() + "/outer/PF-WILLOW/car(G)/b.txt",
                       "file not found");
  EXPECT_DATASET_ERROR(source->read("../PF-WILLOW/test_pairs.csv"), "'..'");
  EXPECT_DATASET_ERROR(open_source(dir.path(), "Layout"), "no 'Layout' in it or in its subfolders");
  EXPECT_DATASET_ERROR(open_source(dir.path() + "/missing", "Layout"), "/missing: no such file or folder");
}

TEST(DatasetsSource, ZipAndTarGzReadMembersUnderTheirRoot) {
  test::TempDir dir;
  dir.write("tree/test_pairs.csv", "rows");
  dir.write("tree/car(G)/a.bin", std::string("\0\1\2binary", 9));
  dir.write("tree/car(G)/big.png", std::string(200000, 'p'));  // not cached by the tar index pass
  dir.write("tree/car(G)/later.png", "L");
  test::make_zip(dir.path() + "/tree", dir.path() + "/d.zip", "PF-WILLOW/");
  test::make_tar_gz(dir.path() + "/tree", dir.path() + "/d.tar.gz", "./PF-WILLOW/");
  for (const std::string archive : {"/d.zip", "/d.tar.gz"}) {
    SCOPED_TRACE(archive);
    const auto source = open_source(dir.path() + archive, "test_pairs.csv");
    EXPECT_EQ(text_of(source->read("test_pairs.csv")), "rows");
    EXPECT_EQ(text_of(source->read("car(G)/a.bin")), std::string("\0\1\2binary", 9));
    EXPECT_EQ(text_of(source->read("car(G)/big.png")), std::string(200000, 'p'));
    EXPECT_EQ(text_of(source->read("car(G)/later.png")), "L");
    EXPECT_EQ(text_of(source->read("car(G)/big.png")), std::string(200000, 'p'));  // backwards: rescan
    EXPECT_TRUE(source->exists("./car(G)/a.bin"));
    EXPECT_FALSE(source->exists("car(G)/none.png"));
    EXPECT_EQ(source->location("x.png"), dir.path() + archive + ":PF-WILLOW/x.png");
    EXPECT_DATASET_ERROR(source->read("car(G)/none.png"), dir.path() + archive + ":PF-WILLOW/car(G)/none.png",
                         "no such member");
    EXPECT_DATASET_ERROR(source->read("../outside.txt"), "'..'");
  }
}

TEST(DatasetsSource, ArchivesWithEscapingEntriesAreRejected) {
  test::TempDir dir;
  const std::vector<std::pair<std::string, std::string>> members = {{"PF/test_pairs.csv", "x"},
                                                                    {"PF/../../evil.sh", "boom"}};
  test::make_zip_members(dir.path() + "/bad.zip", members);
  test::make_tar_gz_members(dir.path() + "/bad.tgz", members);
  EXPECT_DATASET_ERROR(open_source(dir.path() + "/bad.zip", "test_pairs.csv"), "bad.zip: entry",
                       "'PF/../../evil.sh'", "escape the dataset root");
  EXPECT_DATASET_ERROR(open_source(dir.path() + "/bad.tgz", "test_pairs.csv"), "bad.tgz: entry",
                       "'PF/../../evil.sh'", "escape the dataset root");
  test::make_tar_gz_members(dir.path() + "/abs.tar.gz", {{"/etc/test_pairs.csv", "x"}});
  EXPECT_DATASET_ERROR(open_source(dir.path() + "/abs.tar.gz", "test_pairs.csv"),
                       "'/etc/test_pairs.csv' is absolute");
}

TEST(DatasetsSource, RejectsUnsupportedAndCorruptContainers) {
  test::TempDir dir;
  dir.write("x.rar", "whatever");
  dir.write("broken.zip", "this is not a zip");
  dir.write("broken.tar.gz", "this is not a tar");
  EXPECT_DATASET_ERROR(open_source(dir.path() + "/x.rar", "m"), "unsupported container");
  EXPECT_DATASET_ERROR(open_source(dir.path() + "/broken.zip", "m"), "broken.zip: cannot open as a zip");
  EXPECT_DATASET_ERROR(open_source(dir.path() + "/broken.tar.gz", "m"), "broken.tar.gz");
}

}  // namespace
}  // namespace hpf
