// parley::Json (src/common/json.h) against nlohmann::json, the library the core used
// before: the same documents accepted and refused, the same dump() as the core's old
// to_text (dump(-1, ' ', false, replace)), on hand-picked edge cases and on many random
// documents; then unit tests of the API the core uses.
#include "common/json.h"
#include "common/decimal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace parley {
namespace {

using nl = nlohmann::json;

std::string nl_dump(const nl& j) { return j.dump(-1, ' ', false, nl::error_handler_t::replace); }

bool has_float(const nl& j) {
  if (j.is_number_float()) return true;
  if (j.is_array() || j.is_object())
    for (const auto& e : j)
      if (has_float(e)) return true;
  return false;
}

int depth_of(const nl& j) {
  int d = 0;
  if (j.is_array() || j.is_object())
    for (const auto& e : j) d = std::max(d, depth_of(e));
  return j.is_array() || j.is_object() ? d + 1 : 0;
}

// The one differential check: same accept/refuse; when accepted, the same value, and the
// same text unless floats are involved (parley::Json writes a float back as it was given,
// nlohmann reformats it; both texts then parse to the same value).
::testing::AssertionResult SameAsNlohmann(const std::string& text) {
  const Json ours = Json::parse(text);
  const nl theirs = nl::parse(text, nullptr, false);
  if (!theirs.is_discarded() && depth_of(theirs) > Json::kMaxDepth) {
    if (ours.is_discarded()) return ::testing::AssertionSuccess();  // our documented limit
    return ::testing::AssertionFailure() << "accepted deeper than kMaxDepth";
  }
  if (ours.is_discarded() != theirs.is_discarded()) {
    return ::testing::AssertionFailure() << (ours.is_discarded() ? "we refuse" : "we accept") << " what nlohmann "
                                         << (theirs.is_discarded() ? "refuses" : "accepts");
  }
  if (ours.is_discarded()) return ::testing::AssertionSuccess();
  const std::string dumped = ours.dump();
  if (nl::parse(dumped, nullptr, false) != theirs) return ::testing::AssertionFailure() << "different value: " << dumped;
  if (!has_float(theirs) && dumped != nl_dump(theirs)) {
    return ::testing::AssertionFailure() << "dump " << dumped << " vs " << nl_dump(theirs);
  }
  return ::testing::AssertionSuccess();
}

std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

TEST(JsonDiff, HandPicked) {
  const std::vector<std::string> cases = {
      // scalars and whitespace
      "null", "true", "false", " \t\r\n null \n", "nul", "truee", "True", "", " ", "\xEF\xBB\xBFnull", "\xEF\xBBnull",
      // integers at the edges of int64 / uint64, and past them (floats for nlohmann)
      "0", "-0", "1", "-1", "01", "-01", "+1", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
      "-9223372036854775809", "18446744073709551615", "18446744073709551616", "-18446744073709551616",
      "123456789012345678901234567890",
      // floats
      "1.0", "1.", ".5", "1.5", "-0.0", "1e2", "1E2", "1e+2", "1e-2", "1e", "1e+", "-", "-a", "1.5e", "0.1e1",
      "1e308", "1e309", "-1e309", "1e-400", "1.7976931348623157e308", "1.7976931348623158e308",
      "1.7976931348623159e308", "17976931348623158079372897140530341507993413271003782693617377898044496829276475"
      "094664901797758720709633028641669288791094655554785194040263065748867150582068190890200070838367627385484581"
      "771153176447573027006985557136695962284291481986083493647529271907416844436551070434271155969950809304288017"
      "7904174497791",
      "17976931348623158079372897140530341507993413271003782693617377898044496829276475"
      "094664901797758720709633028641669288791094655554785194040263065748867150582068190890200070838367627385484581"
      "771153176447573027006985557136695962284291481986083493647529271907416844436551070434271155969950809304288017"
      "7904174497792",
      "0.000000000000000000000000000000000000000000000000000000000000000000000000000001e390",
      "1e99999999999999999999", "1e-99999999999999999999", "0e999999", "-0e-0", "2.5E-0003",
      // strings and escapes
      R"("")", R"("abc")", R"("\"\\\/\b\f\n\r\t")", R"("\u0000")", R"("\u001f\u007f\u0080")", R"("\u00e9\u4e2d")",
      R"("\uD83D\uDE00")", R"("\ud83d\ude00")", R"("\uD83D")", R"("\uDE00")", R"("\uD83Dx")", R"("\uD83D\u0041")",
      R"("\uD83D\uD83D")", R"("\u12")", R"("\u12G4")", R"("\x41")", R"("\a")", R"("\)", "\"abc", "\"a\tb\"",
      "\"a\nb\"", "\"\x01\"", "\"\x7f\"", "\"\xC3\xA9\"", "\"\xC3\"", "\"\xC0\x80\"", "\"\xE0\x80\x80\"",
      "\"\xED\xA0\x80\"", "\"\xF4\x90\x80\x80\"", "\"\xF0\x9F\x98\x80\"", "\"\xFF\"", "\"\x80\"", "\"\xE2\x82\"",
      // arrays and objects
      "[]", "[ ]", "[1,2]", "[1,]", "[,1]", "[1 2]", "[[[]]]", "[", "]", "{}", "{ }", R"({"a":1})", R"({"a":1,})",
      R"({"a" 1})", R"({a:1})", R"({"a":1 "b":2})", R"({"b":1,"a":2})", R"({"a":1,"a":2})", R"({"b":1,"a":2,"b":3})",
      R"({"a":[1,{"c":null}],"":true})", R"({"\u0000":1})", R"({"é":1,"e":2,"z":3})", "[1]x", "[1] [2]", "{}{}",
      "/* c */ 1", "1 // c", "[1,2,3]\x00", "\"a\x00b\"",
  };
  for (const auto& text : cases) EXPECT_TRUE(SameAsNlohmann(text)) << printable(text);
  // NUL bytes: nlohmann takes one for the end of input outside strings
  for (const std::string& text : {std::string("1\0junk", 6), std::string("[1]\0", 4), std::string("\0", 1),
                                  std::string("[1\0]", 4), std::string("\"a\0b\"", 5), std::string(" \0 1", 4),
                                  std::string("{\"a\":1}\0\0", 9), std::string("tr\0ue", 6)}) {
    EXPECT_TRUE(SameAsNlohmann(text)) << printable(text);
  }
}

