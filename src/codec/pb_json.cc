#include "codec/pb_json.h"

#include <cstdint>
#include <limits>

#include "codec/hex.h"
#include "codec/utf.h"
#include "common/decimal.h"

namespace parley::codec {
namespace {

using json = parley::Json;
using schema::FieldDesc;
using schema::FieldKind;
using schema::Label;
using schema::MessageDesc;

constexpr int kMaxDepth = 32;

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

Error pb_error(const MessageDesc& m, const std::string& what) {
  return make_error(ErrorCode::kBadProtobuf, std::string(m.name) + ": " + what);
}
Error json_error(const MessageDesc& m, const std::string& what) {
  return make_error(ErrorCode::kBadJson, std::string(m.name) + ": " + what);
}

const FieldDesc* field_by_number(const MessageDesc& m, uint32_t number) {
  for (size_t i = 0; i < m.field_count; ++i)
    if (m.fields[i].number == number) return &m.fields[i];
  return nullptr;
}

const FieldDesc* field_by_name(const MessageDesc& m, std::string_view name) {
  for (size_t i = 0; i < m.field_count; ++i)
    if (name == m.fields[i].name) return &m.fields[i];
  return nullptr;
}

bool is_varint_kind(FieldKind k) {
  return k != FieldKind::kString && k != FieldKind::kBytes && k != FieldKind::kMessage;
}

// ---- decoding ---------------------------------------------------------------------

class Reader {
 public:
  explicit Reader(std::string_view d) : d_(d) {}
  bool done() const { return pos_ >= d_.size(); }
  bool varint(uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos_ >= d_.size()) return false;
      const auto b = static_cast<uint8_t>(d_[pos_++]);
      if (shift == 63 && b > 1) return false;  // more than 64 bits
      out |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool bytes(std::string_view& out) {
    uint64_t len = 0;
    return varint(len) && take(len, out);
  }
  bool skip(size_t n) {
    if (n > d_.size() - pos_) return false;
    pos_ += n;
    return true;
  }

 protected:
  // The next `len` bytes, when there are that many.
  bool take(uint64_t len, std::string_view& out) {
    if (len > d_.size() - pos_) return false;
    out = d_.substr(pos_, static_cast<size_t>(len));
    pos_ += static_cast<size_t>(len);
    return true;
  }

