// protobuf_to_json's protobuf-lite mode against protoc's generated classes: for every
// message the session reads, random payloads built from the schema (unknown fields of every
// wire type, groups, wrong wire types, repeated singular fields, packed and overlong
// varints, invalid enum values, strings that are not UTF-8, missing required fields) and
// mutations of them (truncated, flipped, inserted, spliced bytes) must be accepted by both
// or rejected by both; when accepted, the decoded values must be the ones ParseFromString
// holds (compared as bytes: the generated class without its unknown fields, serialized,
// against json_to_protobuf of the decoded JSON).
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>


#include "codec/hex.h"
#include "codec/pb_json.h"
#include "common/json_util.h"
#include "rongcloud.pb.h"
#include "session/rng.h"

namespace parley::codec {
namespace {

using schema::FieldDesc;
using schema::FieldKind;
using schema::Label;
using schema::MessageDesc;

// ---- unknown fields off the generated classes, recursively ---------------------------

void strip(pb::PushExtra& m) { m.mutable_unknown_fields()->clear(); }
void strip(pb::DownStreamMessage& m) {
  m.mutable_unknown_fields()->clear();
  if (m.has_pushext()) strip(*m.mutable_pushext());
}
void strip(pb::UpStreamMessage& m) {
  m.mutable_unknown_fields()->clear();
  if (m.has_pushext()) strip(*m.mutable_pushext());
}
void strip(pb::DownStreamMessages& m) {
  m.mutable_unknown_fields()->clear();
  for (auto& x : *m.mutable_list()) strip(x);
}
void strip(pb::HistoryMsgOuput& m) {
  m.mutable_unknown_fields()->clear();
  for (auto& x : *m.mutable_list()) strip(x);
}
void strip(pb::RelationsOutput& m) {
  m.mutable_unknown_fields()->clear();
  for (auto& x : *m.mutable_info()) {
    x.mutable_unknown_fields()->clear();
    if (x.has_msg()) strip(*x.mutable_msg());
  }
}
void strip(pb::SessionTagItem& m) { m.mutable_unknown_fields()->clear(); }
void strip(pb::SessionStates& m) {
  m.mutable_unknown_fields()->clear();
  for (auto& st : *m.mutable_state()) {
    st.mutable_unknown_fields()->clear();
    for (auto& item : *st.mutable_stateitem()) {
      item.mutable_unknown_fields()->clear();
      for (auto& t : *item.mutable_tags()) strip(t);
    }
  }
}
void strip(pb::NotifyMsg& m) { m.mutable_unknown_fields()->clear(); }
void strip(pb::ChrmOutput& m) { m.mutable_unknown_fields()->clear(); }
void strip(pb::QueryBlackListOutput& m) { m.mutable_unknown_fields()->clear(); }

// ---- random payloads from the schema -------------------------------------------------

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}

  size_t pick(size_t n) { return static_cast<size_t>(rng_.uniform(n - 1)); }
  bool chance(int percent) { return rng_.uniform(99) < static_cast<uint64_t>(percent); }

  void varint(std::string& out, uint64_t v, bool overlong_ok = true) {
    if (overlong_ok && chance(5)) {  // overlong: padded with 0x80 up to 10 bytes
      const size_t n = 1 + pick(10);
      for (size_t i = 0; i + 1 < n; ++i) {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
      }
      out.push_back(static_cast<char>(v & 0x7F));
      return;
    }
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  }
  void key(std::string& out, uint32_t number, uint32_t wire) {
    varint(out, (static_cast<uint64_t>(number) << 3) | wire);
  }
  void len(std::string& out, const std::string& v) {
    varint(out, v.size());
    out += v;
  }

  uint64_t number(const FieldDesc& f) {
    if (f.kind == FieldKind::kEnum && chance(80)) {
      const auto& e = schema::kEnums[f.message];
      if (chance(90)) return static_cast<uint64_t>(static_cast<int64_t>(e.values[pick(e.value_count)]));
      return chance(50) ? (uint64_t{1} << 32) | static_cast<uint32_t>(e.values[0]) : 100 + pick(5);
    }
    switch (pick(7)) {
      case 0: return pick(3);
      case 1: return pick(300);
      case 2: return rng_.next();
      case 3: return static_cast<uint64_t>(-static_cast<int64_t>(pick(1000)));
      case 4: return 0xFFFFFFFFull + pick(3);
      case 5: return uint64_t{1700000000000} + pick(100000);
      default: return uint64_t{1} << pick(64);
    }
  }

