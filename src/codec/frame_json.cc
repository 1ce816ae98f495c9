#include "codec/frame_json.h"

#include <cstdint>
#include <limits>

#include "codec/hex.h"
#include "codec/pb_json.h"
#include "codec/topics.h"

namespace parley::codec {
namespace {

using json = parley::Json;

Error bad_json(const std::string& what) { return make_error(ErrorCode::kBadJson, what); }

json header_json(FrameType type, const Flags& f) {
  return json{{"type", frame_type_name(type)}, {"qos", f.qos}, {"dup", f.dup}, {"retain", f.retain}};
}

// Typed field readers: absent or wrong type/range is an error naming the field.
template <class T>
Status get_uint(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end() && it->is_number_integer()) {
    const bool neg = !it->is_number_unsigned() && it->get<int64_t>() < 0;
    const uint64_t v = it->is_number_unsigned() ? it->get<uint64_t>()
                                                : static_cast<uint64_t>(it->get<int64_t>());
    if (!neg && v <= std::numeric_limits<T>::max()) {
      out = static_cast<T>(v);
      return ok_status();
    }
  }
  return bad_json(std::string("\"") + key + "\" must be an integer in range");
}

Status get_string(const json& j, const char* key, std::string& out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return bad_json(std::string("\"") + key + "\" must be a string");
  out = it->get<std::string>();
  return ok_status();
}

Status get_flags(const json& j, Flags& f) {
  f = Flags{};
  if (j.contains("qos")) {
    auto st = get_uint(j, "qos", f.qos);
    if (!st) return st;
    if (f.qos > 3) return bad_json("\"qos\" must be 0..3");
  }
  for (const char* key : {"dup", "retain"}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_boolean()) return bad_json(std::string("\"") + key + "\" must be a boolean");
  }
  f.dup = j.value("dup", false);
  f.retain = j.value("retain", false);
  return ok_status();
}

}  // namespace

Status put_body(json& out, const char* type, std::string_view payload) {
  const schema::MessageDesc* desc = type ? schema::find_message(type) : nullptr;
  if (!desc) {
    out["bodyHex"] = to_hex(payload);
    return ok_status();
  }
  auto body = protobuf_to_json(*desc, payload);
  if (!body) return body.error();
  out["body"] = std::move(body).value();
  return ok_status();
}

Status take_body(const json& in, const char* type, std::string& payload) {
  payload.clear();
  if (in.contains("body")) {
    const schema::MessageDesc* desc = type ? schema::find_message(type) : nullptr;
    if (!desc) return make_error(ErrorCode::kUnknownTopic, "no payload type known for this topic; use bodyHex");
    auto bytes = json_to_protobuf(*desc, in["body"]);
    if (!bytes) return bytes.error();
    payload = std::move(bytes).value();
  } else if (in.contains("bodyHex")) {
    if (!in["bodyHex"].is_string() || !from_hex(in["bodyHex"].get_ref<const std::string&>(), payload))
      return bad_json("\"bodyHex\" must be a hex string");
  }
  return ok_status();
}

Result<json> frame_to_json(const ClientFrame& frame) {
  json out = header_json(frame_type(frame), std::visit([](auto& f) { return f.flags; }, frame));
  auto topic_frame = [&](const auto& f) -> Status {
    out["topic"] = f.topic;
    out["targetId"] = f.target_id;
    out["messageId"] = f.message_id;
    return put_body(out, topics::request_type(f.topic), f.payload);
  };
  if (auto* p = std::get_if<ClientPublish>(&frame)) {
    PARLEY_TRY(topic_frame(*p));
  } else if (auto* q = std::get_if<ClientQuery>(&frame)) {
    PARLEY_TRY(topic_frame(*q));
  } else if (auto* a = std::get_if<ClientPubAck>(&frame)) {
    out["messageId"] = a->message_id;
  } else if (auto* c = std::get_if<ClientQueryCon>(&frame)) {
    out["messageId"] = c->message_id;
  }
  return out;
}

Result<json> frame_to_json(const ServerFrame& frame, std::string_view ack_topic) {
  json out = header_json(frame_type(frame), std::visit([](auto& f) { return f.flags; }, frame));
  if (auto* c = std::get_if<ConnAck>(&frame)) {
    if (c->reserved) out["reserved"] = c->reserved;  // shown only when unusual
    out["status"] = c->status;
    if (c->has_identity) {
      out["userId"] = c->user_id;
      out["sessionId"] = c->session_id;
      out["timestamp"] = c->timestamp_ms;
    }
  } else if (auto* p = std::get_if<ServerPublish>(&frame)) {
    out["date"] = p->date;
    out["topic"] = p->topic;
    out["targetId"] = p->target_id;
    out["messageId"] = p->message_id;
    PARLEY_TRY(put_body(out, topics::server_publish_type(p->topic, p->flags.dup), p->payload));
  } else if (auto* a = std::get_if<ServerPubAck>(&frame)) {
    out["messageId"] = a->message_id;
    out["date"] = a->date;
    out["status"] = a->status;
    out["millis"] = a->millis;
    out["msgUId"] = a->msg_uid;
  } else if (auto* q = std::get_if<QueryAck>(&frame)) {
    out["messageId"] = q->message_id;
    out["date"] = q->date;
    out["status"] = q->status;
    if (!ack_topic.empty()) out["ackTopic"] = std::string(ack_topic);
    // A refused query usually carries no payload; there is nothing to decode then.
    if (!(q->payload.empty() && q->status != 0)) {
      PARLEY_TRY(put_body(out, ack_topic.empty() ? nullptr : topics::response_type(ack_topic),
                          q->payload));
    }
  } else if (auto* d = std::get_if<Disconnect>(&frame)) {
    if (d->reserved) out["reserved"] = d->reserved;
    out["status"] = d->status;
  }
  return out;
}