TEST(JsonDiff, Nesting) {
  for (int depth : {1, 100, Json::kMaxDepth - 1, Json::kMaxDepth}) {
    EXPECT_TRUE(SameAsNlohmann(std::string(static_cast<size_t>(depth), '[') + std::string(static_cast<size_t>(depth), ']')));
    std::string objects;
    for (int i = 0; i < depth; ++i) objects += R"({"k":)";
    objects += "1" + std::string(static_cast<size_t>(depth), '}');
    EXPECT_TRUE(SameAsNlohmann(objects));
    EXPECT_FALSE(Json::parse(objects).is_discarded()) << depth;
  }
  // One level more is refused, as are 100k levels (no stack overflow).
  for (size_t depth : {static_cast<size_t>(Json::kMaxDepth) + 1, size_t{100000}}) {
    EXPECT_TRUE(Json::parse(std::string(depth, '[') + std::string(depth, ']')).is_discarded()) << depth;
    EXPECT_TRUE(Json::parse(std::string(depth, '[')).is_discarded()) << depth;
  }
}

// ---- random documents -------------------------------------------------------------

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool chance(int percent) { return pick(100) < static_cast<size_t>(percent); }

  std::string space() {
    static const char* const kSpaces[] = {"", "", "", " ", "\n", "\t", "\r\n  "};
    return kSpaces[pick(7)];
  }

  std::string number() {
    static const char* const kEdges[] = {"0", "-0", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                                         "-9223372036854775809", "18446744073709551615", "18446744073709551616",
                                         "1e308", "1e309", "4.9e-324", "1e-400", "-1.5", "0.0"};
    if (chance(15)) return kEdges[pick(sizeof kEdges / sizeof kEdges[0])];
    std::string s;
    if (chance(40)) s += '-';
    const size_t int_digits = 1 + pick(chance(10) ? 25 : 8);
    s += static_cast<char>('1' + pick(9));
    if (chance(10)) s = s.substr(0, s.size() - 1) + "0";
    else
      for (size_t i = 1; i < int_digits; ++i) s += static_cast<char>('0' + pick(10));
    if (chance(30)) {
      s += '.';
      for (size_t i = 0, n = 1 + pick(12); i < n; ++i) s += static_cast<char>('0' + pick(10));
    }
    if (chance(20)) {
      s += chance(50) ? 'e' : 'E';
      if (chance(50)) s += chance(50) ? '+' : '-';
      for (size_t i = 0, n = 1 + pick(3); i < n; ++i) s += static_cast<char>('0' + pick(10));
    }
    return s;
  }

  // A JSON string literal: mostly well-formed (escapes, surrogate pairs, UTF-8), sometimes not.
  std::string string_literal() {
    std::string s = "\"";
    for (size_t i = 0, n = pick(12); i < n; ++i) {
      switch (pick(12)) {
        case 0: {
          static const char* const kEsc[] = {"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"};
          s += kEsc[pick(8)];
          break;
        }
        case 1: s += hex_escape(static_cast<unsigned>(pick(0x80))); break;
        case 2: s += hex_escape(static_cast<unsigned>(pick(0x10000))); break;
        case 3:  // a surrogate pair, sometimes broken
          s += hex_escape(0xD800 + static_cast<unsigned>(pick(0x400)));
          if (!chance(10)) s += hex_escape(0xDC00 + static_cast<unsigned>(pick(0x400)));
          break;
        case 4: s += utf8(static_cast<uint32_t>(0x80 + pick(0x780))); break;
        case 5: s += utf8(static_cast<uint32_t>(0x800 + pick(0xD000))); break;
        case 6: s += utf8(static_cast<uint32_t>(0x10000 + pick(0x100000))); break;
        case 7: s += static_cast<char>(chance(80) ? 0x80 + pick(0x80) : pick(0x20)); break;  // raw junk
        default: s += static_cast<char>(0x20 + pick(0x5F)); break;
      }
    }
    // keep the literal closed unless a backslash was left dangling
    if (!s.empty() && s.back() == '\\' && s.size() >= 2 && s[s.size() - 2] != '\\') s += '\\';
    return s + "\"";
  }

  std::string value(int depth) {
    const size_t kind = depth > 6 ? pick(4) : pick(7);
    switch (kind) {
      case 0: return chance(50) ? "null" : chance(50) ? "true" : "false";
      case 1:
      case 2: return number();
      case 3: return string_literal();
      case 4:
      case 5: {
        std::string s = "[" + space();
        for (size_t i = 0, n = pick(6); i < n; ++i) s += (i ? "," : "") + space() + value(depth + 1) + space();
        return s + "]";
      }
      default: {
        std::string s = "{" + space();
        static const char* const kKeys[] = {"\"a\"", "\"b\"", "\"ab\"", "\"\"", "\"Z\"", "\"\\u00e9\"", "\"\xC3\xA9\""};
        for (size_t i = 0, n = pick(7); i < n; ++i) {
          const std::string key = chance(70) ? kKeys[pick(7)] : string_literal();
          s += (i ? "," : "") + space() + key + space() + ":" + space() + value(depth + 1) + space();
        }
        return s + "}";
      }
    }
  }

  std::string mutate(std::string s) {
    static const char kChars[] = ",:[]{}\"\\0123456789eE.+-tfnu \x80\xC3\xFF\0";  // a NUL too
    for (size_t m = 0, n = 1 + pick(3); m < n && !s.empty(); ++m) {
      const size_t at = pick(s.size());
      switch (pick(4)) {
        case 0: s.erase(at, 1); break;
        case 1: s.insert(at, 1, kChars[pick(sizeof kChars - 1)]); break;
        case 2: s[at] = kChars[pick(sizeof kChars - 1)]; break;
        default: s.resize(at); break;
      }
    }
    return s;
  }

  std::string bytes(size_t max) {
    std::string s;
    for (size_t i = 0, n = pick(max); i < n; ++i) {
      switch (pick(4)) {
        case 0: s += static_cast<char>(pick(0x80)); break;
        case 1: s += utf8(static_cast<uint32_t>(pick(0x110000))); break;  // surrogates too: ill-formed
        default: s += static_cast<char>(0x80 + pick(0x80)); break;
      }
    }
    return s;
  }

  static std::string hex_escape(unsigned v) {
    static const char kHex[] = "0123456789abcdef";
    std::string s = "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) s += kHex[(v >> shift) & 15];
    return s;
  }

  static std::string utf8(uint32_t cp) {
    std::string out;
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
  }

 private:
  std::mt19937 rng_;
};

