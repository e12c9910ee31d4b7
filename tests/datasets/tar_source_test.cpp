// TarSource on archives made with `tar -C dir .`, whose first entry is "./" (regression: that entry shifted
// the ordinal -> name table, so members scanned past were never kept and every miss rescanned the archive).

#include "datasets/tar_source.h"
#include "tests/datasets/fixtures.h"

namespace hpf {
namespace {

std::string text_of(const std::vector<uint8_t>& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// Same sizes, different bytes: a re-read member would show the new content (reads take the indexed size).
void write_dot_tar(const std::string& path, const std::string& a, const std::string& b) {
  test::make_tar_gz_members(path, {{"./", ""}, {"./marker.txt", "m"}, {"./a.png", a}, {"./b.png", b}});
}

TEST(DatasetsTarSource, KeepsMembersItScansPastAfterADotEntry) {
  test::TempDir dir;
  const std::string archive = dir.path() + "/d.tar.gz";
  write_dot_tar(archive, "AAAA", "BB");
  const TarSource source(archive, "marker.txt");
  EXPECT_EQ(text_of(source.read("b.png")), "BB");  // scans past a.png
  write_dot_tar(archive, "aaaa", "bb");            // would be visible if a.png were re-read
  EXPECT_EQ(text_of(source.read("a.png")), "AAAA");
  EXPECT_EQ(text_of(source.read("b.png")), "BB");
}

}  // namespace
}  // namespace hpf