  std::string_view d_;
  size_t pos_ = 0;
};

json scalar_to_json(FieldKind kind, uint64_t v) {
  switch (kind) {
    case FieldKind::kInt32:
    case FieldKind::kEnum: return static_cast<int32_t>(static_cast<uint32_t>(v));
    case FieldKind::kInt64: return static_cast<int64_t>(v);
    case FieldKind::kUint32: return static_cast<uint32_t>(v);
    case FieldKind::kUint64: return v;
    case FieldKind::kSint32: {
      const auto u = static_cast<uint32_t>(v);
      return static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
    }
    case FieldKind::kSint64: return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
    case FieldKind::kBool: return v != 0;
    default: return nullptr;
  }
}

// Adds `v` to a repeated field, or sets a singular one (the last one wins, as in protobuf).
void store_field(json& out, const FieldDesc& f, json v) {
  json& slot = out[f.name];
  if (f.label == Label::kRepeated) {
    slot.push_back(std::move(v));
  } else {
    slot = std::move(v);
  }
}

Result<json> decode(const MessageDesc& m, std::string_view bytes, int depth,
                    const ProtobufToJsonOptions& opt);

Result<json> decode_len_value(const FieldDesc& f, std::string_view value, int depth,
                              const ProtobufToJsonOptions& opt) {
  if (f.kind == FieldKind::kString || f.kind == FieldKind::kBytes) {
    if (is_valid_utf8(value)) return json(std::string(value));
    if (f.kind == FieldKind::kString) {
      return make_error(ErrorCode::kBadProtobuf,
                        std::string("string field ") + f.name + " is not valid UTF-8");
    }
    return json{{"$hex", to_hex(value)}};
  }
  return decode(schema::kMessages[f.message], value, depth + 1, opt);
}

Result<json> decode(const MessageDesc& m, std::string_view bytes, int depth,
                    const ProtobufToJsonOptions& opt) {
  if (depth > kMaxDepth) return pb_error(m, "nesting deeper than 32");
  json out = json::object();
  Reader r(bytes);
  while (!r.done()) {
    uint64_t key = 0;
    if (!r.varint(key)) return pb_error(m, "truncated field key");
    const auto number = static_cast<uint32_t>(key >> 3);
    const auto wire = static_cast<uint32_t>(key & 7);
    if (number == 0) return pb_error(m, "field number 0");
    const FieldDesc* f = field_by_number(m, number);
    if (!f) {  // unknown field: skip by wire type
      uint64_t ignored = 0;
      std::string_view sv;
      bool ok = wire == kVarint ? r.varint(ignored)
                : wire == kLen  ? r.bytes(sv)
                : wire == kFixed64 ? r.skip(8)
                : wire == kFixed32 ? r.skip(4)
                                   : false;
      if (!ok) return pb_error(m, "bad or truncated unknown field " + decimal(number));
      continue;
    }
    const bool repeated = f->label == Label::kRepeated;
    auto store = [&](json v) { store_field(out, *f, std::move(v)); };
    if (is_varint_kind(f->kind)) {
      if (wire == kVarint) {
        uint64_t v = 0;
        if (!r.varint(v)) return pb_error(m, std::string("truncated varint in ") + f->name);
        store(scalar_to_json(f->kind, v));
      } else if (wire == kLen && repeated) {  // packed repeated scalars
        std::string_view packed;
        if (!r.bytes(packed)) return pb_error(m, std::string("truncated packed ") + f->name);
        Reader pr(packed);
        while (!pr.done()) {
          uint64_t v = 0;
          if (!pr.varint(v)) return pb_error(m, std::string("bad packed ") + f->name);
          store(scalar_to_json(f->kind, v));
        }
      } else {
        return pb_error(m, std::string("wrong wire type ") + decimal(wire) +
                               " for field " + f->name);
      }
    } else {
      if (wire != kLen) {
        return pb_error(m, std::string("wrong wire type ") + decimal(wire) +
                               " for field " + f->name);
      }
      std::string_view value;
      if (!r.bytes(value)) return pb_error(m, std::string("truncated field ") + f->name);
      auto v = decode_len_value(*f, value, depth, opt);
      if (!v) return pb_error(m, v.error().message);
      store(std::move(v).value());
    }
  }
  for (size_t i = 0; i < m.field_count; ++i) {
    const FieldDesc& f = m.fields[i];
    if (out.contains(f.name)) continue;
    if (f.label == Label::kRequired)
      return pb_error(m, std::string("missing required field ") + f.name);
    if (f.label == Label::kRepeated && opt.empty_repeated_as_arrays) out[f.name] = json::array();
  }
  return out;
}

// ---- decoding as protobuf-lite --------------------------------------------------------
//
// Mirrors protobuf 3.21's generated _InternalParse, ParseContext and the unknown-field
// parser (parse_context.h, generated_message_util): see ProtobufToJsonOptions.

constexpr int kLiteMaxDepth = 100;  // io::CodedInputStream's default recursion limit

// Reader's done/skip; its own limits for varints, keys and lengths.
class LiteReader : public Reader {
 public:
  explicit LiteReader(std::string_view d) : Reader(d) {}
  // Up to 10 bytes; bits past 64 are dropped (VarintParse).
  bool varint(uint64_t& out) {
    out = 0;
    for (int i = 0; i < 10; ++i) {
      if (pos_ >= d_.size()) return false;
      const auto b = static_cast<uint8_t>(d_[pos_++]);
      out |= static_cast<uint64_t>(b & 0x7F) << (i * 7);  // i = 9: only the low bit stays
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  // Keys: up to 5 bytes, kept modulo 2^32 (ReadTag).
  bool tag(uint32_t& out) {
    uint64_t v = 0;
    for (int i = 0; i < 5; ++i) {
      if (pos_ >= d_.size()) return false;
      const auto b = static_cast<uint8_t>(d_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7F) << (i * 7);
      if (!(b & 0x80)) {
        out = static_cast<uint32_t>(v);
        return true;
      }
    }
    return false;
  }
  // Lengths: up to 5 bytes, under 2 GB (ReadSize), and within the data.
  bool bytes(std::string_view& out) {
    uint64_t len = 0;
    for (int i = 0;; ++i) {
      if (pos_ >= d_.size()) return false;
      const auto b = static_cast<uint8_t>(d_[pos_++]);
      if (i == 4 && b >= 8) return false;
      len |= static_cast<uint64_t>(b & 0x7F) << (i * 7);
      if (!(b & 0x80)) break;
    }
    return len <= 0x7FFFFFFFu - 16 && take(len, out);
  }
};

bool enum_declares(const FieldDesc& f, uint64_t v) {
  if (f.message < 0) return true;
  const schema::EnumDesc& e = schema::kEnums[f.message];
  const auto x = static_cast<int32_t>(static_cast<uint32_t>(v));
  for (size_t i = 0; i < e.value_count; ++i)
    if (e.values[i] == x) return true;
  return false;
}

// Skips an unknown field; a group (at nesting `depth` left) up to its end-group key.
bool lite_skip_field(LiteReader& r, uint32_t tag, int depth);

bool lite_skip_group(LiteReader& r, uint32_t start_tag, int depth) {
  if (depth <= 0) return false;
  while (!r.done()) {
    uint32_t tag = 0;
    if (!r.tag(tag)) return false;
    if (tag == 0 || (tag & 7) == 4) return tag == start_tag + 1;
    if (!lite_skip_field(r, tag, depth - 1)) return false;
  }
  return false;  // no end-group key
}

bool lite_skip_field(LiteReader& r, uint32_t tag, int depth) {
  if ((tag >> 3) == 0) return false;
  uint64_t ignored = 0;
  std::string_view sv;
  switch (tag & 7) {
    case kVarint: return r.varint(ignored);
    case kFixed64: return r.skip(8);
    case kLen: return r.bytes(sv);
    case 3: return lite_skip_group(r, tag, depth);
    case kFixed32: return r.skip(4);
    default: return false;
  }
}

// Parses `bytes` into `out` (an object, possibly holding earlier fields: merging).
bool lite_merge(const MessageDesc& m, std::string_view bytes, json& out, int depth,
                bool request_form) {
  if (depth <= 0) return false;
  LiteReader r(bytes);
  while (!r.done()) {
    uint32_t tag = 0;
    if (!r.tag(tag)) return false;
    if (tag == 0 || (tag & 7) == 4) return false;  // ends the message early: not at its limit
    const uint32_t wire = tag & 7;
    const FieldDesc* f = field_by_number(m, tag >> 3);
    const bool repeated = f && f->label == Label::kRepeated;
    auto store = [&](json v) { store_field(out, *f, std::move(v)); };
    if (f && is_varint_kind(f->kind) && wire == kVarint) {
      uint64_t v = 0;
      if (!r.varint(v)) return false;
      if (!request_form && f->kind == FieldKind::kEnum && !enum_declares(*f, v)) continue;
      store(scalar_to_json(f->kind, v));
    } else if (f && is_varint_kind(f->kind) && wire == kLen && repeated) {  // packed
      std::string_view packed;
      if (!r.bytes(packed)) return false;
      LiteReader pr(packed);
      while (!pr.done()) {
        uint64_t v = 0;
        if (!pr.varint(v)) return false;
        if (!request_form && f->kind == FieldKind::kEnum && !enum_declares(*f, v)) continue;
        store(scalar_to_json(f->kind, v));
      }
    } else if (f && !is_varint_kind(f->kind) && wire == kLen) {
      std::string_view value;
      if (!r.bytes(value)) return false;
      if (f->kind != FieldKind::kMessage) {
        store(request_form && f->kind == FieldKind::kBytes && !is_valid_utf8(value)
                  ? json().set("$hex", to_hex(value))
                  : json(value));
      } else if (repeated) {
        json item = json::object();
        if (!lite_merge(schema::kMessages[f->message], value, item, depth - 1, request_form))
          return false;
        store(std::move(item));
      } else {
        json& item = out[f->name];
        if (!item.is_object()) item = json::object();
        if (!lite_merge(schema::kMessages[f->message], value, item, depth - 1, request_form))
          return false;
      }
    } else if (!lite_skip_field(r, tag, depth - 1)) {  // unknown, or known with another wire type
      return false;
    }
  }
  return true;
}

// IsInitialized(): required fields of this message and of every nested one it holds.
bool lite_initialized(const MessageDesc& m, const json& j) {
  for (size_t i = 0; i < m.field_count; ++i) {
    const FieldDesc& f = m.fields[i];
    auto it = j.find(f.name);
    if (it == j.end()) {
      if (f.label == Label::kRequired) return false;
      continue;
    }
    if (f.kind != FieldKind::kMessage) continue;
    if (f.label == Label::kRepeated) {
      for (const auto& e : *it)
        if (!lite_initialized(schema::kMessages[f.message], e)) return false;
    } else if (!lite_initialized(schema::kMessages[f.message], *it)) {
      return false;
    }
  }
  return true;
}

// ---- encoding ---------------------------------------------------------------------

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads an integer from JSON: a number, or a decimal string (how Long values may appear).
bool json_integer(const json& j, int64_t lo, uint64_t hi, bool& negative, uint64_t& mag) {
  if (j.is_number_unsigned()) {
    negative = false;
    mag = j.get<uint64_t>();
    return mag <= hi;
  }
  if (j.is_number_integer()) {
    const auto v = j.get<int64_t>();
    if (v < lo || (v > 0 && static_cast<uint64_t>(v) > hi)) return false;
    negative = v < 0;
    mag = static_cast<uint64_t>(v);  // two's complement bits for negatives
    return true;
  }
  if (j.is_number_float()) {  // a whole one, read exactly (e.g. 3.0, 1e3, -9223372036854775808.0)
    const Json::Integral i = j.float_integral();
    if (!i.whole || !i.fits) return false;
    if (!i.negative) return json_integer(json(i.magnitude), lo, hi, negative, mag);
    if (i.magnitude > (uint64_t{1} << 63)) return false;
    return json_integer(json(static_cast<int64_t>(0 - i.magnitude)), lo, hi, negative, mag);
  }
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s.empty() || s.size() > 20) return false;
    size_t i = s[0] == '-' ? 1 : 0;
    if (i == s.size()) return false;
    uint64_t acc = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      const uint64_t digit = static_cast<uint64_t>(s[i] - '0');
      if (acc > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
      acc = acc * 10 + digit;
    }
    if (s[0] == '-') {
      if (acc > static_cast<uint64_t>(-(lo + 1)) + 1) return false;
      return json_integer(json(static_cast<int64_t>(0 - acc)), lo, hi, negative, mag);
    }
    return json_integer(json(acc), lo, hi, negative, mag);
  }
  return false;
}

Status encode_value(const MessageDesc& m, const FieldDesc& f, const json& v, std::string& out,
                    int depth, const JsonToProtobufOptions& opt);

// The JSON integers each integer kind takes, in FieldKind order (kInt32 .. kSint64).
struct IntRange {
  int64_t lo;
  uint64_t hi;
  const char* what;
};
constexpr IntRange kIntRanges[] = {
    {INT32_MIN, INT32_MAX, "a 32-bit integer"},
    {INT64_MIN, INT64_MAX, "a 64-bit integer"},
    {0, UINT32_MAX, "an unsigned 32-bit integer"},
    {0, UINT64_MAX, "an unsigned 64-bit integer"},
    {INT32_MIN, INT32_MAX, "a 32-bit integer"},
    {INT64_MIN, INT64_MAX, "a 64-bit integer"},
};

Status encode(const MessageDesc& m, const json& j, std::string& out, int depth,
              const JsonToProtobufOptions& opt) {
  if (depth > kMaxDepth) return json_error(m, "nesting deeper than 32");
  if (!j.is_object()) return json_error(m, "expected an object");
  if (!opt.ignore_unknown_fields) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!field_by_name(m, it.key())) return json_error(m, "unknown field \"" + it.key() + "\"");
    }
  }
  for (size_t i = 0; i < m.field_count; ++i) {
    const FieldDesc& f = m.fields[i];
    auto it = j.find(f.name);
    if (it == j.end() || it->is_null()) {
      if (f.label == Label::kRequired) {
        return json_error(m, std::string("missing required field ") + f.name);
      }
      continue;
    }
    if (f.label == Label::kRepeated && it->is_array()) {
      for (const auto& e : *it) {
        auto st = encode_value(m, f, e, out, depth, opt);
        if (!st) return st;
      }
    } else if (f.label == Label::kRepeated && !opt.single_value_as_list) {
      return json_error(m, std::string(f.name) + " must be an array");
    } else {  // a singular field, or one value for a repeated one
      auto st = encode_value(m, f, *it, out, depth, opt);
      if (!st) return st;
    }
  }
  return ok_status();
}

