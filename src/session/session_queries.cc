// Session: queries answered by the server, and local conversation calls.
#include <algorithm>

#include "codec/pb_json.h"
#include "codec/topics.h"
#include "common/json_util.h"
#include "session/payload.h"
#include "session/session.h"

namespace parley::session {

using json = parley::Json;
namespace topics = codec::topics;

namespace {

std::vector<int> int_list(const json& cmd, const char* key) {
  std::vector<int> out;
  if (cmd.contains(key) && cmd[key].is_array())
    for (const auto& v : cmd[key])
      if (v.is_number_integer()) out.push_back(v.get<int>());
  return out;
}

bool get_target(const json& cmd, int& type, std::string& target) {
  if (!cmd.contains("conversationType") || !cmd["conversationType"].is_number_integer()) return false;
  if (!cmd.contains("targetId") || !cmd["targetId"].is_string() || cmd["targetId"].get<std::string>().empty())
    return false;
  type = cmd["conversationType"].get<int>();
  target = cmd["targetId"].get<std::string>();
  return true;
}

}  // namespace

bool Session::cmd_local(Actions& out, int64_t now, Cmd name, const json& cmd) {
  const int64_t id = jget(cmd, "id", int64_t{0});
  int type = 0;
  std::string target;
  auto need_target = [&]() {
    if (get_target(cmd, type, target)) return true;
    fail(out, id, ErrorCode::kParameterError, "conversationType and targetId required");
    return false;
  };
  if (name == Cmd::kGetConversationList) {
    json list = json::array();
    const size_t limit = static_cast<size_t>(std::max<int64_t>(0, jget(cmd, "count", int64_t{1000})));
    for (const auto* c : conversations_.list(int_list(cmd, "types"))) {
      if (list.size() >= limit) break;
      list.push_back(c->to_json());
    }
    result(out, id, ErrorCode::kOk, list);
  } else if (name == Cmd::kGetConversation) {
    if (!need_target()) return true;
    const auto* c = conversations_.find(type, target);
    result(out, id, ErrorCode::kOk, c ? c->to_json() : json(nullptr));
  } else if (name == Cmd::kGetTotalUnreadCount) {
    result(out, id, ErrorCode::kOk,
           conversations_.total_unread(int_list(cmd, "types"), jget(cmd, "includeSilent", true)));
  } else if (name == Cmd::kGetConversationUnreadCount) {
    result(out, id, ErrorCode::kOk, conversations_.total_unread(int_list(cmd, "types")));
  } else if (name == Cmd::kGetUnreadCount) {
    if (!need_target()) return true;
    const auto* c = conversations_.find(type, target);
    result(out, id, ErrorCode::kOk, c ? c->unread : 0);
  } else if (name == Cmd::kClearUnreadCount) {
    if (!need_target()) return true;
    const auto* c = conversations_.find(type, target);
    // Read up to the newest message we know of; with none known yet, up to now (the
    // server applies the same time, so both sides count the same messages afterwards).
    const int64_t upto = c && c->sent_time ? c->sent_time : server_now(now);
    conversations_.upsert(type, target);
    conversations_.clear_unread(type, target, upto);
    touch(type, target);
    // The server keeps unread counts too: tell it (reliably: re-sent until acknowledged),
    // without a read receipt to the peer.
    auto& mark = pending_marks_[{type, target}];
    mark = std::max(mark, upto);
    marks_in_flight_.erase({type, target});
    dirty_marks_ = true;
    send_marks(out, now);
    result(out, id, ErrorCode::kOk, true);
  } else if (name == Cmd::kSaveDraft || name == Cmd::kClearDraft) {
    if (!need_target()) return true;
    auto& c = conversations_.upsert(type, target);
    c.draft = name == Cmd::kSaveDraft ? jtext(cmd, "draft") : std::string();
    touch(type, target);
    result(out, id, ErrorCode::kOk, true);
  } else if (name == Cmd::kGetDraft) {
    if (!need_target()) return true;
    const auto* c = conversations_.find(type, target);
    result(out, id, ErrorCode::kOk, c ? c->draft : std::string());
  } else if (name == Cmd::kGetCurrentUserId) {
    result(out, id, ErrorCode::kOk, user_id_);
  } else if (name == Cmd::kGetStatus) {
    result(out, id, ErrorCode::kOk, static_cast<int>(status_));
  } else if (name == Cmd::kGetOutbox) {
    json list = json::array();
    for (const auto& e : outbox_) list.push_back(outbox_message(e));
    result(out, id, ErrorCode::kOk, list);
  } else if (name == Cmd::kDeleteLocalMessages) {
    // A FAILED message stays in the outbox (and storage) until resent or deleted here. One
    // still being sent is left alone: the call fails (MSG_DEL_ERROR), the others go.
    const json& ids = jref(cmd, "messageIds");
    if (!ids.is_array()) {
      fail(out, id, ErrorCode::kParameterError, "messageIds must be an array");
      return true;
    }
    bool sending = false;
    for (const auto& v : ids) {
      OutboxEntry* e = v.is_number_integer() ? find_outbox(v.get<int64_t>()) : nullptr;
      if (!e) continue;  // not (or no longer) in the outbox: nothing to delete
      if (e->state != kFailed) {
        sending = true;
        continue;
      }
      write_entry(out, *e, true);
      outbox_.erase(outbox_.begin() + (e - outbox_.data()));
    }
    if (sending) {
      fail_code(out, id, 33009, "a message still being sent is not deleted");
    } else {
      result(out, id, ErrorCode::kOk, true);
    }
  } else {
    return false;
  }
  return true;
}

void Session::cmd_query(Actions& out, int64_t now, Cmd name, const json& cmd) {
  const int64_t id = jget(cmd, "id", int64_t{0});
  int type = 0;
  std::string target;
  auto param_error = [&](const char* why) { fail(out, id, ErrorCode::kParameterError, why); };
  auto query = [&](std::string_view topic, const std::string& target_id, const std::string& payload,
                   json context) {
    if (!live_conn_) {
      fail_code(out, id, 30001, "not connected");  // RC_NET_CHANNEL_INVALID
      return;
    }
    send_request(out, now, false, topic, target_id, payload,
                 Pending{RequestKind::kQuery, id, name, std::move(context)});
  };
  auto string_arg = [&](const char* k) -> std::string {
    return cmd.contains(k) && cmd[k].is_string() ? cmd[k].get<std::string>() : std::string();
  };

  if (name == Cmd::kGetHistory) {
    if (!get_target(cmd, type, target)) return param_error("conversationType and targetId required");
    const std::string req = encode_payload(
        "HistoryMsgInput", json()
                               .set("targetId", target)
                               .set("time", jget(cmd, "timestamp", int64_t{0}))
                               .set("count", std::clamp(jget(cmd, "count", 20), 1, 100))
                               .set("order", jget(cmd, "order", 0)));
    query(history_topic(type), type == kChatroom ? target : user_id_, req,
          json().set("conversationType", type).set("targetId", target));
  } else if (name == Cmd::kGetChatroomHistory) {
    target = string_arg("chatroomId");
    if (target.empty()) return param_error("chatroomId required");
    const std::string req = encode_payload(
        "HistoryMsgInput", json()
                               .set("targetId", target)
                               .set("time", jget(cmd, "timestamp", int64_t{0}))
                               .set("count", std::clamp(jget(cmd, "count", 20), 1, 100))
                               .set("order", jget(cmd, "order", 0)));
    query(topics::kChatroomHistory, target, req,
          json().set("conversationType", kChatroom).set("targetId", target));
  } else if (name == Cmd::kGetConversationListRemote) {
    if (!live_conn_) return fail_code(out, id, 30001, "not connected");
    sync_conversations(out, now, id, std::clamp(jget(cmd, "count", 300), 1, 1000));
  } else if (name == Cmd::kRemoveConversation) {
    if (!get_target(cmd, type, target)) return param_error("conversationType and targetId required");
    if (conversations_.remove(type, target)) touch(type, target);
    if (!live_conn_) return result(out, id, ErrorCode::kOk, true);
    query(topics::kDeleteConversation, target,
          encode_payload(
              "RelationQryInput",
              json().set("type", type).set("count", 0).set("startTime", 0).set("order", 0)),
          nullptr);
  } else if (name == Cmd::kDeleteMessages) {
    if (!get_target(cmd, type, target)) return param_error("conversationType and targetId required");
    if (!cmd.contains("messages") || !cmd["messages"].is_array() || cmd["messages"].empty())
      return param_error("messages must be a non-empty array");
    json msgs = json::array();
    for (const auto& m : cmd["messages"]) {
      if (!m.is_object() || !m.contains("messageUId") || !m["messageUId"].is_string())
        return param_error("each message needs messageUId");
      msgs.push_back(json()
                         .set("msgId", m["messageUId"].get<std::string>())
                         .set("msgDataTime", jget(m, "sentTime", int64_t{0}))
                         .set("direct", jget(m, "messageDirection", 1)));
    }
    query(topics::kDeleteMessages, user_id_,
          encode_payload("DeleteMsgInput",
                         json().set("type", type).set("conversationId", target).set("msgs", msgs)),
          nullptr);
  } else if (name == Cmd::kClearHistory) {
    if (!get_target(cmd, type, target)) return param_error("conversationType and targetId required");
    const int64_t time =
        jget(cmd, "timestamp", int64_t{0}) ? jget(cmd, "timestamp", int64_t{0}) : server_now(now);
    query(clean_topic(type), user_id_,
          encode_payload("CleanHisMsgInput", json().set("targetId", target).set("dataTime", time)),
          nullptr);
  } else if (name == Cmd::kSetConversationStatus) {
    if (!get_target(cmd, type, target)) return param_error("conversationType and targetId required");
    auto& c = conversations_.upsert(type, target);
    json items = json::array();
    if (const json& top = jref(cmd, "isTop"); top.is_boolean()) {
      c.top = top.get_bool();
      items.push_back(json().set("sessionStateType", kStateIsTop).set("value", c.top ? "1" : "0"));
    }
    if (const json& status = jref(cmd, "notificationStatus"); status.is_number_integer()) {
      c.notification_status = status.get<int>() == 1 ? 1 : 2;  // 1: do not disturb
      items.push_back(json()
                          .set("sessionStateType", kStateIsSilent)
                          .set("value", c.notification_status == 1 ? "1" : "0"));
    }
    json states = json::array();
    states.push_back(json()
                         .set("type", type)
                         .set("channelId", target)
                         .set("time", server_now(now))
                         .set("stateItem", std::move(items)));
    const std::string req =
        encode_payload("SessionStateModifyReq",
                       json().set("version", server_now(now)).set("state", std::move(states)));
    touch(type, target);
    if (!live_conn_) return result(out, id, ErrorCode::kOk, true);
    query(topics::kSetSessionState, user_id_, req, nullptr);
  } else if (name == Cmd::kJoinChatroom || name == Cmd::kQuitChatroom ||
             name == Cmd::kGetChatroomInfo) {
    target = string_arg("chatroomId");
    if (target.empty()) return param_error("chatroomId required");
    if (name == Cmd::kGetChatroomInfo) {
      return query(topics::kChatroomInfo, target,
                   encode_payload("QueryChatRoomInfoInput",
                                  json()
                                      .set("count", std::clamp(jget(cmd, "count", 10), 0, 20))
                                      .set("order", jget(cmd, "order", 0))),
                   nullptr);
    }
    query(name == Cmd::kJoinChatroom ? topics::kJoinChatroom : topics::kExitChatroom, target,
          encode_payload("ChrmInput", json().set("nothing", 1)),
          json().set("chatroomId", target).set("count", jget(cmd, "count", 10)));
  } else if (name == Cmd::kAddToBlacklist || name == Cmd::kRemoveFromBlacklist ||
             name == Cmd::kGetBlacklistStatus) {
    const std::string user = string_arg("userId");
    if (user.empty()) return param_error("userId required");
    std::string payload;
    std::string_view topic;
    if (name == Cmd::kAddToBlacklist) {
      payload = encode_payload("Add2BlackListInput", json().set("userId", user));
      topic = topics::kAddBlacklist;
    } else if (name == Cmd::kRemoveFromBlacklist) {
      payload = encode_payload("RemoveFromBlackListInput", json().set("userId", user));
      topic = topics::kRemoveBlacklist;
    } else {
      payload = encode_payload("BlackListStatusInput", json().set("userId", user));
      topic = topics::kBlacklistStatus;
    }
    query(topic, user_id_, payload, json().set("userId", user));
  } else if (name == Cmd::kGetBlacklist) {
    query(topics::kQueryBlacklist, user_id_,
          encode_payload("QueryBlackListInput", json().set("nothing", 1)), nullptr);
  } else if (name == Cmd::kQuery) {
    // Any topic of the schema, body as JSON: for forward compatibility and tools.
    const std::string topic = string_arg("topic");
    const char* type_name = topics::request_type(topic);
    const auto* desc = type_name ? codec::schema::find_message(type_name) : nullptr;
    if (!desc) return fail(out, id, ErrorCode::kParameterError, "unknown topic \"" + topic + "\"");
    auto payload = codec::json_to_protobuf(*desc, jget(cmd, "body", json::object()));
    if (!payload) return fail(out, id, ErrorCode::kParameterError, payload.error().message);
    const std::string tgt = string_arg("targetId");
    query(topic, tgt.empty() ? user_id_ : tgt, payload.value(), nullptr);
  }
}

void Session::on_query_result(Actions& out, int64_t now, const Pending& p, const codec::QueryAck& q) {
  if (p.query == Cmd::kMarkRead) {
    const store::ConversationKey k{jget(p.context, "type", 1), jtext(p.context, "targetId")};
    marks_in_flight_.erase(k);
    auto it = pending_marks_.find(k);
    // Done unless a newer clear happened meanwhile (it is sent next). A refusal is final.
    if (it != pending_marks_.end() && (q.status != 0 || it->second == jget(p.context, "time", int64_t{0}))) {
      pending_marks_.erase(it);
      dirty_marks_ = true;
    }
    send_marks(out, now);
    return;
  }
  if (p.query == Cmd::kSyncConversations || p.query == Cmd::kGetConversationListRemote)
    relation_sync_in_flight_ = false;
  if (q.status != 0) {
    result_code(out, p.callback, q.status);
    return;
  }
  MessageContext ctx{user_id_, connected_time_, now};
  auto local_id = [&]() { return static_cast<int64_t>(rng_.uniform(16777215)); };
  if (p.query == Cmd::kGetHistory || p.query == Cmd::kGetChatroomHistory) {
    auto h = decode_payload("HistoryMsgOuput", q.payload);
    if (!h) return result(out, p.callback, ErrorCode::kBadProtobuf);
    const json& wire = jref(h.value(), "list");
    json list = json::array();
    // The server answers newest first; the API gives oldest first (§4.8).
    for (size_t i = wire.size(); i-- > 0;) {
      json m = message_from_downstream(wire[i], ctx, local_id());
      m["targetId"] = jtext(p.context, "targetId");
      list.push_back(std::move(m));
    }
    result(out, p.callback, ErrorCode::kOk,
           json().set("list", list).set("hasMore", jget(h.value(), "hasMsg", 0) != 0));
  } else if (p.query == Cmd::kGetConversationListRemote || p.query == Cmd::kSyncConversations) {
    auto r = decode_payload("RelationsOutput", q.payload);
    if (!r) return result(out, p.callback, ErrorCode::kBadProtobuf);
    json list = json::array();
    for (const auto& info : jref(r.value(), "info")) {
      const bool has_msg = info.contains("msg");
      json latest = has_msg ? message_from_downstream(info["msg"], ctx, local_id()) : json();
      const std::string& user = jtext(info, "userId");
      if (latest.is_object()) latest["targetId"] = user;
      // Counted messages we delivered after the server took its snapshot are not in its count.
      const store::ConversationKey k{jget(info, "type", 1), user};
      const int64_t snapshot = has_msg ? jget(info["msg"], "dataTime", int64_t{0}) : 0;
      const int64_t read_time = jget(info, "readMsgTime", int64_t{0});
      int64_t later = 0;
      for (const auto& [ck, t] : counted_during_relation_sync_)
        if (ck == k && t > snapshot && t > read_time) ++later;
      conversations_.on_server_relation(k.first, k.second, latest,
                                        jget(info, "unreadCount", int64_t{0}) + later, read_time,
                                        snapshot);
      touch(k.first, user);
      list.push_back(conversations_.find(k.first, k.second)->to_json());
    }
    counted_during_relation_sync_.clear();
    result(out, p.callback, ErrorCode::kOk, list);
  } else if (p.query == Cmd::kPullSeAtts) {
    auto s = decode_payload("SessionStates", q.payload);
    if (!s) return;
    for (const auto& st : jref(s.value(), "state")) {
      auto& c = conversations_.upsert(jget(st, "type", 1), jtext(st, "channelId"));
      for (const auto& item : jref(st, "stateItem")) {
        const int state_type = jget(item, "sessionStateType", 0);
        if (state_type == kStateIsTop) c.top = jtext(item, "value") == "1";
        if (state_type == kStateIsSilent)
          c.notification_status = jtext(item, "value") == "1" ? 1 : 2;
      }
      touch(c.type, c.target_id);
    }
  } else if (p.query == Cmd::kJoinChatroom) {
    const std::string& room = jtext(p.context, "chatroomId");
    auto o = decode_payload("ChrmOutput", q.payload);
    int64_t join_time = 0;
    if (o) join_time = jget(o.value(), "joinTime", int64_t{0});
    chatrooms_[room] = join_time;
    const std::string req = encode_payload(
        "ChrmPullMsg",
        json().set("syncTime", join_time).set("count", jget(p.context, "count", 10)));
    send_request(out, now, false, topics::kPullChatroom, room, req,
                 Pending{RequestKind::kQuery, 0, Cmd::kChatroomPull,
                         json().set("chatroomId", room)});
    result(out, p.callback, ErrorCode::kOk,
           json().set("chatroomId", room).set("joinTime", join_time));
  } else if (p.query == Cmd::kQuitChatroom) {
    chatrooms_.erase(jtext(p.context, "chatroomId"));
    result(out, p.callback, ErrorCode::kOk, true);
  } else if (p.query == Cmd::kChatroomPull) {
    auto batch = decode_payload("DownStreamMessages", q.payload);
    if (!batch) return;
    const json& list = jref(batch.value(), "list");
    for (const auto& m : list) deliver(out, now, message_from_downstream(m, ctx, local_id()), true);
    const std::string& room = jtext(p.context, "chatroomId");
    if (!chatrooms_.contains(room)) return;
    chatrooms_[room] = std::max(jget(chatrooms_, room.c_str(), int64_t{0}),
                                jget(batch.value(), "syncTime", int64_t{0}));
    if (batch.value().contains("finished") && !jget(batch.value(), "finished", false) &&
        !list.empty())
      pull_chatroom(out, now, room);
  } else if (p.query == Cmd::kRejoinChatroom) {
    // Back in after a reconnect: fetch what the room said meanwhile.
    const std::string& room = jtext(p.context, "chatroomId");
    if (chatrooms_.contains(room)) pull_chatroom(out, now, room);
  } else if (p.query == Cmd::kGetBlacklistStatus) {
    auto o = decode_payload("QueryBlackListOutput", q.payload);
    const std::string& user = jtext(p.context, "userId");
    bool listed = false;  // a string compare, not Json's operator== (kept out of the wasm)
    if (o)
      for (const auto& id : o.value()["userIds"])
        listed = listed || (id.is_string() && id.string_ref() == user);
    // v2 semantics: 0 = in the blacklist, 1 = not.
    result(out, p.callback, ErrorCode::kOk, listed ? 0 : 1);
  } else if (p.query == Cmd::kGetBlacklist) {
    auto o = decode_payload("QueryBlackListOutput", q.payload);
    json ids = json::array();
    if (o)
      for (const auto& u : jref(o.value(), "userIds")) ids.push_back(u);
    result(out, p.callback, ErrorCode::kOk, ids);
  } else {
    // Other queries: the decoded answer when a type is known, else plain success.
    const char* type = codec::topics::response_type(p.topic);
    const auto* desc = type ? codec::schema::find_message(type) : nullptr;
    json data = true;
    if (desc) {
      if (auto j = codec::protobuf_to_json_lite(*desc, q.payload)) data = j.value();
    }
    result(out, p.callback, ErrorCode::kOk, std::move(data));
  }
}

}  // namespace parley::session
