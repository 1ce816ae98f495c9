// Frame strings (PROTOCOL.md §3.2): the official writeUTF emits CESU-8 (each UTF-16 code
// unit on its own), its reader takes 1-4 byte UTF-8. We read both, hand out valid UTF-8,
// and write CESU-8 like the official encoder.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "codec/frame.h"
#include "codec/hex.h"
#include "codec/utf.h"

namespace parley::codec {
namespace {

std::string bytes(const char* hex) {
  std::string out;
  EXPECT_TRUE(from_hex(hex, out)) << hex;
  return out;
}

const std::string kEmojiUtf8 = "\xf0\x9f\x98\x80";            // U+1F600
const std::string kEmojiCesu8 = "\xed\xa0\xbd\xed\xb8\x80";   // D83D DE00
const std::string kReplacement = "\xef\xbf\xbd";              // U+FFFD

void expect_converts(const std::string& in, const std::string& want) {
  auto out = cesu8_to_utf8(in);
  ASSERT_TRUE(out.ok()) << to_hex(in) << ": " << out.error().message;
  EXPECT_EQ(to_hex(out.value()), to_hex(want)) << "input " << to_hex(in);
  EXPECT_TRUE(is_valid_utf8(out.value())) << "output of " << to_hex(in);
}

void expect_rejected(const std::string& in) {
  auto out = cesu8_to_utf8(in);
  ASSERT_FALSE(out.ok()) << to_hex(in) << " accepted as " << to_hex(out.value());
  EXPECT_EQ(out.error().code, ErrorCode::kBadString) << to_hex(in);
  EXPECT_FALSE(is_valid_utf8(in)) << to_hex(in);
}

// The bytes the encoder writes for `s` as a frame string: encodes a QUERY whose topic is
// `s` and returns what follows the header byte up to the targetId ("" -> 00 00).
std::string written_as_frame_string(const std::string& s) {
  ClientQuery q;
  q.topic = s;
  auto frame = encode_client_frame(ClientFrame{q});
  EXPECT_TRUE(frame.ok());
  if (!frame.ok()) return {};
  const std::string& b = frame.value();
  const size_t topic_end = 1 + 2 + ((static_cast<uint8_t>(b[1]) << 8) | static_cast<uint8_t>(b[2]));
  return b.substr(1, topic_end - 1);
}

// ---- cesu8_to_utf8 ------------------------------------------------------------------

TEST(Cesu8ToUtf8, PassesAsciiAndBmpThrough) {
  expect_converts("", "");
  expect_converts("userA", "userA");
  expect_converts("\xc3\xa9", "\xc3\xa9");                       // é
  expect_converts("\xe4\xbd\xa0\xe5\xa5\xbd", "\xe4\xbd\xa0\xe5\xa5\xbd");  // 你好
  expect_converts("\xef\xbf\xbf", "\xef\xbf\xbf");               // U+FFFF, largest BMP
}

TEST(Cesu8ToUtf8, JoinsSurrogatePairs) {
  expect_converts(kEmojiCesu8, kEmojiUtf8);
  expect_converts("a" + kEmojiCesu8 + "b" + kEmojiCesu8, "a" + kEmojiUtf8 + "b" + kEmojiUtf8);
  expect_converts("\xed\xaf\xbf\xed\xbf\xbf", "\xf4\x8f\xbf\xbf");  // DBFF DFFF = U+10FFFF
}

TEST(Cesu8ToUtf8, AcceptsFourByteUtf8) {
  expect_converts(kEmojiUtf8, kEmojiUtf8);
  expect_converts("\xf0\x90\x80\x80", "\xf0\x90\x80\x80");  // U+10000
  expect_converts("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");  // U+10FFFF
  expect_converts(kEmojiUtf8 + kEmojiCesu8, kEmojiUtf8 + kEmojiUtf8);  // mixed forms
}

// A JS string may hold half an emoji; the official encoder writes it as is.
TEST(Cesu8ToUtf8, LoneSurrogatesBecomeReplacementCharacters) {
  expect_converts("\xed\xa0\xbd", kReplacement);                       // lone high
  expect_converts("\xed\xb8\x80", kReplacement);                       // lone low
  expect_converts("\xed\xa0\xbd" "a", kReplacement + "a");             // high, then no low
  expect_converts("\xed\xa0\xbd\xed\xa0\xbd" "\xed\xb8\x80",           // high, high+low
                  kReplacement + kEmojiUtf8);
  expect_converts("\xed\xb8\x80\xed\xa0\xbd", kReplacement + kReplacement);  // reversed pair
  expect_converts("x\xed\xb8\x80y", "x" + kReplacement + "y");
}

TEST(Cesu8ToUtf8, RejectsOverlongForms) {
  expect_rejected("\xc0\xaf");              // '/' in 2 bytes
  expect_rejected("\xc1\xbf");
  expect_rejected("\xe0\x80\xaf");          // '/' in 3 bytes
  expect_rejected("\xe0\x9f\xbf");          // U+07FF in 3 bytes
  expect_rejected("\xf0\x80\x80\xaf");      // '/' in 4 bytes
  expect_rejected("\xf0\x8f\xbf\xbf");      // U+FFFF in 4 bytes
  expect_rejected("\xc0\x80");              // Java's modified-UTF-8 NUL: not accepted
}

TEST(Cesu8ToUtf8, RejectsBadContinuationAndTruncation) {
  expect_rejected("\x80");                  // stray continuation byte
  expect_rejected("a\xbf" "b");
  expect_rejected("\xc3\x28");              // lead, then ASCII
  expect_rejected("\xe2\x28\xa1");
  expect_rejected("\xe2\x82\x28");
  expect_rejected("\xf0\x9f\x98\x28");
  expect_rejected("\xc3");                  // truncated at the end
  expect_rejected("\xe2\x82");
  expect_rejected("\xf0\x9f\x98");
  expect_rejected("\xed\xa0");              // truncated surrogate
  expect_rejected("\xed\xa0\xbd\xed\xb8");  // pair with a truncated low half
}

TEST(Cesu8ToUtf8, RejectsInvalidLeadBytesAndOutOfRange) {
  expect_rejected("\xf4\x90\x80\x80");      // U+110000
  expect_rejected("\xf5\x80\x80\x80");
  expect_rejected("\xf8\x88\x80\x80\x80");  // 5-byte form
  expect_rejected("\xfc\x84\x80\x80\x80\x80");
  expect_rejected("\xfe");
  expect_rejected("\xff");
}

// ---- utf8_to_cesu8 ------------------------------------------------------------------

TEST(Utf8ToCesu8, SplitsAstralCharactersOnly) {
  EXPECT_EQ(to_hex(utf8_to_cesu8("")), "");
  EXPECT_EQ(utf8_to_cesu8("userA"), "userA");
  EXPECT_EQ(to_hex(utf8_to_cesu8("\xc3\xa9")), "c3a9");
  EXPECT_EQ(to_hex(utf8_to_cesu8("\xe4\xbd\xa0")), "e4bda0");
  EXPECT_EQ(to_hex(utf8_to_cesu8(kEmojiUtf8)), "eda0bdedb880");
  EXPECT_EQ(to_hex(utf8_to_cesu8("\xf4\x8f\xbf\xbf")), "edafbfedbfbf");
  EXPECT_EQ(to_hex(utf8_to_cesu8("a" + kEmojiUtf8 + "\xc3\xa9")), "61eda0bdedb880c3a9");
}

TEST(Utf8ToCesu8, RoundTripsThroughCesu8ToUtf8) {
  for (const std::string& s :
       {std::string(""), std::string("plain"), std::string("\xc3\xa9t\xc3\xa9"),
        std::string("\xe4\xbd\xa0\xe5\xa5\xbd\xef\xbc\x8c\xe4\xb8\x96\xe7\x95\x8c"),
        kEmojiUtf8 + kEmojiUtf8, std::string("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"),
        std::string("mix \xc3\xa9 \xe4\xbd\xa0 ") + kEmojiUtf8 + " end"}) {
    auto back = cesu8_to_utf8(utf8_to_cesu8(s));
    ASSERT_TRUE(back.ok()) << to_hex(s);
    EXPECT_EQ(to_hex(back.value()), to_hex(s));
  }
}

// ---- is_valid_utf8 ------------------------------------------------------------------

TEST(IsValidUtf8, AcceptsOneToFourByteSequences) {
  for (const std::string& s : {std::string(""), std::string("abc"), std::string("\x7f"),
                               std::string("\xc2\x80"), std::string("\xdf\xbf"),
                               std::string("\xe0\xa0\x80"), std::string("\xef\xbf\xbf"),
                               kEmojiUtf8, std::string("\xf4\x8f\xbf\xbf")}) {
    EXPECT_TRUE(is_valid_utf8(s)) << to_hex(s);
  }
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));  // NUL is a character
}

