#include "core/checkpoint/pickle_reader.h"

#include "core/checkpoint/pickle_opcodes.h"
#include "core/checkpoint/raw_dtype.h"

#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <utility>

namespace hpf {

PickleError::PickleError(uint64_t offset, const std::string& detail)
    : std::runtime_error("offset " + std::to_string(offset) + ": " + detail), offset_(offset) {}

namespace {

// A ResNet-101 state dict pickles to ~10k objects; these caps only stop hostile files from exhausting memory.
constexpr size_t kMaxObjects = size_t{1} << 20;  // values created, memo entries, stack depth, open marks each
constexpr size_t kMaxGlobalLineLength = 256;     // "module\n" or "name\n" of a GLOBAL opcode

enum class Kind { None, Bool, Int, Float, String, Tuple, List, Dict, Global, Storage, Tensor };
enum class Callable { OrderedDict, RebuildTensorV2, StorageType };

struct Value;

struct DictEntry {
  Value* key;
  Value* value;
  uint64_t offset;  // of the SETITEM(S) that stored it, for error messages about the entry
};

// One unpickled object. Objects live in the unpickler's arena and refer to each other by raw pointer, so a
// pickle that makes a container hold itself cannot leak or recurse.
struct Value {
  explicit Value(Kind k) : kind(k) {}
  Kind kind;
  int64_t integer = 0;             // Int, Bool
  double real = 0;                 // Float
  std::string text;                // String; Global: "module name"; Storage: its key
  std::vector<Value*> items;       // Tuple, List
  std::vector<DictEntry> entries;  // Dict
  bool is_ordered_dict = false;    // Dict made by collections.OrderedDict (the only BUILD target allowed)
  Callable callable = Callable::OrderedDict;  // Global
  RawDType dtype = RawDType::Float32;         // Global (StorageType), Storage, Tensor
  int64_t storage_numel = 0;                  // Storage
  Value* storage = nullptr;                   // Tensor
  int64_t storage_offset = 0;                 // Tensor
  std::vector<int64_t> shape, stride;         // Tensor
};

// Bytes of an untrusted string made safe to quote in a message (non-printable bytes become \xNN).
std::string printable(const std::string& s, size_t max_length = 80) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < max_length; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (s.size() > max_length) out += "...";
  return out;
}

std::string hex_byte(uint8_t b) {
  static const char* hex = "0123456789abcdef";
  return std::string("0x") + hex[b >> 4] + hex[b & 15];
}

std::string join(const std::vector<int64_t>& v) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << ']';
  return os.str();
}

bool is_valid_utf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    const uint8_t c = p[i];
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    static const uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

// "an int (5)", "a str 'abc'", ...: how an unexpected value is named in an error message.
std::string describe(const Value* v) {
  switch (v->kind) {
    case Kind::None:
      return "None";
    case Kind::Bool:
      return "a bool";
    case Kind::Int:
      return "an int (" + std::to_string(v->integer) + ")";
    case Kind::Float:
      return "a float";
    case Kind::String:
      return "a str '" + printable(v->text) + "'";
    case Kind::Tuple:
      return "a tuple of " + std::to_string(v->items.size()) + " items";
    case Kind::List:
      return "a list";
    case Kind::Dict:
      return "a dict";
    case Kind::Global:
      return "the global '" + v->text + "'";
    case Kind::Storage:
      return "a storage";
    case Kind::Tensor:
      return "a tensor";
  }
  return "a value";
}

// Maps the allow-listed "torch <X>Storage" globals to their element type.
bool storage_dtype(const std::string& name, RawDType* dtype) {
  static const std::map<std::string, RawDType> kStorages = {
      {"FloatStorage", RawDType::Float32}, {"DoubleStorage", RawDType::Float64},
      {"HalfStorage", RawDType::Float16},  {"LongStorage", RawDType::Int64},
      {"IntStorage", RawDType::Int32},     {"ShortStorage", RawDType::Int16},
      {"CharStorage", RawDType::Int8},     {"ByteStorage", RawDType::UInt8},
      {"BoolStorage", RawDType::Bool},
  };
  const auto it = kStorages.find(name);
  if (it == kStorages.end()) return false;
  *dtype = it->second;
  return true;
}

class StateDictUnpickler {
 public:
  explicit StateDictUnpickler(const std::vector<uint8_t>& bytes) : data_(bytes.data()), size_(bytes.size()) {}

