// Session: queries answered by the server, and local conversation calls.
#include <algorithm>

#include "codec/pb_json.h"
#include "codec/topics.h"
#include "rongcloud.pb.h"
#include "common/json_util.h"
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

bool Session::cmd_local(Actions& out, int64_t now, const std::string& name, const json& cmd) {
  const int64_t id = jget(cmd, "id", int64_t{0});
  int type = 0;
  std::string target;
  auto need_target = [&]() {
    if (get_target(cmd, type, target)) return true;
    result(out, id, ErrorCode::kParameterError, json{{"message", "conversationType and targetId required"}});
    return false;
  };
  if (name == "getConversationList") {
    json list = json::array();
    const size_t limit = static_cast<size_t>(std::max<int64_t>(0, jget(cmd, "count", int64_t{1000})));
    for (const auto* c : conversations_.list(int_list(cmd, "types"))) {
      if (list.size() >= limit) break;
      list.push_back(c->to_json());
    }
    result(out, id, ErrorCode::kOk, list);
  } else if (name == "getConversation") {
    if (!need_target()) return true;
    const auto* c = conversations_.find(type, target);
    result(out, id, ErrorCode::kOk, c ? c->to_json() : json(nullptr));
  } else if (name == "getTotalUnreadCount") {
    result(out, id, ErrorCode::kOk,
           conversations_.total_unread(int_list(cmd, "types"), jget(cmd, "includeSilent", true)));
  } else if (name == "getConversationUnreadCount") {
    result(out, id, ErrorCode::kOk, conversations_.total_unread(int_list(cmd, "types")));
  } else if (name == "getUnreadCount") {
    if (!need_target()) return true;
    const auto* c = conversations_.find(type, target);
    result(out, id, ErrorCode::kOk, c ? c->unread : 0);
  } else if (name == "clearUnreadCount") {
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
  } else if (name == "saveDraft" || name == "clearDraft") {
    if (!need_target()) return true;
    auto& c = conversations_.upsert(type, target);
    c.draft = name == "saveDraft" ? jget(cmd, "draft", std::string()) : std::string();
    touch(type, target);
    result(out, id, ErrorCode::kOk, true);
  } else if (name == "getDraft") {
    if (!need_target()) return true;
    const auto* c = conversations_.find(type, target);
    result(out, id, ErrorCode::kOk, c ? c->draft : std::string());
  } else if (name == "getCurrentUserId") {
    result(out, id, ErrorCode::kOk, user_id_);
  } else if (name == "getStatus") {
    result(out, id, ErrorCode::kOk, static_cast<int>(status_));
  } else if (name == "getOutbox") {
    json list = json::array();
    for (const auto& e : outbox_) list.push_back(outbox_message(e));
    result(out, id, ErrorCode::kOk, list);
  } else {
    return false;
  }
  return true;
}