  std::string text() {
    static const char* samples[] = {"", "a", "userB", "RC:TxtMsg", "{\"content\":\"hi\"}", "\xed\xa0\xbd\xed\xb8\x80",
                                    "\xff\xfe", "\xc0\x80", "1", "0", "\xe4\xbd\xa0\xe5\xa5\xbd"};
    std::string s = samples[pick(sizeof samples / sizeof *samples)];
    if (chance(10)) s += std::string(1 + pick(40), static_cast<char>(pick(256)));
    return s;
  }

  void unknown(std::string& out, int depth) {
    const uint32_t number = chance(10) ? static_cast<uint32_t>(pick(1u << 29)) : 20 + static_cast<uint32_t>(pick(100));
    const uint32_t wire = chance(3) ? static_cast<uint32_t>(pick(8)) : std::vector<uint32_t>{0, 1, 2, 3, 5}[pick(5)];
    key(out, number, wire);
    switch (wire) {
      case 0: varint(out, number_any()); break;
      case 1: out += std::string(8, static_cast<char>(pick(256))); break;
      case 2: len(out, text()); break;
      case 3:
        if (depth < 4)
          for (size_t i = pick(3); i > 0; --i) unknown(out, depth + 1);
        if (chance(95)) key(out, number, 4);
        break;
      case 5: out += std::string(4, static_cast<char>(pick(256))); break;
      default: break;
    }
  }
  uint64_t number_any() { return chance(50) ? pick(1000) : rng_.next(); }

  void field(std::string& out, const FieldDesc& f, int depth) {
    if (f.kind == FieldKind::kMessage) {
      key(out, f.number, chance(3) ? 0 : 2);
      len(out, message(schema::kMessages[f.message], depth + 1));
      return;
    }
    if (f.kind == FieldKind::kString || f.kind == FieldKind::kBytes) {
      if (chance(3)) {
        key(out, f.number, 0);
        varint(out, number(f));
        return;
      }
      key(out, f.number, 2);
      len(out, text());
      return;
    }
    if (chance(3)) {  // wrong wire type
      const uint32_t wire = f.label == Label::kRepeated || chance(50) ? 5 : 2;
      key(out, f.number, wire);
      if (wire == 2) len(out, text());
      else out += "abcd";
      return;
    }
    if (f.label == Label::kRepeated && chance(40)) {  // packed
      std::string packed;
      for (size_t i = pick(4); i > 0; --i) varint(packed, number(f));
      key(out, f.number, 2);
      len(out, packed);
      return;
    }
    key(out, f.number, 0);
    varint(out, number(f));
  }

  std::string message(const MessageDesc& m, int depth) {
    std::string out;
    if (depth > 3) return out;
    std::vector<const FieldDesc*> order;
    for (size_t i = 0; i < m.field_count; ++i) {
      const FieldDesc& f = m.fields[i];
      size_t times = f.label == Label::kRequired ? (chance(97) ? 1 : 0) : (chance(50) ? 1 : 0);
      if (f.label == Label::kRepeated) times = pick(4);
      else if (chance(5)) times += 1;  // a singular field twice
      for (size_t t = 0; t < times; ++t) order.push_back(&f);
    }
    if (chance(20))
      for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[pick(i)]);
    for (const FieldDesc* f : order) {
      if (chance(8)) unknown(out, 0);
      field(out, *f, depth);
    }
    if (chance(8)) unknown(out, 0);
    return out;
  }

  std::string mutate(std::string s) {
    for (size_t n = 1 + pick(3); n > 0; --n) {
      switch (pick(6)) {
        case 0: if (!s.empty()) s.resize(pick(s.size())); break;
        case 1: if (!s.empty()) s[pick(s.size())] = static_cast<char>(pick(256)); break;
        case 2: s.insert(s.begin() + static_cast<std::ptrdiff_t>(pick(s.size() + 1)), static_cast<char>(pick(256))); break;
        case 3: if (!s.empty()) s.erase(pick(s.size()), 1 + pick(4)); break;
        case 4: s += s.substr(pick(s.size() + 1)); break;
        default: if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1 << pick(8)); break;
      }
    }
    return s;
  }

 private:
  session::Rng rng_;
};