  std::vector<PickledTensor> run() {
    for (;;) {
      op_offset_ = pos_;
      if (pos_ >= size_) fail("data ends without a STOP opcode (truncated pickle)");
      op_ = data_[pos_++];
      if (op_ == pickle_op::kStop) return to_state_dict(pop());
      execute();
    }
  }

 private:
  [[noreturn]] void fail(const std::string& detail) const { throw PickleError(op_offset_, detail); }

  std::string op_name() const { return pickle_op::pickle_opcode_name(op_); }

  // Returns the next `n` argument bytes of the current opcode, or fails if the data ends first.
  const uint8_t* take(uint64_t n) {
    if (n > size_ - pos_) {
      fail(op_name() + " needs " + std::to_string(n) + " more bytes but only " +
           std::to_string(size_ - pos_) + " remain (truncated pickle)");
    }
    const uint8_t* p = data_ + pos_;
    pos_ += static_cast<size_t>(n);
    return p;
  }
  uint32_t read_u8() { return *take(1); }
  uint32_t read_u16() {
    const uint8_t* p = take(2);
    return p[0] | (uint32_t{p[1]} << 8);
  }
  uint32_t read_u32() {
    const uint8_t* p = take(4);
    return p[0] | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
  }

  Value* make(Kind kind) {
    if (arena_.size() >= kMaxObjects) fail("more than " + std::to_string(kMaxObjects) + " objects");
    arena_.push_back(std::make_unique<Value>(kind));
    return arena_.back().get();
  }
  Value* make_int(int64_t i) {
    Value* v = make(Kind::Int);
    v->integer = i;
    return v;
  }

