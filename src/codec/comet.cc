#include "codec/comet.h"

#include <limits>

#include "codec/pb_json.h"
#include "codec/topics.h"
#include "common/decimal.h"

namespace parley::codec {
namespace {

using json = parley::Json;

Error bad_json(const std::string& what) { return make_error(ErrorCode::kBadJson, what); }
// Literal messages: the string is made here, not at each of the call sites.
Error bad_json(const char* what) { return make_error(ErrorCode::kBadJson, what); }

const schema::MessageDesc* payload_desc(const char* type) {
  return type ? schema::find_message(type) : nullptr;
}

// The comet body of a client request, read by the lite decoder in its request form (the
// same JSON as the strict one for every payload json_to_protobuf makes): the client sends
// requests, and this way it carries neither the strict decoder nor response_data_text.
Result<std::string> request_body_text(const char* type, std::string_view payload) {
  const schema::MessageDesc* desc = payload_desc(type);
  if (!desc) return make_error(ErrorCode::kUnknownTopic, "no payload type to render as JSON");
  auto j = protobuf_to_json_lite(*desc, payload, true);
  if (!j) return j.error();
  return j.value().dump();
}

// The "data" of a server frame, by the strict decoder, with every absent repeated field as
// [] (the official client reads them without a check, see ProtobufToJsonOptions).
Result<std::string> response_data_text(const char* type, std::string_view payload) {
  const schema::MessageDesc* desc = payload_desc(type);
  if (!desc) return make_error(ErrorCode::kUnknownTopic, "no payload type to render as JSON");
  ProtobufToJsonOptions options;
  options.empty_repeated_as_arrays = true;
  auto j = protobuf_to_json(*desc, payload, options);
  if (!j) return j.error();
  return j.value().dump();
}

// A request body is taken as ProtoBuf.js, the official client's encoder, takes its input:
// unknown keys ignored (the client may add some), one value for a repeated field as a
// one-element list. A server frame's data strictly.
Result<std::string> json_text_to_payload(const char* type, std::string_view text,
                                         bool request) {
  const schema::MessageDesc* desc = payload_desc(type);
  if (!desc) return make_error(ErrorCode::kUnknownTopic, "no payload type known for this topic");
  if (text.empty()) text = "{}";
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad_json(std::string(desc->name) + ": body is not valid JSON");
  JsonToProtobufOptions options;
  options.ignore_unknown_fields = request;
  options.single_value_as_list = request;
  return json_to_protobuf(*desc, j, options);
}

// Member `key` as an unsigned integer up to `max` into `out`; absent: `out` stays, and
// that is an error only when `required`. One function for every width.
bool read_u64(const json& j, const char* key, uint64_t max, uint64_t& out, bool required) {
  const json* v = j.find_member(key);
  if (!v) return !required;
  if (!v->is_number_unsigned() || v->get_uint64() > max) return false;
  out = v->get_uint64();
  return true;
}

template <class T>
bool read_uint(const json& j, const char* key, T& out, bool required = true) {
  uint64_t v = out;
  if (!read_u64(j, key, std::numeric_limits<T>::max(), v, required)) return false;
  out = static_cast<T>(v);
  return true;
}

// Member `key` when it is a string, else nullptr.
const std::string* text_member(const json& j, const char* key) {
  const json* v = j.find_member(key);
  return v && v->is_string() ? &v->string_ref() : nullptr;
}

Flags flags_of(uint8_t header) {
  return Flags{static_cast<uint8_t>((header >> 1) & 0x3), (header & 0x8) != 0,
               (header & 0x1) != 0};
}

}  // namespace

Result<CometRequest> encode_comet_request(const ClientFrame& frame) {
  CometRequest req;
  req.header = header_byte(frame_type(frame), std::visit([](auto& f) { return f.flags; }, frame));
  req.message_id = message_id_of(frame);
  auto topic_frame = [&](const auto& f) -> Status {
    req.has_topic = true;
    req.topic = f.topic;
    req.target_id = f.target_id;
    auto text = request_body_text(topics::request_type(f.topic), f.payload);
    if (!text) return text.error();
    req.body = std::move(text).value();
    return ok_status();
  };
  if (auto* p = std::get_if<ClientPublish>(&frame)) PARLEY_TRY(topic_frame(*p));
  if (auto* q = std::get_if<ClientQuery>(&frame)) PARLEY_TRY(topic_frame(*q));
  return req;
}

Result<ClientFrame> decode_comet_request(const CometRequest& req) {
  const auto type = static_cast<FrameType>(req.header >> 4);
  const Flags flags = flags_of(req.header);
  auto topic_frame = [&](auto f) -> Result<ClientFrame> {
    if (!req.has_topic) return bad_json("comet PUBLISH/QUERY without topic");
    f.flags = flags;
    f.topic = req.topic;
    f.target_id = req.target_id;
    f.message_id = req.message_id;
    auto payload = json_text_to_payload(topics::request_type(f.topic), req.body, true);
    if (!payload) return payload.error();
    f.payload = std::move(payload).value();
    return ClientFrame{std::move(f)};
  };
  switch (type) {
    case FrameType::kPublish: return topic_frame(ClientPublish{});
    case FrameType::kQuery: return topic_frame(ClientQuery{});
    case FrameType::kPubAck: return ClientFrame{ClientPubAck{flags, req.message_id}};
    case FrameType::kQueryCon: return ClientFrame{ClientQueryCon{flags, req.message_id}};
    case FrameType::kPingReq: return ClientFrame{PingReq{flags}};
    default:
      return make_error(ErrorCode::kBadFrameType,
                        "comet header " + decimal(req.header) + " is not a client frame");
  }
}

Result<json> encode_comet_response(const ServerFrame& frame, std::string_view ack_topic) {
  if (auto* c = std::get_if<ConnAck>(&frame)) {
    json out{{"status", c->status}};
    if (c->has_identity) {
      out["userId"] = c->user_id;
      out["sessionid"] = c->session_id;
      out["timestamp"] = c->timestamp_ms;
    }
    return out;
  }
  json out{{"headerCode",
            header_byte(frame_type(frame), std::visit([](auto& f) { return f.flags; }, frame))}};
  if (auto* p = std::get_if<ServerPublish>(&frame)) {
    out["messageId"] = p->message_id;
    out["date"] = p->date;
    out["topic"] = p->topic;
    out["targetId"] = p->target_id;
    auto text = response_data_text(topics::server_publish_type(p->topic, p->flags.dup), p->payload);
    if (!text) return text.error();
    out["data"] = std::move(text).value();
  } else if (auto* a = std::get_if<ServerPubAck>(&frame)) {
    out["messageId"] = a->message_id;
    out["status"] = a->status;
    out["timestamp"] = uint64_t{a->date} * 1000 + a->millis;
    out["messageUId"] = a->msg_uid;
  } else if (auto* q = std::get_if<QueryAck>(&frame)) {
    out["messageId"] = q->message_id;
    out["status"] = q->status;
    const char* type = ack_topic.empty() ? nullptr : topics::response_type(ack_topic);
    if (type && !(q->payload.empty() && q->status != 0)) {
      auto text = response_data_text(type, q->payload);
      if (!text) return text.error();
      out["data"] = std::move(text).value();
    }
  } else if (auto* d = std::get_if<Disconnect>(&frame)) {
    out["status"] = d->status;
  }
  return out;
}

Result<ServerFrame> decode_comet_response(const json& j, std::string_view ack_topic) {
  if (!j.is_object()) return bad_json("a comet frame must be a JSON object");
  if (!j.contains("headerCode")) {  // the connect answer
    ConnAck c;
    if (!read_uint(j, "status", c.status)) return bad_json("connect answer: bad \"status\"");
    if (j.contains("userId")) {
      c.has_identity = true;
      const std::string* user = text_member(j, "userId");
      if (!user) return bad_json("connect answer: bad \"userId\"");
      c.user_id = *user;
      if (const std::string* session = text_member(j, "sessionid")) c.session_id = *session;
      if (!read_uint(j, "timestamp", c.timestamp_ms)) return bad_json("connect answer: bad \"timestamp\"");
    } else if (c.status == 0) {
      return bad_json("connect answer accepted without userId");
    }
    return ServerFrame{std::move(c)};
  }
  uint8_t header = 0;
  if (!read_uint(j, "headerCode", header)) return bad_json("bad \"headerCode\"");
  const Flags flags = flags_of(header);
  const std::string* data_text = text_member(j, "data");
  const std::string data = data_text ? *data_text : std::string();
  switch (static_cast<FrameType>(header >> 4)) {
    case FrameType::kPublish: {
      ServerPublish p;
      p.flags = flags;
      if (!read_uint(j, "messageId", p.message_id, false) || !read_uint(j, "date", p.date, false))
        return bad_json("PUBLISH: bad messageId/date");
      const std::string* topic = text_member(j, "topic");
      if (!topic) return bad_json("PUBLISH: bad \"topic\"");
      p.topic = *topic;
      if (const std::string* target = text_member(j, "targetId")) p.target_id = *target;
      auto payload = json_text_to_payload(topics::server_publish_type(p.topic, p.flags.dup), data, false);
      if (!payload) return payload.error();
      p.payload = std::move(payload).value();
      return ServerFrame{std::move(p)};
    }
    case FrameType::kPubAck: {
      ServerPubAck a;
      a.flags = flags;
      uint64_t ts = 0;
      if (!read_uint(j, "messageId", a.message_id) || !read_uint(j, "status", a.status, false) ||
          !read_uint(j, "timestamp", ts, false))
        return bad_json("PUBACK: bad messageId/status/timestamp");
      if (ts / 1000 > UINT32_MAX) return bad_json("PUBACK: timestamp beyond the u32 seconds of the frame");
      a.date = static_cast<uint32_t>(ts / 1000);
      a.millis = static_cast<uint16_t>(ts % 1000);
      if (const std::string* uid = text_member(j, "messageUId")) a.msg_uid = *uid;
      return ServerFrame{std::move(a)};
    }
    case FrameType::kQueryAck: {
      QueryAck q;
      q.flags = flags;
      if (!read_uint(j, "messageId", q.message_id) || !read_uint(j, "status", q.status, false))
        return bad_json("QUERYACK: bad messageId/status");
      const char* type = ack_topic.empty() ? nullptr : topics::response_type(ack_topic);
      if (type && !data.empty()) {
        auto payload = json_text_to_payload(type, data, false);
        if (!payload) return payload.error();
        q.payload = std::move(payload).value();
      }
      return ServerFrame{std::move(q)};
    }
    case FrameType::kPingResp: return ServerFrame{PingResp{flags}};
    case FrameType::kDisconnect: {
      Disconnect d;
      d.flags = flags;
      if (!read_uint(j, "status", d.status)) return bad_json("DISCONNECT: bad status");
      return ServerFrame{d};
    }
    default:
      return make_error(ErrorCode::kBadFrameType,
                        "comet headerCode " + decimal(header) + " is not a server frame");
  }
}

}  // namespace parley::codec