Status encode_value(const MessageDesc& m, const FieldDesc& f, const json& v, std::string& out,
                    int depth, const JsonToProtobufOptions& opt) {
  const auto bad = [&](const char* want) {
    return json_error(m, std::string(f.name) + " must be " + want);
  };
  if (is_varint_kind(f.kind)) {
    put_varint(out, (static_cast<uint64_t>(f.number) << 3) | kVarint);
    if (f.kind == FieldKind::kBool) {
      if (v.is_boolean()) {
        put_varint(out, v.get<bool>() ? 1 : 0);
      } else if (v.is_number_integer() && (v.get<int64_t>() == 0 || v.get<int64_t>() == 1)) {
        put_varint(out, static_cast<uint64_t>(v.get<int64_t>()));
      } else {
        return bad("a boolean");
      }
      return ok_status();
    }
    // One range check for every integer kind; enums are int32 on the wire.
    const IntRange& range = kIntRanges[f.kind == FieldKind::kEnum ? 0 : static_cast<int>(f.kind)];
    bool neg = false;
    uint64_t mag = 0;
    if (!json_integer(v, range.lo, range.hi, neg, mag)) return bad(range.what);
    if (f.kind == FieldKind::kSint32) {
      const auto s = static_cast<int32_t>(static_cast<int64_t>(mag));
      mag = static_cast<uint32_t>((static_cast<uint32_t>(s) << 1) ^ static_cast<uint32_t>(s >> 31));
    } else if (f.kind == FieldKind::kSint64) {
      const auto s = static_cast<int64_t>(mag);
      mag = (static_cast<uint64_t>(s) << 1) ^ static_cast<uint64_t>(s >> 63);
    }
    put_varint(out, mag);  // int32 negatives sign-extended to 64 bits, as protobuf does
    return ok_status();
  }
  put_varint(out, (static_cast<uint64_t>(f.number) << 3) | kLen);
  std::string value;
  if (f.kind == FieldKind::kMessage) {
    auto st = encode(schema::kMessages[f.message], v, value, depth + 1, opt);
    if (!st) return st;
  } else if (v.is_string()) {
    value = v.get<std::string>();  // Json::parse validates UTF-8
  } else if (f.kind == FieldKind::kBytes && v.is_object() && v.size() == 1 &&
             v.contains("$hex") && v["$hex"].is_string()) {
    if (!from_hex(v["$hex"].get_ref<const std::string&>(), value)) return bad("valid hex");
  } else {
    return bad("a string");
  }
  put_varint(out, value.size());
  out.append(value);
  return ok_status();
}

}  // namespace

Result<json> protobuf_to_json(const MessageDesc& desc, std::string_view bytes,
                              const ProtobufToJsonOptions& options) {
  if (!options.as_protobuf_lite) return decode(desc, bytes, 0, options);
  return protobuf_to_json_lite(desc, bytes);
}

Result<json> protobuf_to_json_lite(const MessageDesc& desc, std::string_view bytes,
                                   bool request_form) {
  json out = json::object();
  if (!lite_merge(desc, bytes, out, kLiteMaxDepth + 1, request_form))
    return pb_error(desc, "does not parse");
  if (!lite_initialized(desc, out)) return pb_error(desc, "missing required field");
  return out;
}

Result<std::string> json_to_protobuf(const MessageDesc& desc, const json& j,
                                     const JsonToProtobufOptions& options) {
  std::string out;
  auto st = encode(desc, j, out, 0, options);
  if (!st) return st.error();
  return out;
}

}  // namespace parley::codec