Result<ClientFrame> client_frame_from_json(const json& j) {
  if (!j.is_object()) return bad_json("a frame must be a JSON object");
  std::string type;
  PARLEY_TRY(get_string(j, "type", type));
  Flags flags;
  PARLEY_TRY(get_flags(j, flags));
  auto topic_frame = [&](auto f) -> Result<ClientFrame> {
    f.flags = flags;
    PARLEY_TRY(get_string(j, "topic", f.topic));
    PARLEY_TRY(get_string(j, "targetId", f.target_id));
    PARLEY_TRY(get_uint(j, "messageId", f.message_id));
    PARLEY_TRY(take_body(j, topics::request_type(f.topic), f.payload));
    return ClientFrame{std::move(f)};
  };
  if (type == "PUBLISH") return topic_frame(ClientPublish{});
  if (type == "QUERY") return topic_frame(ClientQuery{});
  if (type == "PUBACK") {
    ClientPubAck f{flags, 0};
    PARLEY_TRY(get_uint(j, "messageId", f.message_id));
    return ClientFrame{f};
  }
  if (type == "QUERYCON") {
    ClientQueryCon f{flags, 0};
    PARLEY_TRY(get_uint(j, "messageId", f.message_id));
    return ClientFrame{f};
  }
  if (type == "PINGREQ") return ClientFrame{PingReq{flags}};
  return make_error(ErrorCode::kBadFrameType, "\"" + type + "\" is not a client->server frame type");
}

Result<ServerFrame> server_frame_from_json(const json& j) {
  if (!j.is_object()) return bad_json("a frame must be a JSON object");
  std::string type;
  PARLEY_TRY(get_string(j, "type", type));
  Flags flags;
  PARLEY_TRY(get_flags(j, flags));
  if (type == "CONNACK") {
    ConnAck f;
    f.flags = flags;
    if (j.contains("reserved")) PARLEY_TRY(get_uint(j, "reserved", f.reserved));
    PARLEY_TRY(get_uint(j, "status", f.status));
    f.has_identity = j.contains("userId");
    if (f.has_identity) {
      PARLEY_TRY(get_string(j, "userId", f.user_id));
      PARLEY_TRY(get_string(j, "sessionId", f.session_id));
      PARLEY_TRY(get_uint(j, "timestamp", f.timestamp_ms));
    }
    return ServerFrame{std::move(f)};
  }
  if (type == "PUBLISH") {
    ServerPublish f;
    f.flags = flags;
    PARLEY_TRY(get_uint(j, "date", f.date));
    PARLEY_TRY(get_string(j, "topic", f.topic));
    PARLEY_TRY(get_string(j, "targetId", f.target_id));
    PARLEY_TRY(get_uint(j, "messageId", f.message_id));
    PARLEY_TRY(take_body(j, topics::server_publish_type(f.topic, f.flags.dup), f.payload));
    return ServerFrame{std::move(f)};
  }
  if (type == "PUBACK") {
    ServerPubAck f;
    f.flags = flags;
    PARLEY_TRY(get_uint(j, "messageId", f.message_id));
    PARLEY_TRY(get_uint(j, "date", f.date));
    PARLEY_TRY(get_uint(j, "status", f.status));
    PARLEY_TRY(get_uint(j, "millis", f.millis));
    PARLEY_TRY(get_string(j, "msgUId", f.msg_uid));
    return ServerFrame{std::move(f)};
  }
  if (type == "QUERYACK") {
    QueryAck f;
    f.flags = flags;
    PARLEY_TRY(get_uint(j, "messageId", f.message_id));
    PARLEY_TRY(get_uint(j, "date", f.date));
    PARLEY_TRY(get_uint(j, "status", f.status));
    std::string ack_topic;
    if (j.contains("ackTopic")) PARLEY_TRY(get_string(j, "ackTopic", ack_topic));
    PARLEY_TRY(take_body(j, ack_topic.empty() ? nullptr : topics::response_type(ack_topic), f.payload));
    return ServerFrame{std::move(f)};
  }
  if (type == "PINGRESP") return ServerFrame{PingResp{flags}};
  if (type == "DISCONNECT") {
    Disconnect f;
    f.flags = flags;
    if (j.contains("reserved")) PARLEY_TRY(get_uint(j, "reserved", f.reserved));
    PARLEY_TRY(get_uint(j, "status", f.status));
    return ServerFrame{f};
  }
  return make_error(ErrorCode::kBadFrameType, "\"" + type + "\" is not a server->client frame type");
}

}  // namespace parley::codec