TEST(IsValidUtf8, RejectsSurrogatesOverlongsAndBrokenSequences) {
  for (const std::string& s :
       {kEmojiCesu8, std::string("\xed\xa0\x80"), std::string("\xed\xbf\xbf"),
        std::string("\xc0\x80"), std::string("\xe0\x80\x80"), std::string("\xf0\x80\x80\x80"),
        std::string("\x80"), std::string("\xc3"), std::string("\xc3\x28"),
        std::string("\xf4\x90\x80\x80"), std::string("\xff")}) {
    EXPECT_FALSE(is_valid_utf8(s)) << to_hex(s);
  }
}

// ---- strings in frames --------------------------------------------------------------

// The writeUTF lines of hex_client_frames.txt, e.g. writeUTF("é") -> [0,2,195,169] and
// writeUTF(300 x "a") prefix -> [1,44], against our encoder.
TEST(FrameStrings, MatchTheOfficialWriteUtfExamples) {
  const std::string path = std::string(PARLEY_SHARED_PROTOCOL_DIR) + "/hex_client_frames.txt";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot open " << path;
  static const std::regex kLine(R"re(^writeUTF\((?:(\d+) x )?"(.*)"\)( prefix)? -> \[([0-9,]*)\].*$)re");
  size_t checked = 0;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, kLine)) continue;
    SCOPED_TRACE(line);
    std::string text;
    const int repeat = m[1].matched ? std::stoi(m[1]) : 1;
    for (int i = 0; i < repeat; ++i) text += m[2].str();
    std::string want;
    std::istringstream nums(m[4].str());
    for (std::string n; std::getline(nums, n, ',');) want.push_back(static_cast<char>(std::stoi(n)));
    std::string got = written_as_frame_string(text);
    if (m[3].matched) got = got.substr(0, want.size());  // "prefix": the length only
    EXPECT_EQ(to_hex(got), to_hex(want));
    ++checked;
  }
  EXPECT_GE(checked, 4u) << "expected the 4 writeUTF lines of " << path;
}