TEST(JsonDiff, RandomDocuments) {
  Generator g(20261202);
  size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = g.space() + g.value(0) + g.space();
    if (g.chance(30)) text = g.mutate(text);
    ASSERT_TRUE(SameAsNlohmann(text)) << "case " << i << ": " << printable(text);
    accepted += Json::parse(text).is_discarded() ? 0 : 1;
  }
  EXPECT_GT(accepted, 5000u);  // the generator makes mostly valid documents
}

TEST(JsonDiff, DumpReplacesInvalidUtf8AsNlohmann) {
  Generator g(7);
  for (int i = 0; i < 20000; ++i) {
    const std::string s = g.bytes(12);
    ASSERT_EQ(Json(s).dump(), nl_dump(nl(s))) << printable(s);
    Json object = Json::object();
    object[s] = s;
    ASSERT_EQ(object.dump(), nl_dump(nl{{s, s}})) << printable(s);
  }
  for (const char* s : {"\xC3", "\xE2\x82", "\xF0\x9F\x98", "\xE2\x28\xA1", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                        "a\x80" "b", "\xF8\x88\x80\x80\x80", "\xFF\xFE"}) {
    EXPECT_EQ(Json(s).dump(), nl_dump(nl(s))) << printable(s);
  }
  std::string controls;
  for (int c = 0; c < 0x80; ++c) controls += static_cast<char>(c);
  EXPECT_EQ(Json(controls).dump(), nl_dump(nl(controls)));
}

