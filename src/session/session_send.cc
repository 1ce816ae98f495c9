// Session: sending messages through the persisted outbox.
#include <algorithm>

#include "codec/topics.h"
#include "common/decimal.h"
#include "common/json_util.h"
#include "session/payload.h"
#include "session/session.h"

namespace parley::session {

using json = parley::Json;

json Session::OutboxEntry::to_json() const {
  return json()
      .set("localId", local_id)
      .set("clientUniqueId", client_unique_id)
      .set("type", type)
      .set("targetId", target_id)
      .set("objectName", object_name)
      .set("content", content)
      .set("persisted", flags.persisted)
      .set("counted", flags.counted)
      .set("mentioned", mentioned)
      .set("disableNotification", disable_notification)
      .set("pushContent", push_content)
      .set("pushData", push_data)
      .set("createdMs", created_ms)
      .set("sentTime", sent_time)
      .set("state", static_cast<int>(state));
}

std::optional<Session::OutboxEntry> Session::OutboxEntry::from_json(const json& j) {
  if (!j.is_object() || !j.contains("localId") || !j.contains("targetId") ||
      !j.contains("objectName") || !j.contains("content") || !j["content"].is_string())
    return std::nullopt;
  OutboxEntry e;
  e.local_id = jget(j, "localId", int64_t{0});
  e.client_unique_id = jget(j, "clientUniqueId", uint64_t{0});
  e.type = jget(j, "type", 1);
  e.target_id = jtext(j, "targetId");
  e.object_name = jtext(j, "objectName");
  e.content = j["content"].get<std::string>();
  e.flags.persisted = jget(j, "persisted", true);
  e.flags.counted = jget(j, "counted", true);
  e.mentioned = jget(j, "mentioned", false);
  e.disable_notification = jget(j, "disableNotification", false);
  e.push_content = jtext(j, "pushContent");
  e.push_data = jtext(j, "pushData");
  e.created_ms = jget(j, "createdMs", int64_t{0});
  e.sent_time = jget(j, "sentTime", int64_t{0});
  e.state = jget(j, "state", 10) == kFailed ? kFailed : kSending;
  return e;
}

json Session::outbox_message(const OutboxEntry& e) const {
  return json()
      .set("conversationType", e.type)
      .set("targetId", e.target_id)
      .set("senderUserId", user_id_)
      .set("messageDirection", kSend)
      .set("messageUId", nullptr)
      .set("sentTime", e.sent_time)
      .set("objectName", e.object_name)
      .set("messageType", e.object_name)
      .set("content", content_to_json(e.content))
      .set("sentStatus", static_cast<int>(e.state))
      .set("receivedStatus", kUnread)
      .set("offLineMessage", false)
      .set("isPersited", e.flags.persisted)
      .set("isCounted", e.flags.counted)
      .set("isMentioned", e.mentioned)
      .set("disableNotification", e.disable_notification)
      .set("messageId", e.local_id)
      .set("clientUniqueId", e.client_unique_id);
}

Session::OutboxEntry* Session::find_outbox(int64_t local_id) {
  for (auto& e : outbox_)
    if (e.local_id == local_id) return &e;
  return nullptr;
}

void Session::cmd_send(Actions& out, int64_t now, const json& cmd) {
  const int64_t id = jget(cmd, "id", int64_t{0});
  auto bad = [&](const char* why, ErrorCode code = ErrorCode::kParameterError) {
    fail(out, id, code, why);
  };
  if (!cmd.contains("conversationType") || !cmd["conversationType"].is_number_integer())
    return bad("conversationType must be an integer");
  const int type = cmd["conversationType"].get<int>();
  if (!cmd.contains("targetId") || !cmd["targetId"].is_string() || cmd["targetId"].get<std::string>().empty())
    return bad("targetId must be a non-empty string");
  if (cmd["targetId"].get<std::string>().size() > 64) return bad("targetId longer than 64 bytes");
  if (!cmd.contains("objectName") || !cmd["objectName"].is_string() || cmd["objectName"].get<std::string>().empty())
    return bad("objectName must be a non-empty string");
  const std::string object = cmd["objectName"].get<std::string>();
  const bool status_message = jget(cmd, "isStatusMessage", is_status_object(object));
  const std::string_view topic = send_topic(type, status_message);
  if (topic.empty())
    return fail(out, id, ErrorCode::kNotSupport,
                "conversation type " + decimal(type) + " cannot be sent to");
  const json content = jget(cmd, "content", json::object());
  const std::string content_text = content.is_string() ? content.get<std::string>() : to_text(content);
  if (content_text.size() > config_.max_content_bytes)
    return fail(out, id, ErrorCode::kMessageContentTooLong,
                "content is " + decimal(content_text.size()) + " bytes, over the limit of " +
                    decimal(config_.max_content_bytes));

  MessageFlags flags = builtin_flags(object);
  flags.persisted = jget(cmd, "isPersited", flags.persisted);
  flags.counted = jget(cmd, "isCounted", flags.counted);

  if (status_message) {
    // Typing and the like: fire and forget, never stored, never retried.
    if (!live_conn_) return bad("not connected", static_cast<ErrorCode>(30001));
    const std::string up = encode_payload("UpStreamMessage", json()
                                                                 .set("sessionId", 0)
                                                                 .set("classname", object)
                                                                 .set("content", content_text)
                                                                 .set("configFlag", 0));
    send_frame(
        out, codec::ClientPublish{
                 {1, false, false}, std::string(topic), cmd["targetId"].get<std::string>(), 0, up});
    OutboxEntry e;
    e.type = type;
    e.target_id = cmd["targetId"].get<std::string>();
    e.object_name = object;
    e.content = content_text;
    e.flags = MessageFlags{false, false};
    e.sent_time = server_now(now);
    e.state = kSent;
    result(out, id, ErrorCode::kOk, json().set("message", outbox_message(e)));
    return;
  }

  OutboxEntry e;
  e.local_id = static_cast<int64_t>(1 + rng_.uniform(16777214));
  // 53 bits: exact as a JS number, unique enough per sender for the server's dedupe.
  e.client_unique_id = 1 + rng_.uniform((uint64_t{1} << 53) - 2);
  e.type = type;
  e.target_id = cmd["targetId"].get<std::string>();
  e.object_name = object;
  e.content = content_text;
  e.flags = flags;
  e.mentioned = jget(cmd, "isMentioned", false);
  e.disable_notification = jget(cmd, "disableNotification", false);
  e.push_content = jtext(cmd, "pushContent");
  e.push_data = jtext(cmd, "pushData");
  e.created_ms = now;
  e.sent_time = server_now(now);
  e.state = kSending;
  e.callback = id;
  enqueue(out, std::move(e));
  const OutboxEntry& queued = outbox_.back();
  emit(out, "sending", json().set("id", id).set("message", outbox_message(queued)));
  pump_outbox(out, now, &queued);
}

void Session::cmd_resend(Actions& out, int64_t now, const json& cmd) {
  const int64_t id = jget(cmd, "id", int64_t{0});
  OutboxEntry* e = find_outbox(jget(cmd, "messageId", int64_t{0}));
  if (!e || e->state != kFailed) {
    fail(out, id, ErrorCode::kParameterError, "no FAILED message with that messageId");
    return;
  }
  e->state = kSending;
  e->created_ms = now;
  e->callback = id;
  write_entry(out, *e);
  pump_outbox(out, now, e);
}

// Recalls one of our messages (PROTOCOL.md §4.2): PUBLISH recallMsg to *ourselves* with an
// RC:RcCmd naming the conversation and the message; the server routes it by the content.
void Session::cmd_recall(Actions& out, int64_t now, const json& cmd) {
  const int64_t id = jget(cmd, "id", int64_t{0});
  const int type = jget(cmd, "conversationType", 0);
  const std::string& target = jtext(cmd, "targetId");
  const std::string& uid = jtext(cmd, "messageUId");
  const int64_t sent_time = jget(cmd, "sentTime", int64_t{0});
  if (type <= 0 || target.empty() || uid.empty() || sent_time <= 0) {
    result(out, id, ErrorCode::kParameterError,
           json().set("message", "conversationType, targetId, messageUId and sentTime required"));
    return;
  }
  if (!live_conn_) {
    fail_code(out, id, 30001, "not connected");
    return;
  }
  const json content = json()
                           .set("conversationType", type)
                           .set("targetId", target)
                           .set("messageUId", uid)
                           .set("sentTime", sent_time);
  const std::string up = encode_payload(
      "UpStreamMessage", json()
                             .set("sessionId", 0)
                             .set("classname", "RC:RcCmd")
                             .set("content", to_text(content))
                             .set("configFlag", jget(cmd, "disableNotification", false) ? 4 : 0));
  Pending p;
  p.kind = RequestKind::kRecall;
  p.callback = id;
  p.context = content;
  send_request(out, now, true, codec::topics::kRecall, user_id_, up, std::move(p));
}

void Session::on_recall_ack(Actions& out, int64_t now, const Pending& p, const codec::ServerPubAck& a) {
  if (a.status != 0) {
    result_code(out, p.callback, a.status);
    return;
  }
  const int type = jget(p.context, "conversationType", 1);
  const std::string& target = jtext(p.context, "targetId");
  const int64_t sent_time = static_cast<int64_t>(a.date) * 1000 + a.millis;
  json msg = json()
                 .set("conversationType", type)
                 .set("targetId", target)
                 .set("senderUserId", user_id_)
                 .set("messageDirection", kSend)
                 .set("messageUId", a.msg_uid)
                 .set("sentTime", sent_time)
                 .set("objectName", "RC:RcCmd")
                 .set("messageType", "RC:RcCmd")
                 .set("content", p.context)
                 .set("sentStatus", kSent)
                 .set("receivedStatus", kUnread)
                 .set("offLineMessage", false)
                 .set("isPersited", true)
                 .set("isCounted", false)
                 .set("isMentioned", false)
                 .set("messageId", static_cast<int64_t>(rng_.uniform(16777215)))
                 .set("receivedTime", now);
  if (seen_.insert(a.msg_uid)) dirty_seen_ = true;  // our own copy may come back in a pull
  const std::string& uid = jtext(p.context, "messageUId");
  if (auto key = conversations_.on_recall(type, target, uid, jget(p.context, "sentTime", int64_t{0}), msg, false))
    touch(key->first, key->second);
  emit(out, "recall",
       json()
           .set("conversationType", type)
           .set("targetId", target)
           .set("messageUId", uid)
           .set("sentTime", jget(p.context, "sentTime", int64_t{0}))
           .set("message", msg));
  result(out, p.callback, ErrorCode::kOk, json().set("message", msg));
}

// Sends what may go now: per conversation, the oldest SENDING message, and only when no
// message of that conversation is waiting for its PUBACK. One in flight per conversation
// keeps the order across drops, re-sends and reconnects. With `only`, just that message's
// conversation: after a send, a resend or a PUBACK nothing else can have become sendable,
// and the scan stops at the conversation's oldest SENDING message (a full pump at every
// PUBACK made sending n queued messages O(n^2)).
void Session::pump_outbox(Actions& out, int64_t now, const OutboxEntry* only) {
  if (!live_conn_) return;
  std::set<store::ConversationKey> busy;
  for (auto& e : outbox_) {
    if (e.state != kSending || (only && (e.type != only->type || e.target_id != only->target_id)))
      continue;
    if (!busy.insert({e.type, e.target_id}).second) continue;
    if (!e.in_flight) transmit(out, now, e);
    if (only) return;
  }
}

void Session::transmit(Actions& out, int64_t now, OutboxEntry& e) {
  json up = json()
                .set("sessionId", upstream_flag_word(e.flags, e.mentioned, e.disable_notification))
                .set("classname", e.object_name)
                .set("content", e.content)
                .set("configFlag", 0)
                .set("clientUniqueId", static_cast<int64_t>(e.client_unique_id));
  if (!e.push_content.empty()) up["pushText"] = e.push_content;
  if (!e.push_data.empty()) up["appData"] = e.push_data;
  Pending p;
  p.kind = RequestKind::kSend;
  p.callback = e.callback;
  p.local_id = e.local_id;
  e.in_flight = send_request(out, now, true, send_topic(e.type, false), e.target_id,
                             encode_payload("UpStreamMessage", up), std::move(p));
}

}  // namespace parley::session