  // The stack below the innermost open MARK belongs to an enclosing container and cannot be popped.
  size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }
  void push(Value* v) {
    if (stack_.size() >= kMaxObjects) fail("pickle stack deeper than " + std::to_string(kMaxObjects));
    stack_.push_back(v);
  }
  Value* pop() {
    if (stack_.size() <= fence()) fail(op_name() + " on an empty stack");
    Value* v = stack_.back();
    stack_.pop_back();
    return v;
  }
  Value* top() {
    if (stack_.size() <= fence()) fail(op_name() + " on an empty stack");
    return stack_.back();
  }
  std::vector<Value*> pop_to_mark() {
    if (marks_.empty()) fail(op_name() + " without a preceding MARK");
    const size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<Value*> items(stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
    stack_.resize(mark);
    return items;
  }
  Value* make_tuple(std::vector<Value*> items) {
    Value* t = make(Kind::Tuple);
    t->items = std::move(items);
    return t;
  }

  std::string read_line() {
    const size_t limit = std::min(size_ - pos_, kMaxGlobalLineLength + 1);
    const void* nl = std::memchr(data_ + pos_, '\n', limit);
    if (nl == nullptr) fail("GLOBAL name is not a newline-terminated line of at most 256 bytes");
    const size_t length = static_cast<size_t>(static_cast<const uint8_t*>(nl) - (data_ + pos_));
    std::string line(reinterpret_cast<const char*>(data_ + pos_), length);
    pos_ += length + 1;
    return line;
  }

  std::string read_string(uint64_t length) {
    const uint8_t* p = take(length);
    if (!is_valid_utf8(p, static_cast<size_t>(length))) fail(op_name() + " string is not valid UTF-8");
    return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(length));
  }

  void execute() {
    namespace op = pickle_op;
    switch (op_) {
      case op::kProto: {
        const uint32_t version = read_u8();
        if (version > 5) fail("pickle protocol " + std::to_string(version) + " is newer than 5");
        return;
      }
      case op::kMark:
        if (marks_.size() >= kMaxObjects) fail("more than " + std::to_string(kMaxObjects) + " open MARKs");
        marks_.push_back(stack_.size());
        return;
      case op::kNone:
        return push(make(Kind::None));
      case op::kNewTrue:
      case op::kNewFalse: {
        Value* b = make(Kind::Bool);
        b->integer = op_ == op::kNewTrue;
        return push(b);
      }
      case op::kBinInt:
        return push(make_int(static_cast<int32_t>(read_u32())));
      case op::kBinInt1:
        return push(make_int(read_u8()));
      case op::kBinInt2:
        return push(make_int(read_u16()));
      case op::kLong1:
        return push(make_int(read_long1()));
      case op::kBinFloat: {
        const uint8_t* p = take(8);
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];  // big-endian, unlike every other field
        Value* f = make(Kind::Float);
        std::memcpy(&f->real, &bits, sizeof bits);
        return push(f);
      }
      case op::kBinUnicode:
      case op::kShortBinUnicode: {
        const uint32_t length = op_ == op::kBinUnicode ? read_u32() : read_u8();
        Value* s = make(Kind::String);
        s->text = read_string(length);
        return push(s);
      }
      case op::kEmptyTuple:
        return push(make(Kind::Tuple));
      case op::kEmptyList:
        return push(make(Kind::List));
      case op::kEmptyDict:
        return push(make(Kind::Dict));
      case op::kTuple:
        return push(make_tuple(pop_to_mark()));
      case op::kTuple1:
      case op::kTuple2:
      case op::kTuple3: {
        std::vector<Value*> items(static_cast<size_t>(op_ - op::kTuple1 + 1));
        for (auto it = items.rbegin(); it != items.rend(); ++it) *it = pop();
        return push(make_tuple(std::move(items)));
      }
      case op::kBinPut:
        return memo_put(read_u8());
      case op::kLongBinPut:
        return memo_put(read_u32());
      case op::kBinGet:
        return memo_get(read_u8());
      case op::kLongBinGet:
        return memo_get(read_u32());
      case op::kGlobal:
        return push(global());
      case op::kReduce: {
        Value* args = pop();
        Value* callable = pop();
        return push(reduce(callable, args));
      }
      case op::kBinPersId:
        return push(persistent_storage(pop()));
      case op::kBuild: {
        Value* state = pop();
        Value* target = top();
        // OrderedDict.__reduce__ carries the instance __dict__ (torch's _metadata) as BUILD state: not
        // needed.
        if (target->kind != Kind::Dict || !target->is_ordered_dict) {
          fail("BUILD is only supported on an OrderedDict, not on " + describe(target));
        }
        if (state->kind != Kind::Dict && state->kind != Kind::None) {
          fail("BUILD state of an OrderedDict must be a dict, not " + describe(state));
        }
        return;
      }
      case op::kSetItem: {
        Value* value = pop();
        Value* key = pop();
        return set_items(top(), {key, value});
      }
      case op::kSetItems: {
        std::vector<Value*> items = pop_to_mark();
        if (items.size() % 2 != 0) fail("SETITEMS with an odd number of stack items");
        return set_items(top(), items);
      }
      case op::kAppend: {
        Value* item = pop();
        return append(top(), {item});
      }
      case op::kAppends: {
        std::vector<Value*> items = pop_to_mark();
        return append(top(), items);
      }
      default:
        fail("unsupported pickle opcode " + hex_byte(op_) + " (" + op_name() +
             "); a state dict saved by torch.save uses only protocol-2 opcodes");
    }
  }

  int64_t read_long1() {
    const uint32_t n = read_u8();
    if (n > 8) fail("LONG1 integer of " + std::to_string(n) + " bytes does not fit in 64 bits");
    const uint8_t* p = take(n);
    uint64_t bits = 0;
    for (uint32_t i = 0; i < n; ++i) bits |= uint64_t{p[i]} << (8 * i);
    if (n > 0 && n < 8 && (p[n - 1] & 0x80)) bits |= ~uint64_t{0} << (8 * n);  // two's complement sign
    int64_t value = 0;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }

  void memo_put(uint32_t index) {
    Value* v = top();
    if (memo_.size() >= kMaxObjects && memo_.count(index) == 0) {
      fail("more than " + std::to_string(kMaxObjects) + " memo entries");
    }
    memo_[index] = v;
  }
  void memo_get(uint32_t index) {
    const auto it = memo_.find(index);
    if (it == memo_.end()) fail("memo index " + std::to_string(index) + " was never stored");
    push(it->second);
  }

  Value* global() {
    const std::string module = read_line();
    const std::string name = read_line();
    Value* g = make(Kind::Global);
    g->text = module + " " + name;
    if (module == "collections" && name == "OrderedDict") {
      g->callable = Callable::OrderedDict;
    } else if (module == "torch._utils" && name == "_rebuild_tensor_v2") {
      g->callable = Callable::RebuildTensorV2;
    } else if (module == "torch" && storage_dtype(name, &g->dtype)) {
      g->callable = Callable::StorageType;
    } else {
      fail("global '" + printable(g->text) + "' is not allowed in a state dict");
    }
    return g;
  }

  Value* reduce(Value* callable, Value* args) {
    if (callable->kind != Kind::Global) fail("REDUCE needs a callable global, found " + describe(callable));
    if (args->kind != Kind::Tuple) fail("REDUCE arguments must be a tuple, found " + describe(args));
    switch (callable->callable) {
      case Callable::OrderedDict: {
        if (!args->items.empty()) fail("OrderedDict() must be called without arguments in a state dict");
        Value* d = make(Kind::Dict);
        d->is_ordered_dict = true;
        return d;
      }
      case Callable::RebuildTensorV2:
        return rebuild_tensor(args->items);
      case Callable::StorageType:
        break;
    }
    fail("'" + callable->text + "' can only appear in a storage's persistent id, not be called");
  }

  // torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks
  // [, metadata]).
  Value* rebuild_tensor(const std::vector<Value*>& a) {
    if (a.size() != 6 && a.size() != 7) {
      fail("_rebuild_tensor_v2 takes 6 or 7 arguments, found " + std::to_string(a.size()));
    }
    if (a[0]->kind != Kind::Storage)
      fail("_rebuild_tensor_v2 argument 1 must be a storage, found " + describe(a[0]));
    Value* t = make(Kind::Tensor);
    t->storage = a[0];
    t->dtype = a[0]->dtype;
    t->storage_offset = non_negative_int(a[1], "storage_offset");
    t->shape = int_tuple(a[2], "size");
    t->stride = int_tuple(a[3], "stride");
    if (t->shape.size() != t->stride.size()) {
      fail("_rebuild_tensor_v2 size " + join(t->shape) + " and stride " + join(t->stride) +
           " have different lengths");
    }
    if (a[4]->kind != Kind::Bool)
      fail("_rebuild_tensor_v2 requires_grad must be a bool, found " + describe(a[4]));
    if (a[5]->kind != Kind::Dict || !a[5]->entries.empty()) {
      fail("_rebuild_tensor_v2 backward_hooks must be an empty OrderedDict, found " + describe(a[5]) +
           (a[5]->kind == Kind::Dict ? " with entries" : ""));
    }
    if (a.size() == 7 && a[6]->kind != Kind::None && a[6]->kind != Kind::Dict) {
      fail("_rebuild_tensor_v2 metadata must be None or a dict, found " + describe(a[6]));
    }
    return t;
  }

  int64_t non_negative_int(const Value* v, const char* what) {
    if (v->kind != Kind::Int || v->integer < 0) {
      fail(std::string("tensor ") + what + " must be a non-negative int, found " + describe(v));
    }
    return v->integer;
  }
  std::vector<int64_t> int_tuple(const Value* v, const char* what) {
    if (v->kind != Kind::Tuple)
      fail(std::string("tensor ") + what + " must be a tuple, found " + describe(v));
    std::vector<int64_t> out;
    out.reserve(v->items.size());
    for (const Value* item : v->items) out.push_back(non_negative_int(item, what));
    return out;
  }

  // The persistent id torch.save writes for a storage: ('storage', torch.<X>Storage, key, location, numel).
  Value* persistent_storage(const Value* pid) {
    const auto& f = pid->items;
    if (pid->kind != Kind::Tuple || f.size() != 5 || f[0]->kind != Kind::String || f[0]->text != "storage") {
      fail("persistent id must be ('storage', type, key, location, numel), found " + describe(pid));
    }
    if (f[1]->kind != Kind::Global || f[1]->callable != Callable::StorageType) {
      fail("persistent id storage type must be a torch.<X>Storage global, found " + describe(f[1]));
    }
    if (f[2]->kind != Kind::String || f[2]->text.empty()) {
      fail("persistent id storage key must be a non-empty str, found " + describe(f[2]));
    }
    if (f[3]->kind != Kind::String) fail("persistent id location must be a str, found " + describe(f[3]));
    if (f[4]->kind != Kind::Int || f[4]->integer < 0) {
      fail("persistent id numel must be a non-negative int, found " + describe(f[4]));
    }
    const int64_t itemsize = raw_dtype_itemsize(f[1]->dtype);
    if (f[4]->integer > std::numeric_limits<int64_t>::max() / itemsize) {
      fail("storage numel " + std::to_string(f[4]->integer) + " is too large");
    }
    Value* s = make(Kind::Storage);
    s->dtype = f[1]->dtype;
    s->text = f[2]->text;
    s->storage_numel = f[4]->integer;
    return s;
  }

  void set_items(Value* dict, const std::vector<Value*>& key_values) {
    if (dict->kind != Kind::Dict) fail(op_name() + " target must be a dict, found " + describe(dict));
    for (size_t i = 0; i + 1 < key_values.size(); i += 2) {
      dict->entries.push_back({key_values[i], key_values[i + 1], op_offset_});
    }
  }
  void append(Value* list, const std::vector<Value*>& items) {
    if (list->kind != Kind::List) fail(op_name() + " target must be a list, found " + describe(list));
    list->items.insert(list->items.end(), items.begin(), items.end());
  }

  std::vector<PickledTensor> to_state_dict(const Value* root) {
    if (root->kind != Kind::Dict) fail("the pickled object is " + describe(root) + ", not a state dict");
    std::vector<PickledTensor> tensors;
    std::map<std::string, size_t> index_of_name;
    std::map<std::string, const Value*> storage_of_key;
    for (const DictEntry& e : root->entries) {
      op_offset_ = e.offset;
      if (e.key->kind != Kind::String) fail("state dict key must be a str, found " + describe(e.key));
      const std::string& name = e.key->text;
      if (e.value->kind != Kind::Tensor) {
        fail("state dict entry '" + printable(name) + "' is " + describe(e.value) + ", not a tensor");
      }
      if (!index_of_name.emplace(name, tensors.size()).second) {
        fail("state dict key '" + printable(name) + "' appears twice");
      }
      const Value* t = e.value;
      const Value* storage = t->storage;
      const auto [known, inserted] = storage_of_key.emplace(storage->text, storage);
      if (!inserted && (known->second->dtype != storage->dtype ||
                        known->second->storage_numel != storage->storage_numel)) {
        fail("storage '" + printable(storage->text) + "' is declared both as " +
             raw_dtype_name(known->second->dtype) + " x " + std::to_string(known->second->storage_numel) +
             " and as " + raw_dtype_name(storage->dtype) + " x " + std::to_string(storage->storage_numel));
      }
      check_view_inside_storage(name, t);
      tensors.push_back(
          {name, t->dtype, storage->text, storage->storage_numel, t->storage_offset, t->shape, t->stride});
    }
    return tensors;
  }

  // A view touches elements offset + sum(i_d * stride_d) for 0 <= i_d < shape_d; all must be < numel.
  void check_view_inside_storage(const std::string& name, const Value* t) {
    const int64_t numel = t->storage->storage_numel;
    const std::string view = "tensor '" + printable(name) + "' (storage offset " +
                             std::to_string(t->storage_offset) + ", shape " + join(t->shape) + ", stride " +
                             join(t->stride) + ")";
    bool empty = false;
    int64_t elements = 1;
    int64_t last = t->storage_offset;
    bool overflow = false;
    for (size_t d = 0; d < t->shape.size(); ++d) {
      if (t->shape[d] == 0) empty = true;
      overflow |= __builtin_mul_overflow(elements, t->shape[d], &elements);
      int64_t reach = 0;
      overflow |= t->shape[d] > 0 && __builtin_mul_overflow(t->shape[d] - 1, t->stride[d], &reach);
      overflow |= __builtin_add_overflow(last, reach, &last);
    }
    if (overflow && !empty) fail(view + " is too large");
    if (empty ? t->storage_offset > numel : last >= numel) {
      fail(view + " needs " + std::to_string(empty ? t->storage_offset : last + 1) +
           " elements but its storage data/" + printable(t->storage->text) + " has " + std::to_string(numel));
    }
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  size_t op_offset_ = 0;
  uint8_t op_ = 0;
  std::vector<std::unique_ptr<Value>> arena_;
  std::vector<Value*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint32_t, Value*> memo_;
};

}  // namespace

std::vector<PickledTensor> parse_state_dict_pickle(const std::vector<uint8_t>& pickle) {
  return StateDictUnpickler(pickle).run();
}

}  // namespace hpf
