#include "datasets/source.h"

#include <map>

#include "datasets/tar_source.h"
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
  dir.write("tree/car(G)/big.png", std::string(200000, 'p'));  // read on demand from a tar
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
    EXPECT_EQ(text_of(source->read("car(G)/big.png")), std::string(200000, 'p'));  // again, in either order
    EXPECT_TRUE(source->exists("./car(G)/a.bin"));
    EXPECT_FALSE(source->exists("car(G)/none.png"));
    EXPECT_EQ(source->location("x.png"), dir.path() + archive + ":PF-WILLOW/x.png");
    EXPECT_DATASET_ERROR(source->read("car(G)/none.png"), dir.path() + archive + ":PF-WILLOW/car(G)/none.png",
                         "no such member");
    EXPECT_DATASET_ERROR(source->read("../outside.txt"), "'..'");
  }
}

// Members in archive order: m, a.png, b.png, c.png.
void write_ordered_tar(const std::string& path, const std::string& suffix) {
  test::make_tar_gz_members(path, {{"D/marker.txt", "m"},
                                   {"D/a.png", "AAAA" + suffix},
                                   {"D/b.png", std::string(70000, 'b') + suffix},
                                   {"D/c.png", "CC" + suffix}});
}

TEST(DatasetsSource, TarReadsInAnyOrderByRescanning) {
  test::TempDir dir;
  const std::string archive = dir.path() + "/d.tar.gz";
  write_ordered_tar(archive, "");
  const TarSource source(archive, "marker.txt", /*on_demand_cache_bytes=*/0);
  const std::map<std::string, std::string> expected = {
      {"a.png", "AAAA"}, {"b.png", std::string(70000, 'b')}, {"c.png", "CC"}};
  for (const std::string name : {"c.png", "a.png", "b.png", "a.png", "c.png", "c.png"}) {
    EXPECT_EQ(text_of(source.read(name)), expected.at(name)) << name;
  }
  // Nothing is cached with a zero budget, so a replaced archive is noticed on the next read.
  test::make_tar_gz_members(archive, {{"D/marker.txt", "m"}});
  EXPECT_DATASET_ERROR(source.read("a.png"), archive + ":D/a.png",
                       "archive changed or damaged since it was indexed");
}

TEST(DatasetsSource, TarKeepsMembersItScansPast) {
  test::TempDir dir;
  const std::string archive = dir.path() + "/d.tar.gz";
  write_ordered_tar(archive, "");
  const TarSource source(archive, "marker.txt");
  EXPECT_EQ(text_of(source.read("c.png")), "CC");  // scans past a.png and b.png
  // Same member sizes, different bytes: visible (or an error) if anything were re-read instead of kept.
  test::make_tar_gz_members(archive, {{"D/marker.txt", "z"},
                                      {"D/a.png", "ZZZZ"},
                                      {"D/b.png", std::string(70000, 'z')},
                                      {"D/c.png", "ZZ"}});
  EXPECT_EQ(text_of(source.read("a.png")), "AAAA");
  EXPECT_EQ(text_of(source.read("b.png")), std::string(70000, 'b'));
  EXPECT_EQ(text_of(source.read("c.png")), "CC");
  EXPECT_EQ(text_of(source.read("marker.txt")), "m");  // annotation-like: cached by the index pass
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