TEST(JsonDiff, BuiltValuesDumpAsNlohmann) {
  Json ours = Json::object();
  nl theirs = nl::object();
  ours["int"] = INT64_MIN;
  theirs["int"] = INT64_MIN;
  ours["max"] = UINT64_MAX;
  theirs["max"] = UINT64_MAX;
  ours["u8"] = uint8_t{200};
  theirs["u8"] = uint8_t{200};
  ours["neg"] = -42;
  theirs["neg"] = -42;
  ours["list"] = Json::array();
  theirs["list"] = nl::array();
  for (int i = 0; i < 50; ++i) {
    ours["list"].push_back(i * 37 - 500);
    theirs["list"].push_back(i * 37 - 500);
  }
  ours["nested"] = {{"z", true}, {"a", nullptr}, {"m", {1, "two", {{"three", 3}}}}};
  theirs["nested"] = {{"z", true}, {"a", nullptr}, {"m", {1, "two", {{"three", 3}}}}};
  ours["empty"] = Json::object();
  theirs["empty"] = nl::object();
  EXPECT_EQ(ours.dump(), nl_dump(theirs));
  EXPECT_TRUE(ours["u8"].is_number_unsigned());
  EXPECT_FALSE(ours["neg"].is_number_unsigned());
}

// ---- the API ------------------------------------------------------------------------

