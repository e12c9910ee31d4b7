// Parity with torch: checkpoints written by torch.save (tests/tools/make_checkpoints.py, run with
// $HPF_TEST_PYTHON) must read back with exactly the dtypes, views, storage sharing and values torch.load
// sees.

#include "core/checkpoint/checkpoint_reader.h"
#include "core/checkpoint/raw_dtype.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace hpf {
namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// $name if set, else the value CMake configured (so the test also runs outside ctest).
std::string env_or(const char* name, const char* configured) {
  const char* value = std::getenv(name);
  return value && *value ? value : configured;
}

// Runs make_checkpoints.py for `name` into `dir`; returns "" on success, else why it failed.
std::string make_checkpoint(const std::string& dir, const std::string& name) {
  const std::string python = env_or("HPF_TEST_PYTHON", HPF_CONFIGURED_TEST_PYTHON);
  const std::string tools = env_or("HPF_TEST_TOOLS", HPF_CONFIGURED_TEST_TOOLS);
  const std::string command = shell_quote(python) + " " + shell_quote(tools + "/make_checkpoints.py") + " " +
                              shell_quote(dir) + " " + shell_quote(name) + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return "cannot run " + command;
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  if (status != 0) return command + " failed (status " + std::to_string(status) + "):\n" + output;
  return {};
}

std::vector<int64_t> ints(const QJsonValue& value) {
  std::vector<int64_t> out;
  for (const QJsonValue& v : value.toArray()) out.push_back(v.toInteger());
  return out;
}

// The tensor's elements in row-major order, gathered through its strides, as little-endian bytes.
std::vector<uint8_t> contiguous_bytes(const RawTensor& t) {
  const int64_t itemsize = raw_dtype_itemsize(t.dtype);
  int64_t numel = 1;
  for (int64_t d : t.shape) numel *= d;
  std::vector<uint8_t> out(static_cast<size_t>(numel * itemsize));
  std::vector<int64_t> index(t.shape.size(), 0);
  for (int64_t i = 0; i < numel; ++i) {
    int64_t element = t.storage_offset;
    for (size_t d = 0; d < index.size(); ++d) element += index[d] * t.stride[d];
    std::memcpy(out.data() + i * itemsize, t.storage->data() + element * itemsize,
                static_cast<size_t>(itemsize));
    for (size_t d = index.size(); d-- > 0;) {
      if (++index[d] < t.shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

class TorchCheckpoint : public ::testing::Test {
 protected:
  // Has torch write checkpoint `name`, reads it with read_checkpoint and compares every entry with what
  // torch.load saw. Returns the number of entries compared.
  size_t expect_matches_torch(const std::string& name) {
    const std::string failure = make_checkpoint(dir_.path().toStdString(), name);
    if (!failure.empty()) {
      ADD_FAILURE() << failure;
      return 0;
    }
    QFile json_file(dir_.filePath(QString::fromStdString(name + ".expected.json")));
    QFile bin_file(dir_.filePath(QString::fromStdString(name + ".expected.bin")));
    if (!json_file.open(QIODevice::ReadOnly) || !bin_file.open(QIODevice::ReadOnly)) {
      ADD_FAILURE() << "make_checkpoints.py did not write the expected values of " << name;
      return 0;
    }
    const QJsonArray entries = QJsonDocument::fromJson(json_file.readAll()).object()["entries"].toArray();
    const QByteArray expected_values = bin_file.readAll();

    const RawStateDict state =
        read_checkpoint(dir_.filePath(QString::fromStdString(name + ".pth")).toStdString());
    EXPECT_EQ(state.size(), static_cast<size_t>(entries.size()));
    std::map<int64_t, const RawTensor*> storage_groups;
    for (const QJsonValue& value : entries) {
      const QJsonObject e = value.toObject();
      const std::string key = e["name"].toString().toStdString();
      SCOPED_TRACE(name + ": " + key);
      const auto it = state.find(key);
      if (it == state.end()) {
        ADD_FAILURE() << "entry missing";
        continue;
      }
      const RawTensor& t = it->second;
      EXPECT_EQ(raw_dtype_name(t.dtype), e["dtype"].toString().toStdString());
      EXPECT_EQ(t.shape, ints(e["shape"]));
      EXPECT_EQ(t.stride, ints(e["stride"]));
      EXPECT_EQ(t.storage_offset, e["storage_offset"].toInteger());
      // Entries torch sees sharing one storage share one buffer here, and only those.
      const auto [group, first] = storage_groups.emplace(e["storage_group"].toInteger(), &t);
      if (!first) {
        EXPECT_EQ(group->second->storage, t.storage);
      }
      for (const auto& [other_group, other] : storage_groups) {
        if (other_group != e["storage_group"].toInteger()) {
          EXPECT_NE(other->storage, t.storage);
        }
      }
      const auto begin = e["data_offset"].toInteger();
      const auto nbytes = e["nbytes"].toInteger();
      if (begin + nbytes > expected_values.size()) {
        ADD_FAILURE() << "expected values file is too short";
        continue;
      }
      const std::vector<uint8_t> expected(expected_values.constData() + begin,
                                          expected_values.constData() + begin + nbytes);
      EXPECT_TRUE(contiguous_bytes(t) == expected) << "values differ from torch.load";
    }
    return static_cast<size_t>(entries.size());
  }

  QTemporaryDir dir_;
};

TEST_F(TorchCheckpoint, Float32IncludingEmptyScalarAndSpecialValues) {
  EXPECT_EQ(expect_matches_torch("basic_float32"), 5u);
}

TEST_F(TorchCheckpoint, ModuleStateDictWithMetadataAndNumBatchesTracked) {
  EXPECT_EQ(expect_matches_torch("batchnorm"), 5u);
}

TEST_F(TorchCheckpoint, NonContiguousAndOffsetViewsSharingAStorage) {
  EXPECT_EQ(expect_matches_torch("views"), 7u);
}

TEST_F(TorchCheckpoint, EveryStorageDtype) {
  EXPECT_EQ(expect_matches_torch("dtypes"), 8u);
}

TEST_F(TorchCheckpoint, EmptyMetadata) {
  EXPECT_EQ(expect_matches_torch("empty_metadata"), 1u);
}

TEST_F(TorchCheckpoint, EmptyStateDict) {
  EXPECT_EQ(expect_matches_torch("empty"), 0u);
}

TEST_F(TorchCheckpoint, TorchvisionMobileNetV2) {
  // torchvision's mobilenet_v2 state dict: 262 parameters and BN statistics plus 52 num_batches_tracked.
  EXPECT_EQ(expect_matches_torch("mobilenet_v2"), 314u);
}

}  // namespace
}  // namespace hpf
