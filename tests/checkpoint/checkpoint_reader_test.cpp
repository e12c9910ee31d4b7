// read_checkpoint on zip archives the test writes itself: a valid one read back exactly, and one broken file
// per failure mode, each with its exact message.

#include "core/checkpoint/checkpoint_reader.h"
#include "tests/checkpoint/checkpoint_fixture.h"

#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

namespace hpf {
namespace {

using test::FixtureTensor;
using test::float_bytes;

class CheckpointReader : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.isValid()); }

  std::string path(const std::string& name) const {
    return dir_.filePath(QString::fromStdString(name)).toStdString();
  }

  // The CheckpointError message for `file`, or a test failure if it reads.
  static std::string error_of(const std::string& file) {
    try {
      read_checkpoint(file);
    } catch (const CheckpointError& e) {
      return e.what();
    }
    ADD_FAILURE() << file << " was accepted";
    return {};
  }

  // A checkpoint laid out as torch.save does, under folder `folder`.
  std::string write_checkpoint(const std::string& name, const std::vector<uint8_t>& pickle,
                               const test::ZipRecordList& storages, const std::string& folder = "archive") {
    test::ZipRecordList records = {{folder + "/data.pkl", pickle}};
    for (const auto& [key, bytes] : storages) records.push_back({folder + "/data/" + key, bytes});
    records.push_back({folder + "/version", {'3', '\n'}});
    const std::string file = path(name);
    test::write_zip(file, records);
    return file;
  }

  QTemporaryDir dir_;
};

