// What comes off the network is hostile until decoded (STYLE.md 10). Every cut of every
// golden frame, each class of malformed frame and a smoke run of random bytes must give an
// error value (with the right ErrorCode where we can say which), never a crash or a read
// past the end. The real fuzzing is in tests/fuzz; this is the deterministic floor.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>


#include "codec/frame.h"
#include "codec/frame_json.h"
#include "codec/hex.h"

namespace parley::codec::testing {

// Defined in golden_test.cc: visits every block of tests/fixtures/golden_frames.txt.
void for_each_golden_frame(
    const std::function<void(const std::string& title, bool from_client,
                             const std::string& ack_topic, const std::string& bytes)>& visit);

namespace {

using json = parley::Json;

std::string bytes(const std::string& hex) {
  std::string out;
  EXPECT_TRUE(from_hex(hex, out)) << hex;
  return out;
}

// Size of the opaque payload of any frame struct (0 for frames without one).
template <class T, class = void>
struct HasPayload : std::false_type {};
template <class T>
struct HasPayload<T, std::void_t<decltype(std::declval<T>().payload)>> : std::true_type {};

template <class FrameVariant>
size_t payload_size_of(const FrameVariant& frame) {
  return std::visit(
      [](const auto& f) -> size_t {
        if constexpr (HasPayload<std::decay_t<decltype(f)>>::value) {
          return f.payload.size();
        } else {
          return 0;
        }
      },
      frame);
}

// The whole receive path for one frame: frame decode, then the payload decoded by topic
// (frame_to_json). `payload_size` receives the size of the frame's opaque payload.
Result<json> decode_with_body(bool from_client, std::string_view wire,
                              const std::string& ack_topic = {}, const DecodeLimits& limits = {},
                              size_t* payload_size = nullptr) {
  auto render = [&](const auto& frame, auto... ack) -> Result<json> {
    if (payload_size) *payload_size = payload_size_of(frame);
    return frame_to_json(frame, ack...);
  };
  if (from_client) {
    auto frame = decode_client_frame(wire, limits);
    if (!frame) return frame.error();
    return render(frame.value());
  }
  auto frame = decode_server_frame(wire, limits);
  if (!frame) return frame.error();
  return render(frame.value(), std::string_view(ack_topic));
}

Result<std::string> encode_json(bool from_client, const json& j) {
  if (from_client) {
    auto frame = client_frame_from_json(j);
    if (!frame) return frame.error();
    return encode_client_frame(frame.value());
  }
  auto frame = server_frame_from_json(j);
  if (!frame) return frame.error();
  return encode_server_frame(frame.value());
}

const char* direction(bool from_client) { return from_client ? "client" : "server"; }

::testing::AssertionResult FailsWith(const Result<json>& r, ErrorCode want) {
  if (r.ok()) return ::testing::AssertionFailure() << "decoded as " << r.value().dump();
  if (r.error().code != want) {
    return ::testing::AssertionFailure() << "error " << static_cast<int>(r.error().code)
                                         << " (" << r.error().message << "), want "
                                         << static_cast<int>(want);
  }
  return ::testing::AssertionSuccess();
}

void expect_error(bool from_client, const std::string& hex, ErrorCode want,
                  const std::string& ack_topic = {}) {
  EXPECT_TRUE(FailsWith(decode_with_body(from_client, bytes(hex), ack_topic), want))
      << direction(from_client) << " frame " << hex;
}

// ---- (a) every cut of every golden frame --------------------------------------------

// The protocol has no length field: a frame ends where the WebSocket message ends, and the
// protobuf payload is "the rest". A cut inside the payload exactly at a field boundary that
// leaves every required field present is therefore a valid, shorter message, and no
// decoder can tell. For those cuts we check that it is exactly that (the cut is in the
// payload, the decoded body differs from the full one, and it re-encodes to the cut bytes,
// which proves the cut is on a field boundary) and count them.
TEST(Truncation, EveryCutOfEveryGoldenFrameFailsOrIsAShorterValidPayload) {
  size_t frames = 0, cuts = 0, errors = 0, field_boundary = 0, opaque = 0;
  for_each_golden_frame([&](const std::string& title, bool from_client,
                            const std::string& ack_topic, const std::string& wire) {
    SCOPED_TRACE(title);
    ++frames;
    size_t payload_size = 0;
    auto full = decode_with_body(from_client, wire, ack_topic, {}, &payload_size);
    ASSERT_TRUE(full.ok()) << full.error().message;
    const size_t payload_start = wire.size() - payload_size;
    for (size_t cut = 0; cut < wire.size(); ++cut) {
      ++cuts;
      const std::string prefix = wire.substr(0, cut);
      auto part = decode_with_body(from_client, prefix, ack_topic);
      if (!part.ok()) {
        ++errors;
        continue;
      }
      SCOPED_TRACE("cut at " + std::to_string(cut) + ": " + part.value().dump());
      ASSERT_GE(cut, payload_start) << "a cut outside the payload decoded";
      if (part.value().contains("body")) {
        EXPECT_NE(part.value()["body"], full.value()["body"]);
        auto reencoded = encode_json(from_client, part.value());
        ASSERT_TRUE(reencoded.ok()) << reencoded.error().message;
        EXPECT_EQ(to_hex(reencoded.value()), to_hex(prefix)) << "not a field boundary";
        ++field_boundary;
      } else {
        // bodyHex: a payload of unknown type is opaque, any cut of it is "valid".
        ASSERT_TRUE(part.value().contains("bodyHex"));
        EXPECT_NE(part.value()["bodyHex"], full.value()["bodyHex"]);
        ++opaque;
      }
    }
  });
  std::printf(
      "[          ] %zu frames, %zu cuts: %zu errors, %zu valid shorter payloads "
      "(%zu at protobuf field boundaries, %zu in opaque bodyHex payloads)\n",
      frames, cuts, errors, field_boundary + opaque, field_boundary, opaque);
  ASSERT_GT(frames, 0u);
  EXPECT_EQ(errors + field_boundary + opaque, cuts);
  EXPECT_LT(field_boundary + opaque, cuts / 10) << "too many cuts decode; is a check missing?";
}

// ---- (b) classes of garbage ---------------------------------------------------------

TEST(Garbage, EmptyInput) {
  expect_error(true, "", ErrorCode::kTruncated);
  expect_error(false, "", ErrorCode::kTruncated);
}

// Each direction carries only its own frame types; CONNECT (1), SUBSCRIBE..UNSUBACK
// (8-11), 0 and 15 appear in neither.
TEST(Garbage, FrameTypesTheDirectionNeverCarries) {
  const std::vector<int> client_types = {3, 4, 5, 7, 12};
  const std::vector<int> server_types = {2, 3, 4, 6, 13, 14};
  for (bool from_client : {true, false}) {
    const auto& carried = from_client ? client_types : server_types;
    for (int type = 0; type < 16; ++type) {
      if (std::find(carried.begin(), carried.end(), type) != carried.end()) continue;
      for (int low : {0x0, 0x2, 0xf}) {  // flags do not matter
        const std::string header = to_hex(std::string(1, static_cast<char>(type << 4 | low)));
        // the bare header, and the header with a plausible body behind it
        expect_error(from_client, header, ErrorCode::kBadFrameType);
        expect_error(from_client, header + "0007 6553f100 0000 0000", ErrorCode::kBadFrameType);
      }
    }
  }
}

TEST(Garbage, TrailingBytesAfterFixedSizeFrames) {
  expect_error(true, "40 0007 00", ErrorCode::kTrailingBytes);        // PUBACK
  expect_error(true, "70 0007 ff", ErrorCode::kTrailingBytes);        // QUERYCON
  expect_error(true, "c0 00", ErrorCode::kTrailingBytes);             // PINGREQ
  expect_error(false, "d0 00", ErrorCode::kTrailingBytes);            // PINGRESP
  expect_error(false, "e0 00 01 00", ErrorCode::kTrailingBytes);      // DISCONNECT
  expect_error(false, "40 0005 6553f100 0000 007b 0001 41 42", ErrorCode::kTrailingBytes);
  expect_error(false, "20 00 00 0005 7573657241 0002 7331 0000018bcfe5687b 00",
               ErrorCode::kTrailingBytes);                            // CONNACK, long form
  // The client reads the long form whenever more than the status follows, so one extra
  // byte after a short CONNACK is a truncated userId, not trailing garbage.
  expect_error(false, "20 00 04 00", ErrorCode::kTruncated);
}

TEST(Garbage, TruncatedFixedFields) {
  expect_error(true, "40 00", ErrorCode::kTruncated);
  expect_error(true, "32 0006 70704d736750 0005 7573657242 00", ErrorCode::kTruncated);
  expect_error(false, "20 00", ErrorCode::kTruncated);
  expect_error(false, "20 00 00", ErrorCode::kTruncated);  // accepted needs the identity
  expect_error(false, "32 6553f1", ErrorCode::kTruncated);
  expect_error(false, "40 0005 6553f100 0000 00", ErrorCode::kTruncated);
  expect_error(false, "62 0003 6553f100 00", ErrorCode::kTruncated);
  expect_error(false, "e0 00", ErrorCode::kTruncated);
}

TEST(Garbage, StringLengthBeyondTheEnd) {
  expect_error(true, "32 0006 7070", ErrorCode::kTruncated);
  expect_error(true, "50 ffff 70756c6c4d7367", ErrorCode::kTruncated);
  expect_error(true, "32 0006 70704d736750 0100 7573657242 0001", ErrorCode::kTruncated);
  expect_error(false, "32 6553f100 0005 735f6e7466 0009 7573657242 0001", ErrorCode::kTruncated);
  expect_error(false, "20 00 00 0040 7573657241", ErrorCode::kTruncated);
  expect_error(false, "40 0005 6553f100 0000 007b 0013 424655", ErrorCode::kTruncated);
}

TEST(Garbage, InvalidUtf8InFrameStrings) {
  expect_error(true, "32 0002 c0af 0005 7573657242 0001", ErrorCode::kBadString);  // topic
  expect_error(true, "50 0002 ff41 0005 7573657241 0002", ErrorCode::kBadString);
  expect_error(true, "32 0006 70704d736750 0002 c328 0001", ErrorCode::kBadString);  // targetId
  expect_error(false, "32 6553f100 0002 80ff 0005 7573657242 0001", ErrorCode::kBadString);
  expect_error(false, "20 00 00 0001 ff 0002 7331 0000018bcfe5687b", ErrorCode::kBadString);
  expect_error(false, "40 0005 6553f100 0000 007b 0002 e282", ErrorCode::kBadString);
}

TEST(Garbage, OversizedFrames) {
  const std::string pubAck = bytes("40 0007");
  EXPECT_TRUE(decode_with_body(true, pubAck, {}, DecodeLimits{3}).ok());
  EXPECT_TRUE(FailsWith(decode_with_body(true, pubAck, {}, DecodeLimits{2}), ErrorCode::kOversized));
  EXPECT_TRUE(FailsWith(decode_with_body(false, bytes("e0 00 01"), {}, DecodeLimits{2}),
                        ErrorCode::kOversized));
  // The default limit (4 MiB), refused before any parsing.
  std::string huge = bytes("32 0000 0000 0001");
  huge.resize(DecodeLimits{}.max_frame_bytes + 1, '\0');
  EXPECT_TRUE(FailsWith(decode_with_body(true, huge), ErrorCode::kOversized));
  huge.resize(DecodeLimits{}.max_frame_bytes);
  EXPECT_TRUE(decode_client_frame(huge).ok());
}

// A client PUBLISH ppMsgP to userB, id 1, with `payload_hex` as its UpStreamMessage.
std::string up_stream_frame(const std::string& payload_hex) {
  return "32 0006 70704d736750 0005 7573657242 0001 " + payload_hex;
}

TEST(Garbage, ProtobufWrongWireType) {
  expect_error(true, up_stream_frame("0a 01 03 12 01 41 1a 00"), ErrorCode::kBadProtobuf);  // int as LEN
  expect_error(true, up_stream_frame("08 03 10 05 1a 00"), ErrorCode::kBadProtobuf);  // string as varint
  expect_error(true, up_stream_frame("08 03 15 00000000 1a 00"), ErrorCode::kBadProtobuf);  // fixed32
  expect_error(true, up_stream_frame("08 03 12 01 41 1b 1c"), ErrorCode::kBadProtobuf);  // group
  expect_error(true, up_stream_frame("08 03 12 01 41 1a 00 7e"), ErrorCode::kBadProtobuf);  // type 6
  expect_error(true, up_stream_frame("00 00"), ErrorCode::kBadProtobuf);  // field number 0
}

TEST(Garbage, ProtobufTruncatedAndOverlongVarints) {
  expect_error(true, up_stream_frame("08 80"), ErrorCode::kBadProtobuf);  // truncated value
  expect_error(true, up_stream_frame("08 03 12 01 41 1a 00 c8"), ErrorCode::kBadProtobuf);  // key
  expect_error(true, up_stream_frame("08 03 12 09 5243"), ErrorCode::kBadProtobuf);  // LEN > rest
  // 11 bytes: longer than any 64-bit varint
  expect_error(true, up_stream_frame("08 ffffffffffffffffffff01 12 01 41 1a 00"),
               ErrorCode::kBadProtobuf);
  // 10 bytes whose last carries more than bit 63
  expect_error(true, up_stream_frame("08 ffffffffffffffffff02 12 01 41 1a 00"),
               ErrorCode::kBadProtobuf);
  // an unknown field is skipped, but must still be well formed
  expect_error(true, up_stream_frame("08 03 12 01 41 1a 00 f8 07 80"), ErrorCode::kBadProtobuf);
  expect_error(true, up_stream_frame("08 03 12 01 41 1a 00 fa 07 05 00"), ErrorCode::kBadProtobuf);
}

TEST(Garbage, ProtobufMissingRequiredFields) {
  expect_error(true, up_stream_frame(""), ErrorCode::kBadProtobuf);
  expect_error(true, up_stream_frame("08 03 1a 02 7b7d"), ErrorCode::kBadProtobuf);  // no classname
  // QUERYACK pullMsg, status 0, DownStreamMessages without syncTime
  expect_error(false, "62 0003 6553f100 0000", ErrorCode::kBadProtobuf, "pullMsg");
  expect_error(false, "62 0003 6553f100 0000 1801", ErrorCode::kBadProtobuf, "pullMsg");
  // s_ntf NotifyMsg without type
  expect_error(false, "32 6553f100 0005 735f6e7466 0005 7573657242 0001 10 01",
               ErrorCode::kBadProtobuf);
}

TEST(Garbage, ProtobufStringFieldThatIsNotUtf8) {
  expect_error(true, up_stream_frame("08 03 12 02 c0af 1a 00"), ErrorCode::kBadProtobuf);
}

// Thousands of nested length-delimited fields. The schema has no recursive message (its
// deepest nesting is 3), so decoding follows the schema and fails where the bytes stop
// matching it; the depth limit of pb_json.cc is a backstop that cannot be reached here.
TEST(Garbage, ProtobufNestingBomb) {
  std::string nested;
  for (int i = 0; i < 2000; ++i) {
    std::string key_len = "\x0a";
    for (size_t n = nested.size(); ; n >>= 7) {  // varint length
      if (n < 0x80) { key_len.push_back(static_cast<char>(n)); break; }
      key_len.push_back(static_cast<char>((n & 0x7f) | 0x80));
    }
    nested = key_len + nested;
  }
  const std::string ack = bytes("62 0006 6553f100 0000") + nested;  // RelationsOutput.info...
  EXPECT_TRUE(FailsWith(decode_with_body(false, ack, "qryRelationR"), ErrorCode::kBadProtobuf));
  const std::string s_msg = bytes("32 6553f100 0005 735f6d7367 0005 7573657242 0001") + nested;
  EXPECT_TRUE(FailsWith(decode_with_body(false, s_msg), ErrorCode::kBadProtobuf));
}

// ---- random bytes -------------------------------------------------------------------

// Not fuzzing (tests/fuzz has that), a deterministic smoke run: 100k random inputs per
// direction must never crash; ok or error are both fine. Half of them start with a
// header byte the direction carries so that the body parsers see the noise too.
TEST(Garbage, RandomBytesNeverCrash) {
  std::mt19937 rng(20240607);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<size_t> length(0, 64);
  const uint8_t client_headers[] = {0x32, 0x30, 0x50, 0x40, 0x70, 0xc0};
  const uint8_t server_headers[] = {0x20, 0x32, 0x3a, 0x40, 0x62, 0xd0, 0xe0};
  const char* ack_topics[] = {"", "pullMsg", "qryRelationR", "setSeAtt", "joinChrm"};
  for (bool from_client : {true, false}) {
    size_t ok = 0;
    for (int i = 0; i < 100000; ++i) {
      std::string input(length(rng), '\0');
      for (char& c : input) c = static_cast<char>(byte(rng));
      if (!input.empty() && i % 2 == 0) {
        input[0] = static_cast<char>(from_client ? client_headers[i / 2 % 6]
                                                 : server_headers[i / 2 % 7]);
      }
      auto out = decode_with_body(from_client, input, ack_topics[i % 5]);
      if (out.ok()) ++ok;
    }
    std::printf("[          ] %s: 100000 random inputs, %zu decoded, the rest errors\n",
                direction(from_client), ok);
  }
}

}  // namespace
}  // namespace parley::codec::testing