TEST(Json, InitializerListRule) {
  EXPECT_TRUE(Json({{"a", 1}, {"b", 2}}).is_object());
  EXPECT_TRUE(Json({{"a", 1}}).is_object());
  EXPECT_TRUE(Json({1, 2}).is_array());
  EXPECT_TRUE(Json({"a", 1}).is_array());  // not a list of pairs
  EXPECT_TRUE(Json({{"a", 1}, {2, 2}}).is_array());
  EXPECT_TRUE(Json({{"a", 1, 2}}).is_array());
  EXPECT_EQ(Json({{"b", 1}, {"a", 2}}).dump(), R"({"a":2,"b":1})");
  EXPECT_EQ(Json({{"a", 1}, {"a", 2}}).dump(), R"({"a":2})");  // the last one wins
  EXPECT_TRUE(Json::array().is_array() && Json::array().empty());
  EXPECT_TRUE(Json::object().is_object() && Json::object().empty());
  EXPECT_EQ(Json::array({1, 2}).dump(), "[1,2]");
  EXPECT_EQ(Json::array({{"a", 1}}).dump(), R"([["a",1]])");
  Json null;
  EXPECT_TRUE(null.is_null());
  EXPECT_EQ(null.dump(), "null");
  EXPECT_EQ(Json(nullptr).dump(), "null");
}

TEST(Json, SetBuildsTheSameObjectAsAnInitializerList) {
  Json built;
  built.set("b", 1).set("a", "x").set("b", 2);  // null becomes an object; the last set wins
  EXPECT_EQ(built, Json({{"a", "x"}, {"b", 2}}));
  EXPECT_EQ(built.dump(), R"({"a":"x","b":2})");
  Json scalar = 5;
  scalar.set("k", nullptr);  // like the mutating operator[]: a scalar becomes an object
  EXPECT_EQ(scalar.dump(), R"({"k":null})");
  const Json moved = Json().set("a", 1).set("b", Json().set("c", true));  // temporaries move
  // The typed setters keep the kinds the Json constructors give.
  const std::string text = "t";
  const Json kinds = Json()
                         .set("i", int64_t{-1})
                         .set("u", uint16_t{7})
                         .set("b", false)
                         .set("c", "lit")
                         .set("s", text)
                         .set("n", nullptr)
                         .set("j", Json::array({1}));
  EXPECT_TRUE(kinds["i"].is_number_integer() && !kinds["i"].is_number_unsigned());
  EXPECT_TRUE(kinds["u"].is_number_unsigned());
  EXPECT_TRUE(kinds["b"].is_boolean());
  EXPECT_EQ(kinds.dump(), R"({"b":false,"c":"lit","i":-1,"j":[1],"n":null,"s":"t","u":7})");
  EXPECT_EQ(moved.dump(), R"({"a":1,"b":{"c":true}})");
}

