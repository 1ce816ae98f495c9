#include "codec/frame.h"

#include "codec/byte_io.h"
#include "common/decimal.h"

namespace parley::codec {
namespace {

Error truncated(const char* frame, const char* field) {
  return make_error(ErrorCode::kTruncated,
                    std::string(frame) + " truncated in " + field);
}

Error trailing(const char* frame, const ByteReader& r) {
  return make_error(ErrorCode::kTrailingBytes, std::string(frame) + " has " +
                                                   decimal(r.remaining()) +
                                                   " unexpected trailing bytes");
}

Flags flags_of(uint8_t header) {
  return Flags{static_cast<uint8_t>((header >> 1) & 0x3), (header & 0x8) != 0,
               (header & 0x1) != 0};
}

// Reads the (topic, targetId, messageId) block shared by both PUBLISH layouts and QUERY.
template <class F>
Result<Unit> read_topic_block(ByteReader& r, F& f, const char* name) {
  auto topic = r.utf("topic");
  if (!topic) return topic.error();
  auto target = r.utf("targetId");
  if (!target) return target.error();
  if (!r.u16(f.message_id)) return truncated(name, "messageId");
  f.topic = std::move(topic).value();
  f.target_id = std::move(target).value();
  f.payload = r.rest();
  return Unit{};
}

Error too_large(size_t size, const DecodeLimits& limits) {
  return make_error(ErrorCode::kOversized, "frame of " + decimal(size) +
                                               " bytes exceeds the limit of " +
                                               decimal(limits.max_frame_bytes));
}

Error empty_frame() { return make_error(ErrorCode::kTruncated, "empty frame"); }

Error string_too_long(const char* field) {
  return make_error(ErrorCode::kOversized,
                    std::string(field) + " is longer than 65535 bytes and cannot be framed");
}

}  // namespace

const char* frame_type_name(FrameType type) {
  switch (type) {
    case FrameType::kConnect: return "CONNECT";
    case FrameType::kConnAck: return "CONNACK";
    case FrameType::kPublish: return "PUBLISH";
    case FrameType::kPubAck: return "PUBACK";
    case FrameType::kQuery: return "QUERY";
    case FrameType::kQueryAck: return "QUERYACK";
    case FrameType::kQueryCon: return "QUERYCON";
    case FrameType::kPingReq: return "PINGREQ";
    case FrameType::kPingResp: return "PINGRESP";
    case FrameType::kDisconnect: return "DISCONNECT";
  }
  return "UNKNOWN";
}

uint8_t header_byte(FrameType type, Flags flags) {
  return static_cast<uint8_t>((static_cast<uint8_t>(type) << 4) | (flags.dup ? 0x8 : 0) |
                              ((flags.qos & 0x3) << 1) | (flags.retain ? 1 : 0));
}

// ---- client -> server ---------------------------------------------------------------

Result<ClientFrame> decode_client_frame(std::string_view bytes, const DecodeLimits& limits) {
  if (bytes.empty()) return empty_frame();
  if (bytes.size() > limits.max_frame_bytes) return too_large(bytes.size(), limits);
  ByteReader r(bytes);
  uint8_t header = 0;
  r.u8(header);
  const Flags flags = flags_of(header);
  const auto type = static_cast<FrameType>(header >> 4);
  switch (type) {
    case FrameType::kPublish: {
      ClientPublish f;
      f.flags = flags;
      auto st = read_topic_block(r, f, "PUBLISH");
      if (!st) return st.error();
      return ClientFrame{std::move(f)};
    }
    case FrameType::kQuery: {
      ClientQuery f;
      f.flags = flags;
      auto st = read_topic_block(r, f, "QUERY");
      if (!st) return st.error();
      return ClientFrame{std::move(f)};
    }
    case FrameType::kPubAck: {
      ClientPubAck f;
      f.flags = flags;
      if (!r.u16(f.message_id)) return truncated("PUBACK", "messageId");
      if (!r.at_end()) return trailing("PUBACK", r);
      return ClientFrame{f};
    }
    case FrameType::kQueryCon: {
      ClientQueryCon f;
      f.flags = flags;
      if (!r.u16(f.message_id)) return truncated("QUERYCON", "messageId");
      if (!r.at_end()) return trailing("QUERYCON", r);
      return ClientFrame{f};
    }
    case FrameType::kPingReq: {
      if (!r.at_end()) return trailing("PINGREQ", r);
      return ClientFrame{PingReq{flags}};
    }
    default:
      return make_error(ErrorCode::kBadFrameType,
                        "frame type " + decimal(header >> 4) + " (" +
                            frame_type_name(type) + ") is not sent by a client");
  }
}

Result<std::string> encode_client_frame(const ClientFrame& frame) {
  ByteWriter w;
  w.u8(header_byte(frame_type(frame), std::visit([](auto& f) { return f.flags; }, frame)));
  if (auto* p = std::get_if<ClientPublish>(&frame)) {
    if (!w.utf(p->topic)) return string_too_long("topic");
    if (!w.utf(p->target_id)) return string_too_long("targetId");
    w.u16(p->message_id);
    w.raw(p->payload);
  } else if (auto* q = std::get_if<ClientQuery>(&frame)) {
    if (!w.utf(q->topic)) return string_too_long("topic");
    if (!w.utf(q->target_id)) return string_too_long("targetId");
    w.u16(q->message_id);
    w.raw(q->payload);
  } else if (auto* a = std::get_if<ClientPubAck>(&frame)) {
    w.u16(a->message_id);
  } else if (auto* c = std::get_if<ClientQueryCon>(&frame)) {
    w.u16(c->message_id);
  }
  return w.take();
}

FrameType frame_type(const ClientFrame& frame) {
  switch (frame.index()) {
    case 0: return FrameType::kPublish;
    case 1: return FrameType::kQuery;
    case 2: return FrameType::kPubAck;
    case 3: return FrameType::kQueryCon;
    default: return FrameType::kPingReq;
  }
}

uint16_t message_id_of(const ClientFrame& frame) {
  return std::visit(
      [](auto& f) -> uint16_t {
        if constexpr (std::is_same_v<std::decay_t<decltype(f)>, PingReq>) {
          return 0;
        } else {
          return f.message_id;
        }
      },
      frame);
}

// ---- server -> client ---------------------------------------------------------------

Result<ServerFrame> decode_server_frame(std::string_view bytes, const DecodeLimits& limits) {
  if (bytes.empty()) return empty_frame();
  if (bytes.size() > limits.max_frame_bytes) return too_large(bytes.size(), limits);
  ByteReader r(bytes);
  uint8_t header = 0;
  r.u8(header);
  const Flags flags = flags_of(header);
  const auto type = static_cast<FrameType>(header >> 4);
  switch (type) {
    case FrameType::kConnAck: {
      ConnAck f;
      f.flags = flags;
      if (!r.u8(f.reserved)) return truncated("CONNACK", "reserved byte");
      if (!r.u8(f.status)) return truncated("CONNACK", "status");
      if (r.at_end()) {
        // Short form: only a refusal may omit the identity.
        if (f.status == 0) {
          return make_error(ErrorCode::kTruncated,
                            "CONNACK with status 0 (accepted) lacks userId/sessionId/timestamp");
        }
        return ServerFrame{std::move(f)};
      }
      f.has_identity = true;
      auto user = r.utf("userId");
      if (!user) return user.error();
      auto session = r.utf("sessionId");
      if (!session) return session.error();
      if (!r.u64(f.timestamp_ms)) return truncated("CONNACK", "timestamp");
      if (!r.at_end()) return trailing("CONNACK", r);
      f.user_id = std::move(user).value();
      f.session_id = std::move(session).value();
      return ServerFrame{std::move(f)};
    }
    case FrameType::kPublish: {
      ServerPublish f;
      f.flags = flags;
      if (!r.u32(f.date)) return truncated("PUBLISH", "date");
      auto st = read_topic_block(r, f, "PUBLISH");
      if (!st) return st.error();
      return ServerFrame{std::move(f)};
    }
    case FrameType::kPubAck: {
      ServerPubAck f;
      f.flags = flags;
      if (!r.u16(f.message_id)) return truncated("PUBACK", "messageId");
      if (!r.u32(f.date)) return truncated("PUBACK", "date");
      if (!r.u16(f.status)) return truncated("PUBACK", "status");
      if (!r.u16(f.millis)) return truncated("PUBACK", "millis");
      auto uid = r.utf("msgUId");
      if (!uid) return uid.error();
      if (!r.at_end()) return trailing("PUBACK", r);
      f.msg_uid = std::move(uid).value();
      return ServerFrame{std::move(f)};
    }
    case FrameType::kQueryAck: {
      QueryAck f;
      f.flags = flags;
      if (!r.u16(f.message_id)) return truncated("QUERYACK", "messageId");
      if (!r.u32(f.date)) return truncated("QUERYACK", "date");
      if (!r.u16(f.status)) return truncated("QUERYACK", "status");
      f.payload = r.rest();
      return ServerFrame{std::move(f)};
    }
    case FrameType::kPingResp: {
      if (!r.at_end()) return trailing("PINGRESP", r);
      return ServerFrame{PingResp{flags}};
    }
    case FrameType::kDisconnect: {
      Disconnect f;
      f.flags = flags;
      if (!r.u8(f.reserved)) return truncated("DISCONNECT", "reserved byte");
      if (!r.u8(f.status)) return truncated("DISCONNECT", "status");
      if (!r.at_end()) return trailing("DISCONNECT", r);
      return ServerFrame{f};
    }
    default:
      return make_error(ErrorCode::kBadFrameType,
                        "frame type " + decimal(header >> 4) + " (" +
                            frame_type_name(type) + ") is not sent by a server");
  }
}

Result<std::string> encode_server_frame(const ServerFrame& frame) {
  ByteWriter w;
  w.u8(header_byte(frame_type(frame), std::visit([](auto& f) { return f.flags; }, frame)));
  if (auto* c = std::get_if<ConnAck>(&frame)) {
    w.u8(c->reserved);
    w.u8(c->status);
    if (c->has_identity) {
      if (!w.utf(c->user_id)) return string_too_long("userId");
      if (!w.utf(c->session_id)) return string_too_long("sessionId");
      w.u64(c->timestamp_ms);
    }
  } else if (auto* p = std::get_if<ServerPublish>(&frame)) {
    w.u32(p->date);
    if (!w.utf(p->topic)) return string_too_long("topic");
    if (!w.utf(p->target_id)) return string_too_long("targetId");
    w.u16(p->message_id);
    w.raw(p->payload);
  } else if (auto* a = std::get_if<ServerPubAck>(&frame)) {
    w.u16(a->message_id);
    w.u32(a->date);
    w.u16(a->status);
    w.u16(a->millis);
    if (!w.utf(a->msg_uid)) return string_too_long("msgUId");
  } else if (auto* q = std::get_if<QueryAck>(&frame)) {
    w.u16(q->message_id);
    w.u32(q->date);
    w.u16(q->status);
    w.raw(q->payload);
  } else if (auto* d = std::get_if<Disconnect>(&frame)) {
    w.u8(d->reserved);
    w.u8(d->status);
  }
  return w.take();
}

FrameType frame_type(const ServerFrame& frame) {
  switch (frame.index()) {
    case 0: return FrameType::kConnAck;
    case 1: return FrameType::kPublish;
    case 2: return FrameType::kPubAck;
    case 3: return FrameType::kQueryAck;
    case 4: return FrameType::kPingResp;
    default: return FrameType::kDisconnect;
  }
}

uint16_t message_id_of(const ServerFrame& frame) {
  if (auto* p = std::get_if<ServerPublish>(&frame)) return p->message_id;
  if (auto* a = std::get_if<ServerPubAck>(&frame)) return a->message_id;
  if (auto* q = std::get_if<QueryAck>(&frame)) return q->message_id;
  return 0;
}

}  // namespace parley::codec