template <typename T>
std::vector<uint8_t> le_bytes(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

TEST_F(CheckpointReader, ReadsViewsDtypesAndSharedStorages) {
  const std::vector<float> weights = {-1.5f, 0.25f, 3.0f, 1e-8f,  7.0f,  -0.0f,
                                      2.5f,  9.0f,  4.0f, -3.25f, 1e30f, 6.0f};
  const std::vector<int64_t> counter = {(int64_t{1} << 40) + 5};
  const std::vector<double> doubles = {0.1, -2.0};
  const std::string file = write_checkpoint(
      "model.pth",
      test::state_dict_pickle({
          {"w", "FloatStorage", "0", 12, 0, {3, 4}, {4, 1}},
          {"w_t", "FloatStorage", "0", 12, 0, {4, 3}, {1, 4}},
          {"row", "FloatStorage", "0", 12, 4, {4}, {1}},
          {"bn.num_batches_tracked", "LongStorage", "1", 1, 0, {}, {}},
          {"d", "DoubleStorage", "2", 2, 1, {1}, {1}},
      }),
      {{"0", float_bytes(weights)}, {"1", le_bytes(counter)}, {"2", le_bytes(doubles)}}, "mnv2_coral");

  const RawStateDict state = read_checkpoint(file);
  ASSERT_EQ(state.size(), 5u);
  const RawTensor& w = state.at("w");
  EXPECT_EQ(w.dtype, RawDType::Float32);
  EXPECT_EQ(w.shape, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(w.stride, (std::vector<int64_t>{4, 1}));
  EXPECT_EQ(w.storage_offset, 0);
  ASSERT_TRUE(w.storage);
  EXPECT_EQ(*w.storage, float_bytes(weights));
  EXPECT_EQ(state.at("w_t").storage, w.storage) << "views of one storage must share its bytes";
  EXPECT_EQ(state.at("w_t").stride, (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(state.at("row").storage_offset, 4);
  EXPECT_EQ(state.at("row").storage, w.storage);

  const RawTensor& n = state.at("bn.num_batches_tracked");
  EXPECT_EQ(n.dtype, RawDType::Int64);
  EXPECT_TRUE(n.shape.empty());
  EXPECT_EQ(*n.storage, le_bytes(counter));
  EXPECT_NE(n.storage, w.storage);
  EXPECT_EQ(state.at("d").dtype, RawDType::Float64);
  EXPECT_EQ(*state.at("d").storage, le_bytes(doubles));
}

TEST_F(CheckpointReader, ReadsAnEmptyStateDict) {
  const std::string file = write_checkpoint("empty.pth", test::state_dict_pickle({}), {});
  EXPECT_TRUE(read_checkpoint(file).empty());
}

TEST_F(CheckpointReader, AcceptsALittleEndianByteOrderRecord) {
  const std::string file = path("little.pth");
  test::write_zip(file, {{"a/data.pkl", test::state_dict_pickle({{"w", "FloatStorage", "0", 1, 0, {}, {}}})},
                         {"a/byteorder", {'l', 'i', 't', 't', 'l', 'e'}},
                         {"a/data/0", float_bytes({4.5f})}});
  EXPECT_EQ(*read_checkpoint(file).at("w").storage, float_bytes({4.5f}));
}

TEST_F(CheckpointReader, RejectsARenamedTextFile) {
  const std::string file = path("notes.pth");
  test::write_file(file, {'h', 'e', 'l', 'l', 'o', '\n'});
  EXPECT_EQ(error_of(file),
            file + ": not a zip archive (a PyTorch checkpoint saved with torch.save is a zip file)");
}

TEST_F(CheckpointReader, RejectsAMissingAnEmptyOrADirectoryPath) {
  const std::string missing = path("missing.pth");
  EXPECT_EQ(error_of(missing), missing + ": cannot open file (No such file or directory)");
  const std::string empty = path("empty.pth");
  test::write_file(empty, {});
  EXPECT_EQ(error_of(empty),
            empty + ": file is empty (a PyTorch checkpoint saved with torch.save is a zip file)");
  const std::string folder = dir_.path().toStdString();
  EXPECT_EQ(error_of(folder), folder + ": is a directory, not a checkpoint file");
}

TEST_F(CheckpointReader, RejectsTheLegacyPickleFormat) {
  // torch < 1.6 started the file with a pickled magic number: PROTO 2, LONG1 0x1950a86a20f9469cfc6c.
  const std::string file = path("legacy.pth");
  test::write_file(
      file, {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e});
  EXPECT_EQ(error_of(file),
            file +
                ": legacy (pre-1.6, non-zip) PyTorch checkpoint format not supported; re-save with "
                "torch>=1.6, e.g. torch.save(torch.load(f), f)");
}

TEST_F(CheckpointReader, RejectsAZipWithoutDataPkl) {
  const std::string file = path("photos.pth");
  test::write_zip(file, {{"photos/cat.jpg", {1, 2, 3}}, {"data.pkl", {0x80, 2, '.'}}});
  EXPECT_EQ(error_of(file),
            file + ": no data.pkl in archive (torch.save writes <folder>/data.pkl; is this a checkpoint?)");
}

TEST_F(CheckpointReader, RejectsTwoDataPklRecords) {
  const std::string file = path("two.pth");
  const auto pickle = test::state_dict_pickle({});
  test::write_zip(file, {{"a/data.pkl", pickle}, {"b/data.pkl", pickle}});
  EXPECT_EQ(error_of(file),
            file + ": archive has 2 data.pkl records (a/data.pkl, b/data.pkl); a checkpoint has one");
}

TEST_F(CheckpointReader, RejectsATruncatedDataPkl) {
  test::PickleBuilder b;
  b.proto().ordered_dict().op('(');
  const size_t at = b.offset();
  b.str("features.0.weight");
  const std::vector<uint8_t> cut(b.data().begin(), b.data().begin() + static_cast<std::ptrdiff_t>(at + 9));
  const std::string file = write_checkpoint("cut.pth", cut, {});
  EXPECT_EQ(error_of(file), file + ": data.pkl offset " + std::to_string(at) +
                                ": BINUNICODE needs 17 more bytes but only 4 remain (truncated pickle)");
}

TEST_F(CheckpointReader, RejectsAnUnsupportedOpcode) {
  test::PickleBuilder b;
  b.proto().ordered_dict().global("collections", "OrderedDict").op(')');
  const size_t at = b.offset();
  b.op(0x81).op('.');
  const std::string file = write_checkpoint("newobj.pth", b.data(), {});
  EXPECT_EQ(error_of(file),
            file + ": data.pkl offset " + std::to_string(at) +
                ": unsupported pickle opcode 0x81 (NEWOBJ); a state dict saved by torch.save uses "
                "only protocol-2 opcodes");
}

TEST_F(CheckpointReader, RejectsAForbiddenGlobal) {
  test::PickleBuilder b;
  b.proto().global("os", "system").str("echo owned").op(0x85).op('R').op('.');
  const std::string file = write_checkpoint("evil.pth", b.data(), {});
  EXPECT_EQ(error_of(file), file + ": data.pkl offset 2: global 'os system' is not allowed in a state dict");
}

TEST_F(CheckpointReader, RejectsAStorageShorterThanDeclared) {
  const std::string file =
      write_checkpoint("short.pth", test::state_dict_pickle({{"w", "FloatStorage", "7", 100, 0, {100}, {1}}}),
                       {{"7", std::vector<uint8_t>(100, 0)}});
  EXPECT_EQ(error_of(file), file + ": storage data/7 has 100 bytes, expected 400 (100 elements of float32)");
}

TEST_F(CheckpointReader, RejectsAMissingStorageRecord) {
  const std::string file =
      write_checkpoint("nodata.pth", test::state_dict_pickle({{"w", "FloatStorage", "3", 1, 0, {}, {}}}), {});
  EXPECT_EQ(error_of(file), file + ": storage data/3 is missing from the archive");
}

TEST_F(CheckpointReader, RejectsATensorViewOutsideItsStorage) {
  const auto pickle =
      test::state_dict_pickle({{"fc.weight", "FloatStorage", "0", 6, 1, {2, 3}, {3, 1}}}, false);
  const std::string file = write_checkpoint("view.pth", pickle, {{"0", float_bytes({1, 2, 3, 4, 5, 6})}});
  EXPECT_EQ(error_of(file),
            file + ": data.pkl offset " + std::to_string(pickle.size() - 2) +
                ": tensor 'fc.weight' (storage offset 1, shape [2, 3], stride [3, 1]) needs 7 "
                "elements but its storage data/0 has 6");
}

TEST_F(CheckpointReader, RejectsATruncatedZipFile) {
  const std::string good =
      write_checkpoint("good.pth", test::state_dict_pickle({{"w", "FloatStorage", "0", 256, 0, {256}, {1}}}),
                       {{"0", float_bytes(std::vector<float>(256, 1.0f))}});
  ASSERT_EQ(read_checkpoint(good).size(), 1u);
  std::vector<uint8_t> bytes = test::read_file(good);
  bytes.resize(bytes.size() * 6 / 10);
  const std::string file = path("truncated.pth");
  test::write_file(file, bytes);
  const std::string expected =
      file + ": zip archive is truncated or corrupt (its central directory cannot be read";
  EXPECT_EQ(error_of(file).substr(0, expected.size()), expected);
}

TEST_F(CheckpointReader, RejectsAStorageThatFailsItsCrc) {
  const std::vector<float> values(64, 2.0f);
  const std::string file =
      write_checkpoint("crc.pth", test::state_dict_pickle({{"w", "FloatStorage", "0", 64, 0, {64}, {1}}}),
                       {{"0", float_bytes(values)}});
  std::vector<uint8_t> bytes = test::read_file(file);
  const std::vector<uint8_t> needle = float_bytes(values);
  const auto at = std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end());
  ASSERT_NE(at, bytes.end());
  *(at + 10) ^= 0x40;  // flip a bit inside the stored storage bytes
  test::write_file(file, bytes);
  const std::string expected = file + ": record archive/data/0 fails its CRC check (corrupt archive";
  EXPECT_EQ(error_of(file).substr(0, expected.size()), expected);
}

TEST_F(CheckpointReader, RejectsABigEndianCheckpoint) {
  const std::string file = path("big.pth");
  test::write_zip(file, {{"a/data.pkl", test::state_dict_pickle({})}, {"a/byteorder", {'b', 'i', 'g'}}});
  EXPECT_EQ(error_of(file),
            file + ": byteorder record says 'big'; only little-endian checkpoints are supported");
}

}  // namespace
}  // namespace hpf