TEST(Json, GetAndValue) {
  const Json j = Json::parse(R"({"b":true,"i":-5,"u":7,"f":2.5,"big":1e3,"s":"x","n":null,"a":[1]})");
  EXPECT_TRUE(j["b"].get<bool>());
  EXPECT_EQ(j["i"].get<int>(), -5);
  EXPECT_EQ(j["i"].get<int64_t>(), -5);
  EXPECT_EQ(j["u"].get<uint64_t>(), 7u);
  EXPECT_EQ(j["u"].get<int>(), 7);
  EXPECT_EQ(j["f"].get<double>(), 2.5);
  EXPECT_EQ(j["f"].get<int64_t>(), 2);
  EXPECT_EQ(j["big"].get<int64_t>(), 1000);
  EXPECT_EQ(j["s"].get<std::string>(), "x");
  EXPECT_EQ(j["s"].get_ref<const std::string&>(), "x");
  // mismatches are neutral, not exceptions
  EXPECT_EQ(j["s"].get<int>(), 0);
  EXPECT_EQ(j["i"].get<std::string>(), "");
  EXPECT_FALSE(j["s"].get<bool>());
  EXPECT_TRUE(j["missing"].is_null());
  EXPECT_TRUE(j["a"][5].is_null());
  EXPECT_EQ(j["a"][0].get<int>(), 1);
  EXPECT_EQ(j.value("i", 0), -5);
  EXPECT_EQ(j.value("s", 0), 0);  // wrong type: the default
  EXPECT_EQ(j.value("missing", 9), 9);
  EXPECT_EQ(j.value("s", ""), "x");
  EXPECT_EQ(j.value("i", "d"), "d");
  EXPECT_EQ(j.value("s", std::string("d")), "x");
  EXPECT_TRUE(j.value("b", false));
  EXPECT_FALSE(j.value("i", false));
  EXPECT_EQ(j.value("a", Json()).dump(), "[1]");
  EXPECT_EQ(Json(5).value("x", 3), 3);  // not an object
  EXPECT_TRUE(j.at("missing").is_null());
  EXPECT_EQ(j.at("i").get<int>(), -5);
}

TEST(Json, NumberKinds) {
  EXPECT_TRUE(Json::parse("5").is_number_unsigned());
  EXPECT_TRUE(Json::parse("-5").is_number_integer());
  EXPECT_FALSE(Json::parse("-5").is_number_unsigned());
  EXPECT_TRUE(Json::parse("18446744073709551615").is_number_unsigned());
  EXPECT_TRUE(Json::parse("18446744073709551616").is_number_float());
  EXPECT_TRUE(Json::parse("-9223372036854775809").is_number_float());
  EXPECT_TRUE(Json::parse("1.0").is_number_float());
  EXPECT_TRUE(Json(5).is_number_integer() && !Json(5).is_number_unsigned());
  EXPECT_TRUE(Json(5u).is_number_unsigned());
  EXPECT_EQ(Json::parse("-0").dump(), "0");
  EXPECT_EQ(Json::parse("1E+02").dump(), "1E+02");  // a float keeps its text
  EXPECT_EQ(Json::parse("18446744073709551616").get<uint64_t>(), UINT64_MAX);  // clamped
  EXPECT_EQ(Json::parse("-1e30").get<int64_t>(), INT64_MIN);
  EXPECT_EQ(Json::parse("1e30").get<int64_t>(), INT64_MAX);
}

TEST(Json, GetDoubleMatchesStrtod) {
  Generator g(99);
  for (int i = 0; i < 20000; ++i) {
    const std::string text = g.number();
    const Json j = Json::parse(text);
    if (j.is_discarded()) continue;
    const double want = std::strtod(text.c_str(), nullptr);
    const double got = j.get<double>();
    // exact for up to 15 significant digits with a small exponent; close otherwise
    if (want == 0 || std::isinf(want)) {
      EXPECT_EQ(got, want) << text;
    } else if (std::fabs(want) < 2.3e-308) {  // subnormal: fewer bits to be exact in
      EXPECT_LE(std::fabs(got - want), 1e-322) << text;
    } else {
      EXPECT_LE(std::fabs(got - want) / std::fabs(want), 1e-14) << text;
    }
  }
  for (const char* exact : {"0.1", "1.5", "123.456", "1e22", "1e-22", "-2.5e-3", "9007199254740993", "0.3",
                            "4.35", "1.7976931348623157e308", "5e-324", "2.2250738585072014e-308"}) {
    EXPECT_EQ(Json::parse(exact).get<double>(), std::strtod(exact, nullptr)) << exact;
  }
}