void Session::cmd_query(Actions& out, int64_t now, const std::string& name, const json& cmd) {
  const int64_t id = jget(cmd, "id", int64_t{0});
  int type = 0;
  std::string target;
  auto param_error = [&](const std::string& why) {
    result(out, id, ErrorCode::kParameterError, json{{"message", why}});
  };
  auto query = [&](std::string_view topic, const std::string& target_id, const std::string& payload,
                   json context) {
    if (!live_conn_) {
      result_code(out, id, 30001, json{{"message", "not connected"}});  // RC_NET_CHANNEL_INVALID
      return;
    }
    send_request(out, now, false, topic, target_id, payload,
                 Pending{RequestKind::kQuery, id, "", name, std::move(context), 0, 0});
  };
  auto string_arg = [&](const char* k) -> std::string {
    return cmd.contains(k) && cmd[k].is_string() ? cmd[k].get<std::string>() : std::string();
  };

  if (name == "getHistory") {
    if (!get_target(cmd, type, target)) return param_error("conversationType and targetId required");
    pb::HistoryMsgInput req;
    req.set_targetid(target);
    req.set_time(jget(cmd, "timestamp", int64_t{0}));
    req.set_count(std::clamp(jget(cmd, "count", 20), 1, 100));
    req.set_order(jget(cmd, "order", 0));
    query(history_topic(type), type == kChatroom ? target : user_id_, req.SerializeAsString(),
          json{{"conversationType", type}, {"targetId", target}});
  } else if (name == "getChatroomHistory") {
    target = string_arg("chatroomId");
    if (target.empty()) return param_error("chatroomId required");
    pb::HistoryMsgInput req;
    req.set_targetid(target);
    req.set_time(jget(cmd, "timestamp", int64_t{0}));
    req.set_count(std::clamp(jget(cmd, "count", 20), 1, 100));
    req.set_order(jget(cmd, "order", 0));
    query(topics::kChatroomHistory, target, req.SerializeAsString(),
          json{{"conversationType", kChatroom}, {"targetId", target}});
  } else if (name == "getConversationListRemote") {
    if (!live_conn_) return result_code(out, id, 30001, json{{"message", "not connected"}});
    sync_conversations(out, now, id, std::clamp(jget(cmd, "count", 300), 1, 1000));
  } else if (name == "removeConversation") {
    if (!get_target(cmd, type, target)) return param_error("conversationType and targetId required");
    if (conversations_.remove(type, target)) touch(type, target);
    if (!live_conn_) return result(out, id, ErrorCode::kOk, true);
    pb::RelationQryInput req;
    req.set_type(static_cast<pb::ChannelType>(type));
    req.set_count(0);
    req.set_starttime(0);
    req.set_order(0);
    query(topics::kDeleteConversation, target, req.SerializeAsString(), nullptr);
  } else if (name == "deleteMessages") {
    if (!get_target(cmd, type, target)) return param_error("conversationType and targetId required");
    if (!cmd.contains("messages") || !cmd["messages"].is_array() || cmd["messages"].empty())
      return param_error("messages must be a non-empty array");
    pb::DeleteMsgInput req;
    req.set_type(static_cast<pb::ChannelType>(type));
    req.set_conversationid(target);
    for (const auto& m : cmd["messages"]) {
      if (!m.is_object() || !m.contains("messageUId") || !m["messageUId"].is_string())
        return param_error("each message needs messageUId");
      auto* d = req.add_msgs();
      d->set_msgid(m["messageUId"].get<std::string>());
      d->set_msgdatatime(jget(m, "sentTime", int64_t{0}));
      d->set_direct(jget(m, "messageDirection", 1));
    }
    query(topics::kDeleteMessages, user_id_, req.SerializeAsString(), nullptr);
  } else if (name == "clearHistory") {
    if (!get_target(cmd, type, target)) return param_error("conversationType and targetId required");
    pb::CleanHisMsgInput req;
    req.set_targetid(target);
    req.set_datatime(jget(cmd, "timestamp", int64_t{0}) ? jget(cmd, "timestamp", int64_t{0}) : server_now(now));
    query(clean_topic(type), user_id_, req.SerializeAsString(), nullptr);
  } else if (name == "setConversationStatus") {
    if (!get_target(cmd, type, target)) return param_error("conversationType and targetId required");
    auto& c = conversations_.upsert(type, target);
    pb::SessionStateModifyReq req;
    req.set_version(server_now(now));
    auto* st = req.add_state();
    st->set_type(static_cast<pb::ChannelType>(type));
    st->set_channelid(target);
    st->set_time(server_now(now));
    if (cmd.contains("isTop") && cmd["isTop"].is_boolean()) {
      c.top = cmd["isTop"].get<bool>();
      auto* item = st->add_stateitem();
      item->set_sessionstatetype(pb::IsTop);
      item->set_value(c.top ? "1" : "0");
    }
    if (cmd.contains("notificationStatus") && cmd["notificationStatus"].is_number_integer()) {
      c.notification_status = cmd["notificationStatus"].get<int>() == 1 ? 1 : 2;  // 1: do not disturb
      auto* item = st->add_stateitem();
      item->set_sessionstatetype(pb::IsSilent);
      item->set_value(c.notification_status == 1 ? "1" : "0");
    }
    touch(type, target);
    if (!live_conn_) return result(out, id, ErrorCode::kOk, true);
    query(topics::kSetSessionState, user_id_, req.SerializeAsString(), nullptr);
  } else if (name == "joinChatroom" || name == "quitChatroom" || name == "getChatroomInfo") {
    target = string_arg("chatroomId");
    if (target.empty()) return param_error("chatroomId required");
    if (name == "getChatroomInfo") {
      pb::QueryChatRoomInfoInput req;
      req.set_count(std::clamp(jget(cmd, "count", 10), 0, 20));
      req.set_order(jget(cmd, "order", 0));
      return query(topics::kChatroomInfo, target, req.SerializeAsString(), nullptr);
    }
    pb::ChrmInput req;
    req.set_nothing(1);
    query(name == "joinChatroom" ? topics::kJoinChatroom : topics::kExitChatroom, target,
          req.SerializeAsString(), json{{"chatroomId", target}, {"count", jget(cmd, "count", 10)}});
  } else if (name == "addToBlacklist" || name == "removeFromBlacklist" || name == "getBlacklistStatus") {
    const std::string user = string_arg("userId");
    if (user.empty()) return param_error("userId required");
    std::string payload;
    std::string_view topic;
    if (name == "addToBlacklist") {
      pb::Add2BlackListInput req;
      req.set_userid(user);
      payload = req.SerializeAsString();
      topic = topics::kAddBlacklist;
    } else if (name == "removeFromBlacklist") {
      pb::RemoveFromBlackListInput req;
      req.set_userid(user);
      payload = req.SerializeAsString();
      topic = topics::kRemoveBlacklist;
    } else {
      pb::BlackListStatusInput req;
      req.set_userid(user);
      payload = req.SerializeAsString();
      topic = topics::kBlacklistStatus;
    }
    query(topic, user_id_, payload, json{{"userId", user}});
  } else if (name == "getBlacklist") {
    pb::QueryBlackListInput req;
    req.set_nothing(1);
    query(topics::kQueryBlacklist, user_id_, req.SerializeAsString(), nullptr);
  } else if (name == "query") {
    // Any topic of the schema, body as JSON: for forward compatibility and tools.
    const std::string topic = string_arg("topic");
    const char* type_name = topics::request_type(topic);
    const auto* desc = type_name ? codec::schema::find_message(type_name) : nullptr;
    if (!desc) return param_error("unknown topic \"" + topic + "\"");
    auto payload = codec::json_to_protobuf(*desc, jget(cmd, "body", json::object()));
    if (!payload) return param_error(payload.error().message);
    const std::string tgt = string_arg("targetId");
    query(topic, tgt.empty() ? user_id_ : tgt, payload.value(), nullptr);
  } else {
    result(out, id, ErrorCode::kNotSupport, json{{"message", "unknown command \"" + name + "\""}});
  }
}