TEST(FrameStrings, WriteUtfExamplesExplicitly) {
  EXPECT_EQ(to_hex(written_as_frame_string("")), "0000");
  EXPECT_EQ(to_hex(written_as_frame_string("\xc3\xa9")), "0002c3a9");
  EXPECT_EQ(to_hex(written_as_frame_string(kEmojiUtf8)), "0006eda0bdedb880");
  EXPECT_EQ(to_hex(written_as_frame_string(std::string(300, 'a')).substr(0, 2)), "012c");
}

// The official reader takes 4-byte UTF-8 as well; so do we. Re-encoding then writes the
// official CESU-8 form, so such a frame does not round-trip byte for byte.
TEST(FrameStrings, DecoderAcceptsFourByteUtf8AndEncoderWritesCesu8) {
  // PUBLISH ppMsgP, targetId "😀" as 4-byte UTF-8, messageId 1, empty payload.
  const std::string wire = bytes("32 0006 70704d736750 0004 f09f9880 0001");
  auto frame = decode_client_frame(wire);
  ASSERT_TRUE(frame.ok()) << frame.error().message;
  const auto& p = std::get<ClientPublish>(frame.value());
  EXPECT_EQ(p.target_id, kEmojiUtf8);
  auto again = encode_client_frame(frame.value());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(to_hex(again.value()), "32000670704d7367500006eda0bdedb8800001");
}

TEST(FrameStrings, LoneSurrogateInAFrameStringBecomesReplacementCharacter) {
  const std::string wire = bytes("32 0006 70704d736750 0003 eda0bd 0001");
  auto frame = decode_client_frame(wire);
  ASSERT_TRUE(frame.ok()) << frame.error().message;
  EXPECT_EQ(std::get<ClientPublish>(frame.value()).target_id, kReplacement);
}

TEST(FrameStrings, InvalidUtf8InAFrameStringIsAnError) {
  auto frame = decode_client_frame(bytes("32 0006 70704d736750 0002 c0af 0001"));
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.error().code, ErrorCode::kBadString);
}

// The u16 length counts CESU-8 bytes: 65535 fits, more cannot be framed, and astral
// characters count 6 bytes each, not 4.
TEST(FrameStrings, LengthLimitIsOnTheCesu8Form) {
  ClientQuery q;
  q.topic = std::string(65535, 'a');
  EXPECT_TRUE(encode_client_frame(ClientFrame{q}).ok());
  q.topic = std::string(65536, 'a');
  auto too_long = encode_client_frame(ClientFrame{q});
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kOversized);

  q.topic.clear();
  for (int i = 0; i < 10923; ++i) q.topic += kEmojiUtf8;  // 43692 bytes UTF-8, 65538 CESU-8
  auto astral = encode_client_frame(ClientFrame{q});
  ASSERT_FALSE(astral.ok());
  EXPECT_EQ(astral.error().code, ErrorCode::kOversized);
}

}  // namespace
}  // namespace parley::codec