TEST(Decimal, MatchesToStringForEveryWidth) {
  for (int64_t v : {int64_t{0}, int64_t{7}, int64_t{-7}, int64_t{1700000000000}, INT64_MAX, INT64_MIN})
    EXPECT_EQ(decimal(v), std::to_string(v));
  EXPECT_EQ(decimal(UINT64_MAX), "18446744073709551615");
  EXPECT_EQ(decimal(uint8_t{200}), "200");
  EXPECT_EQ(decimal(-5), "-5");
  EXPECT_EQ(decimal(size_t{42}), "42");
  std::string out = "x";
  append_decimal(out, 12, true);
  EXPECT_EQ(out, "x-12");
  std::mt19937_64 rng(3);
  for (int i = 0; i < 1000; ++i) {
    const auto v = static_cast<int64_t>(rng() >> (rng() % 64));
    EXPECT_EQ(decimal(v), std::to_string(v));
    EXPECT_EQ(decimal(static_cast<uint64_t>(v)), std::to_string(static_cast<uint64_t>(v)));
  }
}

// Floats read as integers (get<int64_t>, the protobuf encoder) without a double: exact.
TEST(Json, FloatIntegralIsExact) {
  struct Case {
    const char* text;
    bool negative;
    uint64_t magnitude;
    bool whole, fits;
  };
  const Case cases[] = {
      {"3.0", false, 3, true, true},
      {"2.5", false, 2, false, true},
      {"-2.5", true, 2, false, true},
      {"-0.0", true, 0, true, true},
      {"0.001", false, 0, false, true},
      {"1e3", false, 1000, true, true},
      {"1.5E+1", false, 15, true, true},
      {"12.5e-1", false, 1, false, true},
      {"1e-400", false, 0, false, true},
      {"0e999999999999", false, 0, true, true},
      {"9007199254740993.0", false, 9007199254740993u, true, true},  // 2^53 + 1: a double can't
      {"-9223372036854775808.0", true, 9223372036854775808u, true, true},
      {"18446744073709551615.0", false, UINT64_MAX, true, true},
      {"18446744073709551616", false, 0, true, false},
      {"1e20", false, 0, true, false},
      {"1e30", false, 0, true, false},
  };
  for (const auto& c : cases) {
    const Json j = Json::parse(c.text);
    ASSERT_TRUE(j.is_number_float()) << c.text;
    const Json::Integral i = j.float_integral();
    EXPECT_EQ(i.negative, c.negative) << c.text;
    EXPECT_EQ(i.whole, c.whole) << c.text;
    EXPECT_EQ(i.fits, c.fits) << c.text;
    if (c.fits) {
      EXPECT_EQ(i.magnitude, c.magnitude) << c.text;
    }
  }
  EXPECT_EQ(Json::parse("-2.9").get<int64_t>(), -2);
  EXPECT_EQ(Json::parse("9223372036854775807.5").get<int64_t>(), INT64_MAX);
  EXPECT_EQ(Json::parse("9223372036854775808.0").get<int64_t>(), INT64_MAX);  // clamped
  EXPECT_EQ(Json::parse("-9223372036854775809.0").get<int64_t>(), INT64_MIN);
  EXPECT_EQ(Json::parse("18446744073709551615.9").get<uint64_t>(), UINT64_MAX);
  EXPECT_EQ(Json::parse("-1.5").get<uint64_t>(), static_cast<uint64_t>(-1));
  // Against strtold's value truncated, where a long double holds it exactly.
  Generator g(7);
  for (int n = 0; n < 20000; ++n) {
    const std::string text = g.number();
    const Json j = Json::parse(text);
    if (!j.is_number_float()) continue;
    const long double v = std::strtold(text.c_str(), nullptr);
    if (!(std::fabs(v) < 9007199254740992.0L)) continue;  // 2^53: exact in a long double too
    const Json::Integral i = j.float_integral();
    const long double t = std::trunc(v);
    EXPECT_TRUE(i.fits) << text;
    EXPECT_EQ(static_cast<long double>(i.magnitude), std::fabs(t)) << text;
    if (std::fabs(t) < 1e15L) {  // few digits: the fraction test is exact too
      EXPECT_EQ(i.whole, t == v) << text;
    }
  }
}