void Session::on_query_result(Actions& out, int64_t now, const Pending& p, const codec::QueryAck& q) {
  if (p.query == "markRead") {
    const store::ConversationKey k{jget(p.context, "type", 1), jget(p.context, "targetId", "")};
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
  if (p.query == "syncConversations" || p.query == "getConversationListRemote") relation_sync_in_flight_ = false;
  if (q.status != 0) {
    result_code(out, p.callback, q.status);
    return;
  }
  MessageContext ctx{user_id_, connected_time_, now};
  auto local_id = [&]() { return static_cast<int64_t>(rng_.uniform(16777215)); };
  if (p.query == "getHistory" || p.query == "getChatroomHistory") {
    pb::HistoryMsgOuput h;
    if (!h.ParseFromString(q.payload)) return result(out, p.callback, ErrorCode::kBadProtobuf);
    json list = json::array();
    // The server answers newest first; the API gives oldest first (§4.8).
    for (int i = h.list_size() - 1; i >= 0; --i) {
      json m = message_from_downstream(h.list(i), ctx, local_id());
      m["targetId"] = jget(p.context, "targetId", std::string());
      list.push_back(std::move(m));
    }
    result(out, p.callback, ErrorCode::kOk, json{{"list", list}, {"hasMore", h.hasmsg() != 0}});
  } else if (p.query == "getConversationListRemote" || p.query == "syncConversations") {
    pb::RelationsOutput r;
    if (!r.ParseFromString(q.payload)) return result(out, p.callback, ErrorCode::kBadProtobuf);
    json list = json::array();
    for (const auto& info : r.info()) {
      json latest = info.has_msg() ? message_from_downstream(info.msg(), ctx, local_id()) : json();
      if (latest.is_object()) latest["targetId"] = info.userid();
      // Counted messages we delivered after the server took its snapshot are not in its count.
      const store::ConversationKey k{static_cast<int>(info.type()), info.userid()};
      const int64_t snapshot = info.has_msg() ? info.msg().datatime() : 0;
      int64_t later = 0;
      for (const auto& [ck, t] : counted_during_relation_sync_)
        if (ck == k && t > snapshot && t > info.readmsgtime()) ++later;
      conversations_.on_server_relation(k.first, k.second, latest, info.unreadcount() + later,
                                        info.readmsgtime(), snapshot);
      touch(static_cast<int>(info.type()), info.userid());
      list.push_back(conversations_.find(k.first, k.second)->to_json());
    }
    counted_during_relation_sync_.clear();
    result(out, p.callback, ErrorCode::kOk, list);
  } else if (p.query == "pullSeAtts") {
    pb::SessionStates s;
    if (!s.ParseFromString(q.payload)) return;
    for (const auto& st : s.state()) {
      auto& c = conversations_.upsert(static_cast<int>(st.type()), st.channelid());
      for (const auto& item : st.stateitem()) {
        if (item.sessionstatetype() == pb::IsTop) c.top = item.value() == "1";
        if (item.sessionstatetype() == pb::IsSilent) c.notification_status = item.value() == "1" ? 1 : 2;
      }
      touch(c.type, c.target_id);
    }
  } else if (p.query == "joinChatroom") {
    const std::string room = jget(p.context, "chatroomId", "");
    chatrooms_.insert(room);
    pb::ChrmOutput o;
    int64_t join_time = 0;
    if (o.ParseFromString(q.payload)) join_time = o.jointime();
    chatroom_sync_[room] = join_time;
    pb::ChrmPullMsg req;
    req.set_synctime(join_time);
    req.set_count(jget(p.context, "count", 10));
    send_request(out, now, false, topics::kPullChatroom, room, req.SerializeAsString(),
                 Pending{RequestKind::kQuery, 0, "", "chatroomPull", json{{"chatroomId", room}}, 0, 0});
    result(out, p.callback, ErrorCode::kOk, json{{"chatroomId", room}, {"joinTime", join_time}});
  } else if (p.query == "quitChatroom") {
    chatrooms_.erase(jget(p.context, "chatroomId", ""));
    chatroom_sync_.erase(jget(p.context, "chatroomId", ""));
    result(out, p.callback, ErrorCode::kOk, true);
  } else if (p.query == "chatroomPull") {
    pb::DownStreamMessages batch;
    if (!batch.ParseFromString(q.payload)) return;
    for (const auto& m : batch.list()) deliver(out, now, message_from_downstream(m, ctx, local_id()), true);
    const std::string room = jget(p.context, "chatroomId", std::string());
    if (!chatrooms_.count(room)) return;
    auto& sync = chatroom_sync_[room];
    sync = std::max(sync, static_cast<int64_t>(batch.synctime()));
    if (batch.has_finished() && !batch.finished() && !batch.list().empty()) pull_chatroom(out, now, room);
  } else if (p.query == "rejoinChatroom") {
    // Back in after a reconnect: fetch what the room said meanwhile.
    const std::string room = jget(p.context, "chatroomId", std::string());
    if (chatrooms_.count(room)) pull_chatroom(out, now, room);
  } else if (p.query == "getBlacklistStatus") {
    pb::QueryBlackListOutput o;
    const bool listed = o.ParseFromString(q.payload) &&
                        std::find(o.userids().begin(), o.userids().end(), jget(p.context, "userId", "")) !=
                            o.userids().end();
    // v2 semantics: 0 = in the blacklist, 1 = not.
    result(out, p.callback, ErrorCode::kOk, listed ? 0 : 1);
  } else if (p.query == "getBlacklist") {
    pb::QueryBlackListOutput o;
    json ids = json::array();
    if (o.ParseFromString(q.payload))
      for (const auto& u : o.userids()) ids.push_back(u);
    result(out, p.callback, ErrorCode::kOk, ids);
  } else {
    // Other queries: the decoded answer when a type is known, else plain success.
    const char* type = codec::topics::response_type(p.topic);
    const auto* desc = type ? codec::schema::find_message(type) : nullptr;
    json data = true;
    if (desc) {
      if (auto j = codec::protobuf_to_json(*desc, q.payload)) data = j.value();
    }
    result(out, p.callback, ErrorCode::kOk, std::move(data));
  }
}

}  // namespace parley::session