template <class Msg>
void differential(const char* type, uint64_t seed, int rounds) {
  const MessageDesc* desc = schema::find_message(type);
  ASSERT_NE(desc, nullptr);
  Gen g(seed);
  int accepted = 0, rejected = 0;
  for (int i = 0; i < rounds; ++i) {
    std::string input = g.message(*desc, 0);
    if (i % 2) input = g.mutate(input);
    Msg m;
    const bool theirs = m.ParseFromString(input);
    auto ours = protobuf_to_json(*desc, input, {true});
    ASSERT_EQ(theirs, ours.ok()) << type << " input " << to_hex(input)
                                 << (ours.ok() ? "" : " ours: " + ours.error().message);
    if (!theirs) {
      ++rejected;
      continue;
    }
    ++accepted;
    strip(m);
    auto again = json_to_protobuf(*desc, ours.value());
    ASSERT_TRUE(again.ok()) << again.error().message;
    ASSERT_EQ(to_hex(m.SerializeAsString()), to_hex(again.value()))
        << type << " input " << to_hex(input) << " decoded " << to_text(ours.value());
  }
  // Both sides of the boundary are exercised.
  EXPECT_GT(accepted, rounds / 10) << type;
  EXPECT_GT(rejected, rounds / 10) << type;
}

TEST(PbLiteDifferential, DownStreamMessage) { differential<pb::DownStreamMessage>("DownStreamMessage", 1, 40000); }
TEST(PbLiteDifferential, DownStreamMessages) { differential<pb::DownStreamMessages>("DownStreamMessages", 2, 20000); }
TEST(PbLiteDifferential, UpStreamMessage) { differential<pb::UpStreamMessage>("UpStreamMessage", 3, 30000); }
TEST(PbLiteDifferential, HistoryMsgOuput) { differential<pb::HistoryMsgOuput>("HistoryMsgOuput", 4, 20000); }
TEST(PbLiteDifferential, RelationsOutput) { differential<pb::RelationsOutput>("RelationsOutput", 5, 20000); }
TEST(PbLiteDifferential, SessionStates) { differential<pb::SessionStates>("SessionStates", 6, 20000); }
TEST(PbLiteDifferential, NotifyMsg) { differential<pb::NotifyMsg>("NotifyMsg", 7, 30000); }
TEST(PbLiteDifferential, ChrmOutput) { differential<pb::ChrmOutput>("ChrmOutput", 8, 30000); }
TEST(PbLiteDifferential, QueryBlackListOutput) { differential<pb::QueryBlackListOutput>("QueryBlackListOutput", 9, 30000); }

// Nesting limits: 100 levels of groups (and messages) parse, 101 do not, as in protobuf.
TEST(PbLiteDifferential, NestingLimitMatches) {
  const MessageDesc* desc = schema::find_message("NotifyMsg");
  ASSERT_NE(desc, nullptr);
  for (int levels : {1, 98, 99, 100, 101, 102, 150}) {
    std::string s = "\x08\x01";
    for (int i = 0; i < levels; ++i) s += "\xa3\x06";  // start group 100 (0x323 as varint)
    for (int i = 0; i < levels; ++i) s += "\xa4\x06";  // end group 100
    pb::NotifyMsg m;
    EXPECT_EQ(m.ParseFromString(s), protobuf_to_json(*desc, s, {true}).ok()) << levels;
  }
  // A group closed by another number's end key, an end key at the top level, field 0.
  for (const char* hex : {"0801a306ac06", "0801a406", "08010c", "080100", "08010200", "0801a306", "0801a306a406",
                          "0801ffffffff0f00", "0801ffffffffff0100", "0801f8ffffff0f00", "080150019a0100"}) {
    std::string s;
    ASSERT_TRUE(from_hex(hex, s));
    pb::NotifyMsg m;
    EXPECT_EQ(m.ParseFromString(s), protobuf_to_json(*desc, s, {true}).ok()) << hex;
  }
}

}  // namespace
}  // namespace parley::codec