TEST(Json, ObjectsAndArrays) {
  Json j;
  j["b"] = 1;  // null becomes an object
  j["a"]["x"] = "y";
  j["c"] = Json::array();
  j["c"].push_back(1);
  j["c"].emplace_back("two");
  EXPECT_EQ(j.dump(), R"({"a":{"x":"y"},"b":1,"c":[1,"two"]})");
  EXPECT_EQ(j.size(), 3u);
  EXPECT_TRUE(j.contains("a"));
  EXPECT_FALSE(j.contains("z"));
  EXPECT_TRUE(j.find("z") == j.end());
  auto it = j.find("b");
  ASSERT_TRUE(it != j.end());
  EXPECT_EQ(it.key(), "b");
  EXPECT_EQ(it->get<int>(), 1);
  *it = 2;
  EXPECT_EQ(j["b"].get<int>(), 2);
  std::string keys;
  for (auto i = j.begin(); i != j.end(); ++i) keys += i.key();
  EXPECT_EQ(keys, "abc");
  const Json& cj = j;
  size_t n = 0;
  for (const auto& e : cj["c"]) n += e.is_number() || e.is_string() ? 1 : 0;
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(j.erase("b"), 1u);
  EXPECT_EQ(j.erase("b"), 0u);
  EXPECT_EQ(j.dump(), R"({"a":{"x":"y"},"c":[1,"two"]})");
  Json list;
  list.push_back(1);  // null becomes an array
  list[3] = 4;        // grows with nulls
  EXPECT_EQ(list.dump(), "[1,null,null,4]");
  EXPECT_EQ(list.back().get<int>(), 4);
  list.clear();
  EXPECT_TRUE(list.is_array() && list.empty());
  Json s = "abc";
  EXPECT_EQ(s.size(), 1u);
  EXPECT_FALSE(s.empty());
  EXPECT_TRUE(Json().empty());
  size_t scalar_items = 0;
  for (const auto& e : s) scalar_items += e.is_string() ? 1 : 0;
  EXPECT_EQ(scalar_items, 1u);
  size_t null_items = 0;
  for (const auto& e : Json()) null_items += e.is_null() ? 1 : 0;
  EXPECT_EQ(null_items, 0u);
  Json move_from_child = Json::parse(R"({"x":{"y":[1,2]}})");
  move_from_child = std::move(move_from_child["x"]);
  EXPECT_EQ(move_from_child.dump(), R"({"y":[1,2]})");
}

TEST(Json, Equality) {
  EXPECT_EQ(Json::parse(R"({"a":[1,"x",null,true]})"), Json({{"a", {1, "x", nullptr, true}}}));
  EXPECT_EQ(Json(1), Json(1u));
  EXPECT_EQ(Json::parse("1.0"), Json(1));
  EXPECT_NE(Json(-1), Json(UINT64_MAX));
  EXPECT_NE(Json("1"), Json(1));
  EXPECT_NE(Json::parse("["), Json::parse("["));  // discarded equals nothing
  EXPECT_NE(Json::object(), Json::array());
  EXPECT_EQ(Json::object(), Json::parse("{}"));
}

TEST(Json, ParseNeverThrowsAndKeysAreSorted) {
  EXPECT_TRUE(Json::parse("{", nullptr, false).is_discarded());
  const Json j = Json::parse(R"({"b":1,"a":2,"c":{"z":0,"y":1},"a":3})");
  EXPECT_EQ(j.dump(), R"({"a":3,"b":1,"c":{"y":1,"z":0}})");
  // a large object in reverse order: sorted once, not by insertion
  std::string big = "{";
  for (int i = 50000; i > 0; --i) big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + (i > 1 ? "," : "}");
  const Json b = Json::parse(big);
  ASSERT_TRUE(b.is_object());
  EXPECT_EQ(b.size(), 50000u);
  EXPECT_EQ(b["k777"].get<int>(), 777);
  EXPECT_EQ(b.dump(), nl_dump(nl::parse(big)));
}

}  // namespace
}  // namespace parley
