// The binary frames of the RongCloud v2 Web protocol (PROTOCOL.md §3), one typed struct
// per frame kind and direction. Client->server and server->client layouts differ (a server
// PUBLISH carries a date first, a server PUBACK carries status/time/msgUId), so each
// direction has its own variant.
//
// There is no length field: one WebSocket message is exactly one frame, and the protobuf
// payload is "the rest of the frame". Payloads stay opaque bytes here; see payload.h for
// decoding them by topic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/result.h"

namespace parley::codec {

enum class FrameType : uint8_t {
  kConnect = 1,  // never on the wire: authentication is in the WebSocket URL
  kConnAck = 2,
  kPublish = 3,
  kPubAck = 4,
  kQuery = 5,
  kQueryAck = 6,
  kQueryCon = 7,
  kPingReq = 12,
  kPingResp = 13,
  kDisconnect = 14,
};

// Name as used in logs and the JSON form ("PUBLISH"); "UNKNOWN" for other values.
const char* frame_type_name(FrameType type);

// The low nibble of the header byte: header = type<<4 | dup<<3 | qos<<1 | retain.
struct Flags {
  uint8_t qos = 0;      // 0..3
  bool dup = false;     // on a server PUBLISH: "syncMsg", own message from another device
  bool retain = false;
  bool operator==(const Flags& o) const {
    return qos == o.qos && dup == o.dup && retain == o.retain;
  }
};

uint8_t header_byte(FrameType type, Flags flags);

// ---- client -> server -------------------------------------------------------------

// PUBLISH (0x32 for messages) and QUERY (0x50): UTF topic, UTF targetId, u16 messageId,
// protobuf. No date field in this direction.
struct ClientPublish {
  Flags flags{1, false, false};
  std::string topic;
  std::string target_id;
  uint16_t message_id = 0;  // 0 for status messages (typing), which expect no answer
  std::string payload;
};
struct ClientQuery {
  Flags flags{};
  std::string topic;
  std::string target_id;
  uint16_t message_id = 0;
  std::string payload;
};
// Acknowledges a server PUBLISH with qos > 0.
struct ClientPubAck {
  Flags flags{};
  uint16_t message_id = 0;
};
// Confirms a server QUERYACK with qos > 0.
struct ClientQueryCon {
  Flags flags{};
  uint16_t message_id = 0;
};
struct PingReq {
  Flags flags{};
};

using ClientFrame = std::variant<ClientPublish, ClientQuery, ClientPubAck, ClientQueryCon, PingReq>;

// ---- server -> client -------------------------------------------------------------

// CONNACK: u8 reserved, u8 status, then (long form) UTF userId, UTF sessionId, u64 ms.
// The short form (status only) is used for refusals; an accepted CONNACK must carry the
// identity, so `20 00 00` alone is rejected as a truncated frame.
struct ConnAck {
  Flags flags{};
  uint8_t reserved = 0;
  uint8_t status = 0;
  bool has_identity = false;
  std::string user_id;
  std::string session_id;
  uint64_t timestamp_ms = 0;
};
// PUBLISH: u32 date (s) first, then UTF topic, UTF targetId, u16 messageId, protobuf.
struct ServerPublish {
  Flags flags{1, false, false};
  uint32_t date = 0;
  std::string topic;
  std::string target_id;
  uint16_t message_id = 0;
  std::string payload;
};
// PUBACK: u16 messageId, u32 date (s), u16 status, u16 millis, UTF msgUId.
// sentTime of the acknowledged message = date * 1000 + millis.
struct ServerPubAck {
  Flags flags{};
  uint16_t message_id = 0;
  uint32_t date = 0;
  uint16_t status = 0;
  uint16_t millis = 0;
  std::string msg_uid;
};
// QUERYACK: u16 messageId, u32 date (s), u16 status, protobuf (type given by the
// request's topic: QUERYACK carries none).
struct QueryAck {
  Flags flags{};
  uint16_t message_id = 0;
  uint32_t date = 0;
  uint16_t status = 0;
  std::string payload;
};
struct PingResp {
  Flags flags{};
};
// DISCONNECT: u8 reserved, u8 status (1 = kicked by another login, 2 = blocked, ...).
struct Disconnect {
  Flags flags{};
  uint8_t reserved = 0;
  uint8_t status = 0;
};

using ServerFrame =
    std::variant<ConnAck, ServerPublish, ServerPubAck, QueryAck, PingResp, Disconnect>;

// Limits applied while decoding. Frames larger than max_frame_bytes are refused before
// any parsing, so a hostile peer cannot make us walk a huge buffer.
struct DecodeLimits {
  size_t max_frame_bytes = 4 * 1024 * 1024;
};

// Decodes exactly one frame; trailing bytes, truncation, unknown types and bad strings
// are errors. Never reads outside `bytes`.
Result<ClientFrame> decode_client_frame(std::string_view bytes, const DecodeLimits& limits = {});
Result<ServerFrame> decode_server_frame(std::string_view bytes, const DecodeLimits& limits = {});

// Encodes a frame. Strings are written as the official encoder does (CESU-8, u16 length);
// a string longer than 65535 bytes cannot be framed and is an error (kOversized).
Result<std::string> encode_client_frame(const ClientFrame& frame);
Result<std::string> encode_server_frame(const ServerFrame& frame);

FrameType frame_type(const ClientFrame& frame);
FrameType frame_type(const ServerFrame& frame);

// The messageId a frame carries, 0 for frames without one (PINGREQ, CONNACK, ...).
uint16_t message_id_of(const ClientFrame& frame);
uint16_t message_id_of(const ServerFrame& frame);

}  // namespace parley::codec
