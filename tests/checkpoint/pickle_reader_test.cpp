// The state-dict pickle machine on hand-built pickles: what it accepts, and the exact error for each way a
// pickle can be malformed or hostile.

#include "core/checkpoint/pickle_reader.h"
#include "tests/checkpoint/checkpoint_fixture.h"

#include <gtest/gtest.h>

namespace hpf {
namespace {

using test::FixtureTensor;
using test::PickleBuilder;

// The PickleError message for `pickle`, or a test failure if it parses.
std::string error_of(const std::vector<uint8_t>& pickle) {
  try {
    parse_state_dict_pickle(pickle);
  } catch (const PickleError& e) {
    return e.what();
  }
  ADD_FAILURE() << "pickle was accepted";
  return {};
}

// An OrderedDict with one entry `name` whose value the caller pushes via `value`, without _metadata.
template <typename PushValue>
std::vector<uint8_t> one_entry_dict(const std::string& name, PushValue value,
                                    size_t* setitem_offset = nullptr) {
  PickleBuilder b;
  b.proto().ordered_dict().str(name);
  value(b);
  if (setitem_offset) *setitem_offset = b.offset();
  return b.op('s').op('.').data();
}

TEST(PickleReader, ReadsTensorsInFileOrderWithTheirViews) {
  const auto tensors = parse_state_dict_pickle(test::state_dict_pickle({
      {"conv.weight", "FloatStorage", "3", 24, 0, {2, 3, 2, 2}, {12, 4, 2, 1}},
      {"bn.num_batches_tracked", "LongStorage", "0", 1, 0, {}, {}},
      {"a.view", "DoubleStorage", "1", 70000, 66000, {300, 2}, {1, 300}},
  }));
  ASSERT_EQ(tensors.size(), 3u);
  EXPECT_EQ(tensors[0].name, "conv.weight");
  EXPECT_EQ(tensors[0].dtype, RawDType::Float32);
  EXPECT_EQ(tensors[0].storage_key, "3");
  EXPECT_EQ(tensors[0].storage_numel, 24);
  EXPECT_EQ(tensors[0].shape, (std::vector<int64_t>{2, 3, 2, 2}));
  EXPECT_EQ(tensors[0].stride, (std::vector<int64_t>{12, 4, 2, 1}));
  EXPECT_EQ(tensors[1].name, "bn.num_batches_tracked");
  EXPECT_EQ(tensors[1].dtype, RawDType::Int64);
  EXPECT_TRUE(tensors[1].shape.empty());
  EXPECT_EQ(tensors[2].dtype, RawDType::Float64);
  EXPECT_EQ(tensors[2].storage_offset, 66000);                  // BININT (4 bytes)
  EXPECT_EQ(tensors[2].shape, (std::vector<int64_t>{300, 2}));  // BININT2
}

TEST(PickleReader, MapsEveryAllowedStorageTypeToItsDtype) {
  const std::vector<std::pair<std::string, RawDType>> types = {
      {"FloatStorage", RawDType::Float32}, {"DoubleStorage", RawDType::Float64},
      {"HalfStorage", RawDType::Float16},  {"LongStorage", RawDType::Int64},
      {"IntStorage", RawDType::Int32},     {"ShortStorage", RawDType::Int16},
      {"CharStorage", RawDType::Int8},     {"ByteStorage", RawDType::UInt8},
      {"BoolStorage", RawDType::Bool}};
  for (const auto& [type, dtype] : types) {
    const auto tensors = parse_state_dict_pickle(test::state_dict_pickle({{"t", type, "0", 2, 0, {2}, {1}}}));
    ASSERT_EQ(tensors.size(), 1u);
    EXPECT_EQ(tensors[0].dtype, dtype) << type;
  }
}

TEST(PickleReader, DecodesLong1IntegersBeyond32Bits) {
  const int64_t numel = (int64_t{1} << 33) + 3;  // LONG1 of 5 bytes
  const auto tensors = parse_state_dict_pickle(
      test::state_dict_pickle({{"big", "ByteStorage", "0", numel, numel - 1, {1}, {1}}}));
  ASSERT_EQ(tensors.size(), 1u);
  EXPECT_EQ(tensors[0].storage_numel, numel);
  EXPECT_EQ(tensors[0].storage_offset, numel - 1);
}

TEST(PickleReader, RejectsNegativeLong1AsAnOffset) {
  const auto pickle = one_entry_dict(
      "t", [](PickleBuilder& b) { b.tensor("FloatStorage", "0", 4, -(int64_t{1} << 40), {1}, {1}); });
  EXPECT_NE(error_of(pickle).find(
                "tensor storage_offset must be a non-negative int, found an int (-1099511627776)"),
            std::string::npos);
}

TEST(PickleReader, FollowsLongMemoIndices) {
  PickleBuilder b;
  b.proto().ordered_dict().str("x").binput(300).binget(300).op('s').op(
      '.');  // key reused as value: not a tensor
  const size_t setitem = b.offset() - 2;
  EXPECT_EQ(error_of(b.data()),
            "offset " + std::to_string(setitem) + ": state dict entry 'x' is a str 'x', not a tensor");
}

TEST(PickleReader, AcceptsShortBinUnicodeKeys) {
  PickleBuilder b;
  b.proto().op('}').op(0x8c).bytes({2, 'h', 'i'}).tensor("FloatStorage", "0", 1, 0, {}, {}).op('s').op('.');
  const auto tensors = parse_state_dict_pickle(b.data());
  ASSERT_EQ(tensors.size(), 1u);
  EXPECT_EQ(tensors[0].name, "hi");
}

TEST(PickleReader, AcceptsAnEmptyStateDictWithMetadata) {
  PickleBuilder b;
  b.proto().ordered_dict().op('}').str("_metadata").ordered_dict().op('s').op('b').op('.');
  EXPECT_TRUE(parse_state_dict_pickle(b.data()).empty());
}

TEST(PickleReader, NamesAnUnsupportedOpcodeAndItsOffset) {
  PickleBuilder b;
  b.proto().ordered_dict();
  const size_t at = b.offset();
  b.op(0x81).op('.');
  EXPECT_EQ(error_of(b.data()),
            "offset " + std::to_string(at) +
                ": unsupported pickle opcode 0x81 (NEWOBJ); a state dict saved by torch.save "
                "uses only protocol-2 opcodes");
}

TEST(PickleReader, RejectsGlobalsOutsideTheAllowList) {
  for (const auto& [module, name] :
       std::vector<std::pair<std::string, std::string>>{{"os", "system"},
                                                        {"builtins", "eval"},
                                                        {"torch", "BFloat16Storage"},
                                                        {"torch._utils", "_rebuild_parameter"}}) {
    PickleBuilder b;
    b.proto();
    b.global(module, name).op('.');
    EXPECT_EQ(error_of(b.data()),
              "offset 2: global '" + module + " " + name + "' is not allowed in a state dict");
  }
}

TEST(PickleReader, QuotesBinaryGlobalNamesSafely) {
  PickleBuilder b;
  b.proto().global("os\x01", "sys\xff").op('.');
  EXPECT_EQ(error_of(b.data()), "offset 2: global 'os\\x01 sys\\xff' is not allowed in a state dict");
}

TEST(PickleReader, RejectsAGlobalLineWithoutNewline) {
  PickleBuilder b;
  b.proto().op('c').bytes(std::vector<uint8_t>(300, 'a'));
  EXPECT_EQ(error_of(b.data()),
            "offset 2: GLOBAL name is not a newline-terminated line of at most 256 bytes");
}

TEST(PickleReader, ReportsTruncationInsideAnOpcodeArgument) {
  PickleBuilder b;
  b.proto().ordered_dict().op('(');
  const size_t at = b.offset();
  b.str("weight");
  std::vector<uint8_t> cut(b.data().begin(), b.data().begin() + static_cast<std::ptrdiff_t>(at + 3));
  EXPECT_EQ(error_of(cut), "offset " + std::to_string(at) +
                               ": BINUNICODE needs 4 more bytes but only 2 remain (truncated pickle)");
}

TEST(PickleReader, RejectsAStringLongerThanTheDataWithoutAllocatingIt) {
  PickleBuilder b;
  b.proto().op('X').bytes({0xff, 0xff, 0xff, 0xff}).bytes({'a', 'b'});
  EXPECT_EQ(error_of(b.data()),
            "offset 2: BINUNICODE needs 4294967295 more bytes but only 2 remain (truncated pickle)");
}

TEST(PickleReader, ReportsAMissingStop) {
  PickleBuilder b;
  b.proto().ordered_dict();
  EXPECT_EQ(error_of(b.data()), "offset 29: data ends without a STOP opcode (truncated pickle)");
}

TEST(PickleReader, RejectsInvalidUtf8) {
  PickleBuilder b;
  b.proto().op('X').bytes({2, 0, 0, 0, 0xc3, 0x28}).op('.');
  EXPECT_EQ(error_of(b.data()), "offset 2: BINUNICODE string is not valid UTF-8");
}

TEST(PickleReader, RejectsAnUnknownMemoIndex) {
  PickleBuilder b;
  b.proto().binget(9).op('.');
  EXPECT_EQ(error_of(b.data()), "offset 2: memo index 9 was never stored");
}

TEST(PickleReader, RejectsPoppingAnEmptyStackOrBelowAMark) {
  PickleBuilder b;
  b.proto().op('s');
  EXPECT_EQ(error_of(b.data()), "offset 2: SETITEM on an empty stack");

  PickleBuilder below_mark;
  below_mark.proto().op('}').op('(').op('N').op(0x86);  // TUPLE2 would need the dict under the MARK
  EXPECT_EQ(error_of(below_mark.data()), "offset 5: TUPLE2 on an empty stack");

  PickleBuilder no_mark;
  no_mark.proto().op('N').op('t');
  EXPECT_EQ(error_of(no_mark.data()), "offset 3: TUPLE without a preceding MARK");
}

TEST(PickleReader, RejectsLong1WiderThan64Bits) {
  PickleBuilder b;
  b.proto().op(0x8a).bytes({9, 1, 2, 3, 4, 5, 6, 7, 8, 9}).op('.');
  EXPECT_EQ(error_of(b.data()), "offset 2: LONG1 integer of 9 bytes does not fit in 64 bits");
}

TEST(PickleReader, RequiresADictOfTensorsAtTheTop) {
  PickleBuilder list;
  list.proto().op(']').op('.');
  EXPECT_EQ(error_of(list.data()), "offset 3: the pickled object is a list, not a state dict");

  size_t at = 0;
  const auto pickle = one_entry_dict(
      "n", [](PickleBuilder& b) { b.integer(5); }, &at);
  EXPECT_EQ(error_of(pickle),
            "offset " + std::to_string(at) + ": state dict entry 'n' is an int (5), not a tensor");
}

TEST(PickleReader, RejectsADuplicateKey) {
  const auto pickle = test::state_dict_pickle(
      {{"w", "FloatStorage", "0", 4, 0, {4}, {1}}, {"w", "FloatStorage", "1", 4, 0, {4}, {1}}}, false);
  EXPECT_EQ(error_of(pickle),
            "offset " + std::to_string(pickle.size() - 2) + ": state dict key 'w' appears twice");
}

TEST(PickleReader, RejectsOneStorageDeclaredWithTwoSizes) {
  const auto pickle = test::state_dict_pickle(
      {{"a", "FloatStorage", "0", 4, 0, {4}, {1}}, {"b", "FloatStorage", "0", 8, 0, {4}, {1}}}, false);
  EXPECT_EQ(error_of(pickle), "offset " + std::to_string(pickle.size() - 2) +
                                  ": storage '0' is declared both as float32 x 4 and as float32 x 8");
}

TEST(PickleReader, RejectsAViewReachingPastItsStorage) {
  const auto pickle = test::state_dict_pickle({{"w", "FloatStorage", "0", 12, 2, {3, 4}, {4, 1}}}, false);
  EXPECT_EQ(error_of(pickle),
            "offset " + std::to_string(pickle.size() - 2) +
                ": tensor 'w' (storage offset 2, shape [3, 4], stride [4, 1]) needs 14 elements "
                "but its storage data/0 has 12");
}

TEST(PickleReader, AcceptsEmptyAndBroadcastViewsInsideTheirStorage) {
  const auto tensors = parse_state_dict_pickle(test::state_dict_pickle({
      {"empty_at_end", "FloatStorage", "0", 4, 4, {0, 3}, {3, 1}},
      {"expanded", "FloatStorage", "1", 3, 0, {1000, 3}, {0, 1}},
      {"scalar_last", "FloatStorage", "2", 3, 2, {}, {}},
  }));
  EXPECT_EQ(tensors.size(), 3u);

  const auto past_end = test::state_dict_pickle({{"e", "FloatStorage", "0", 4, 5, {0}, {1}}}, false);
  EXPECT_NE(error_of(past_end).find("needs 5 elements but its storage data/0 has 4"), std::string::npos);
  const auto scalar_past_end = test::state_dict_pickle({{"s", "FloatStorage", "0", 3, 3, {}, {}}}, false);
  EXPECT_NE(error_of(scalar_past_end).find("needs 4 elements but its storage data/0 has 3"),
            std::string::npos);
}

TEST(PickleReader, RejectsAViewWhoseExtentOverflows) {
  const int64_t huge = int64_t{1} << 62;
  const auto pickle = test::state_dict_pickle({{"w", "ByteStorage", "0", 8, 0, {4, 4}, {huge, huge}}}, false);
  EXPECT_NE(error_of(pickle).find("stride [4611686018427387904, 4611686018427387904]) is too large"),
            std::string::npos);
}

TEST(PickleReader, RejectsMismatchedSizeAndStrideLengths) {
  const auto pickle = one_entry_dict("w", [](PickleBuilder& b) {
    b.tensor("FloatStorage", "0", 4, 0, {2, 2}, {1});
  });
  EXPECT_NE(error_of(pickle).find("_rebuild_tensor_v2 size [2, 2] and stride [1] have different lengths"),
            std::string::npos);
}

TEST(PickleReader, RejectsCallingAStorageType) {
  PickleBuilder b;
  b.proto().global("torch", "FloatStorage").op(')');
  const size_t at = b.offset();
  b.op('R').op('.');
  EXPECT_EQ(error_of(b.data()),
            "offset " + std::to_string(at) +
                ": 'torch FloatStorage' can only appear in a storage's persistent id, not be "
                "called");
}

TEST(PickleReader, RejectsAForeignPersistentId) {
  PickleBuilder b;
  b.proto().str("os.system").op('Q').op('.');
  EXPECT_EQ(
      error_of(b.data()),
      "offset 16: persistent id must be ('storage', type, key, location, numel), found a str 'os.system'");
}

TEST(PickleReader, RejectsBuildOnAnythingButAnOrderedDict) {
  PickleBuilder b;
  b.proto().op('}').op('}').op('b').op('.');
  EXPECT_EQ(error_of(b.data()), "offset 4: BUILD is only supported on an OrderedDict, not on a dict");
}

TEST(PickleReader, RejectsBackwardHooks) {
  const auto pickle = one_entry_dict("w", [](PickleBuilder& b) {
    b.global("torch._utils", "_rebuild_tensor_v2").op('(');
    b.op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(1).op('t').op('Q');
    b.integer(0).int_tuple({1}).int_tuple({1}).op(0x89).ordered_dict().integer(1).integer(2).op('s');
    b.op('t').op('R');
  });
  EXPECT_NE(error_of(pickle).find("backward_hooks must be an empty OrderedDict, found a dict with entries"),
            std::string::npos);
}

// Hostile input must end in a PickleError, never a crash, a hang or another exception: truncate a valid
// pickle at every length, and overwrite every byte with a selection of values.
TEST(PickleReader, EveryTruncationOrByteCorruptionFailsCleanly) {
  const auto valid = test::state_dict_pickle(
      {{"w", "FloatStorage", "0", 6, 0, {2, 3}, {3, 1}}, {"n", "LongStorage", "1", 1, 0, {}, {}}});
  ASSERT_EQ(parse_state_dict_pickle(valid).size(), 2u);
  for (size_t length = 0; length < valid.size(); ++length) {
    const std::vector<uint8_t> cut(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(length));
    EXPECT_THROW(parse_state_dict_pickle(cut), PickleError) << "length " << length;
  }
  size_t rejected = 0;  // any exception other than PickleError escapes and fails the test
  for (size_t i = 0; i < valid.size(); ++i) {
    for (int value : {0x00, 0x01, 0x28, 0x2e, 0x4b, 0x51, 0x52, 0x68, 0x71, 0x73, 0x75, 0x7f, 0x80, 0xff}) {
      std::vector<uint8_t> corrupt = valid;
      corrupt[i] = static_cast<uint8_t>(value);
      try {
        parse_state_dict_pickle(corrupt);  // some corruptions stay valid, e.g. a changed letter in a key
      } catch (const PickleError&) {
        ++rejected;
      }
    }
  }
  EXPECT_GT(rejected, valid.size()) << "most corruptions of opcodes and lengths must be rejected";
}

}  // namespace
}  // namespace hpf
