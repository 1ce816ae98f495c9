#include "session/session.h"

#include <algorithm>
#include <iterator>

#include "codec/comet.h"
#include "codec/topics.h"
#include "common/decimal.h"
#include "common/json_util.h"
#include "session/payload.h"

namespace parley::session {

using json = parley::Json;
namespace topics = codec::topics;

namespace {

constexpr size_t kMaxRateEntries = 32;

std::string encode_uri_component(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        std::string_view("-_.!~*'()").find(static_cast<char>(c)) != std::string_view::npos) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

int64_t min_deadline(int64_t a, int64_t b) {
  if (a < 0) return b;
  if (b < 0) return a;
  return std::min(a, b);
}

bool is_refusal_final(uint8_t connack_status) {
  // Token, authorization, app and user refusals do not heal by retrying.
  switch (connack_status) {
    case 2: case 4: case 5: case 8: case 9: case 10: return true;
    default: return false;
  }
}

// The "cmd" names of Session::Cmd, in its order (up to the internal ones).
constexpr const char* kCommandNames[] = {
    "connect", "reconnect", "disconnect", "logout", "sendMessage", "resendMessage",
    "recallMessage", "online", "visible",
    "getConversationList", "getConversation", "getTotalUnreadCount",
    "getConversationUnreadCount", "getUnreadCount", "clearUnreadCount", "saveDraft",
    "clearDraft", "getDraft", "getCurrentUserId", "getStatus", "getOutbox", "deleteLocalMessages",
    "getHistory", "getChatroomHistory", "getConversationListRemote", "removeConversation",
    "deleteMessages", "clearHistory", "setConversationStatus", "joinChatroom", "quitChatroom",
    "getChatroomInfo", "addToBlacklist", "removeFromBlacklist", "getBlacklistStatus",
    "getBlacklist", "query",
};

}  // namespace

Session::Cmd Session::command_of(std::string_view name) {
  static_assert(std::size(kCommandNames) == static_cast<size_t>(Cmd::kMarkRead) - 1);
  for (size_t i = 0; i < std::size(kCommandNames); ++i)
    if (name == kCommandNames[i]) return static_cast<Cmd>(i + 1);
  return Cmd::kUnknown;
}

ErrorCode connack_error(uint8_t status) {
  switch (status) {
    case 1: return static_cast<ErrorCode>(31001);
    case 2: return static_cast<ErrorCode>(31002);
    case 3: return static_cast<ErrorCode>(31003);
    case 4: return ErrorCode::kTokenIncorrect;
    case 5: return static_cast<ErrorCode>(31005);
    case 6: return static_cast<ErrorCode>(31006);
    case 7: return static_cast<ErrorCode>(31007);
    case 8: return static_cast<ErrorCode>(31008);
    case 9: return static_cast<ErrorCode>(31009);
    case 10: return static_cast<ErrorCode>(31020);  // TOKEN_EXPIRE (v4 number)
    default: return static_cast<ErrorCode>(31003);
  }
}

Session::Session(SessionConfig config, uint64_t seed)
    : config_(std::move(config)), rng_(seed), seen_(config_.dedupe_capacity) {}

// ---- small helpers --------------------------------------------------------------------

void Session::emit(Actions& out, const char* type, json data) {
  out.push_back(EmitEvent{type, std::move(data)});
}

void Session::log(Actions& out, const char* level, const char* message) {
  emit(out, "log", json().set("level", level).set("message", message));
}

void Session::log(Actions& out, const char* level, const std::string& message) {
  emit(out, "log", json().set("level", level).set("message", message));
}

void Session::fail(Actions& out, int64_t callback, ErrorCode code, const char* message) {
  fail_code(out, callback, static_cast<int>(code), message);
}

void Session::fail(Actions& out, int64_t callback, ErrorCode code, const std::string& message) {
  result_code(out, callback, static_cast<int>(code), json().set("message", message));
}

void Session::fail_code(Actions& out, int64_t callback, int code, const char* message) {
  result_code(out, callback, code, json().set("message", message));
}

void Session::result(Actions& out, int64_t callback, ErrorCode code, json data) {
  result_code(out, callback, static_cast<int>(code), std::move(data));
}

void Session::result_code(Actions& out, int64_t callback, int code, json data) {
  if (callback == 0) return;
  emit(out, "result", json().set("id", callback).set("code", code).set("data", std::move(data)));
}

void Session::set_status(Actions& out, ConnectionStatus s) {
  status_ = s;
  emit(out, "status", json().set("status", static_cast<int>(s)));
}

void Session::flush(Actions& out) {
  if (user_id_.empty()) return;  // the rest is per user: kept until the CONNACK names one
  if (dirty_sync_) persist_sync(out);
  if (dirty_seen_) persist_seen(out);
  if (dirty_marks_) persist_marks(out);
  for (const auto& [type, target] : dirty_conversations_) {
    persist_conversation(out, type, target);
    if (const auto* c = conversations_.find(type, target))
      emit(out, "conversation", json().set("conversation", c->to_json()));
  }
  dirty_sync_ = dirty_seen_ = dirty_marks_ = false;
  dirty_conversations_.clear();
}

void Session::finish(Actions& out) {
  flush(out);
  const int64_t d = next_deadline();
  if (d != last_deadline_) {
    last_deadline_ = d;
    out.push_back(SetTimer{d});
  }
}

// Until a CONNACK names the user only the outbox is written (flush() holds the rest back),
// under the user-less "_pending" (pending_prefix()).
std::string Session::key(const std::string& name) const {
  return "parley/" + config_.app_key + "/" + (user_id_.empty() ? "_pending" : user_id_) + "/" + name;
}

void Session::persist(Actions& out, const std::string& name, const std::string& value, bool erase) {
  out.push_back(PersistValue{key(name), value, erase});
}

void Session::persist_sync(Actions& out) {
  persist(out, "sync", to_text(json().set("inbox", inbox_time_).set("outbox", outbox_time_)));
}

// The dedupe set, by blocks (store/dedupe_set.h): the blocks that got ids since the last
// write (normally the newest alone), and away with those whose ids are all forgotten.
void Session::persist_seen(Actions& out) {
  constexpr size_t kBlock = store::DedupeSet::kBlockIds;
  const size_t end = seen_.end_number();
  for (size_t b = seen_written_end_ / kBlock; b * kBlock < end; ++b)
    persist(out, "seen/" + decimal(b), to_text(seen_.block_json(b)));
  for (; seen_first_block_ < seen_.first_number() / kBlock; ++seen_first_block_)
    forget(out, "seen/" + decimal(seen_first_block_));
  if (seen_legacy_) forget(out, "seen");
  seen_legacy_ = false;
  seen_written_end_ = end;
}

// Messages sent before the first CONNACK said who we are are kept under this user-less
// prefix and adopted by the user that connects (a page reload must not lose them either).
std::string Session::pending_prefix() const { return "parley/" + config_.app_key + "/_pending/"; }

namespace {

// An entry's key: "<prefix>outbox/<seq>.<messageId>". The seq is zero-padded to 12 digits
// so that stored keys sort in queue order, the order restore() reads them in (Json objects
// keep their keys sorted). The messageId keeps apart the entries of two pages of one user
// (each numbers its own seqs): neither overwrites the other's.
std::string outbox_key(std::string prefix, int64_t seq, int64_t message_id) {
  prefix += "outbox/000000000000.";
  for (size_t i = prefix.size() - 1; seq > 0; seq /= 10) prefix[--i] = static_cast<char>('0' + seq % 10);
  return prefix + decimal(message_id);
}

}  // namespace

void Session::write_entry(Actions& out, const OutboxEntry& e, bool erase) {
  persist(out, outbox_key(std::string(), e.seq, e.local_id), erase ? std::string() : to_text(e.to_json()), erase);
}

void Session::enqueue(Actions& out, OutboxEntry e) {
  e.seq = ++outbox_seq_;
  outbox_.push_back(std::move(e));
  write_entry(out, outbox_.back());
}

void Session::requeue(Actions& out, const std::string& old_prefix, std::vector<OutboxEntry>& entries) {
  for (auto& e : entries) {
    if (e.seq) out.push_back(PersistValue{outbox_key(old_prefix, e.seq, e.local_id), "", true});
    if (!find_outbox(e.local_id)) enqueue(out, std::move(e));
  }
}

bool Session::read_outbox_key(std::string_view name, const json& value,
                              std::vector<OutboxEntry>& into, std::vector<OutboxEntry>& legacy) {
  if (name.substr(0, 6) != "outbox" || (name.size() > 6 && name[6] != '/')) return false;
  if (!value.is_string()) return true;
  const json j = json::parse(value.string_ref(), nullptr, false);
  if (name.size() == 6) {  // an older version's single key: the whole list
    for (const auto& e : j)
      if (auto entry = OutboxEntry::from_json(e)) legacy.push_back(std::move(*entry));
    return true;
  }
  // "outbox/<seq>.<messageId>": one entry. Any other name under outbox/ is not ours (a
  // damaged key): skipped. Seqs start at 1.
  if (name.size() < 20 || name[19] != '.') return true;
  int64_t seq = 0;
  for (size_t i = 7; i < 19; ++i) {
    if (name[i] < '0' || name[i] > '9') return true;
    seq = seq * 10 + (name[i] - '0');
  }
  auto entry = OutboxEntry::from_json(j);
  if (seq == 0 || !entry) return true;
  entry->seq = seq;
  outbox_seq_ = std::max(outbox_seq_, seq);
  into.push_back(std::move(*entry));
  return true;
}

void Session::persist_conversation(Actions& out, int type, const std::string& target) {
  if (user_id_.empty()) return;
  const std::string name = "conv/" + decimal(type) + "/" + target;
  if (const auto* c = conversations_.find(type, target)) {
    persist(out, name, to_text(c->to_json()));
  } else {
    forget(out, name);
  }
}

void Session::persist_marks(Actions& out) {
  json list = json::array();
  for (const auto& [k, t] : pending_marks_)
    list.push_back(json().set("type", k.first).set("targetId", k.second).set("time", t));
  persist(out, "marks", to_text(list));
}

void Session::send_marks(Actions& out, int64_t now) {
  if (!live_conn_) return;
  for (const auto& [k, t] : pending_marks_) {
    if (marks_in_flight_.count(k)) continue;
    const std::string req =
        encode_payload("SessionMsgReadInput",
                       json().set("type", k.first).set("msgTime", t).set("channelId", k.second));
    if (send_request(
            out, now, false, topics::kMarkRead, user_id_, req,
            Pending{RequestKind::kQuery, 0, Cmd::kMarkRead,
                    json().set("type", k.first).set("targetId", k.second).set("time", t)}))
      marks_in_flight_.insert(k);
  }
}

void Session::sync_conversations(Actions& out, int64_t now, int64_t callback, int count) {
  const std::string req = encode_payload(
      "RelationQryInput",
      json().set("type", kPrivate).set("count", count).set("startTime", 0).set("order", 0));
  if (send_request(out, now, false, topics::kQueryConversations, user_id_, req,
                   Pending{RequestKind::kQuery, callback,
                           callback ? Cmd::kGetConversationListRemote : Cmd::kSyncConversations})) {
    relation_sync_in_flight_ = true;
    counted_during_relation_sync_.clear();
  }
}

int64_t Session::server_now(int64_t now) const {
  return connected_time_ ? now - local_connect_time_ + connected_time_ : now;
}

Actions Session::restore(json persisted) {
  persisted_ = persisted.is_object() ? std::move(persisted) : json::object();
  // Messages a page queued before it ever connected belong to no user yet: they are this
  // page's outbox from the start, so what it queues next is saved after them, in order.
  Actions out;
  if (loaded_user_.empty()) {
    // The shim restores before every connect: what this page queued is stored too, and
    // is queued once.
    std::vector<OutboxEntry> stored, legacy;
    take_pending_outbox(stored, legacy);
    for (auto& e : stored)
      if (!find_outbox(e.local_id)) outbox_.push_back(std::move(e));
    if (!legacy.empty()) {
      // An older version's single key: its entries are the oldest. All go to keys of
      // their own, in order, and the old key goes.
      std::vector<OutboxEntry> newer;
      newer.swap(outbox_);
      const std::string pending = pending_prefix();
      requeue(out, pending, legacy);
      requeue(out, pending, newer);
      out.push_back(PersistValue{pending + "outbox", "", true});
    }
  }
  return out;
}

// The entries saved under the user-less keys (sent before a CONNACK), appended to `into`
// in queue order, those of the old single key to `legacy`; the keys are then dropped from
// the restored contents (the caller erases or rewrites them).
void Session::take_pending_outbox(std::vector<OutboxEntry>& into, std::vector<OutboxEntry>& legacy) {
  const std::string prefix = pending_prefix();
  std::vector<std::string> taken;
  for (auto it = persisted_.begin(); it != persisted_.end(); ++it)
    if (it.key().compare(0, prefix.size(), prefix) == 0 &&
        read_outbox_key(std::string_view(it.key()).substr(prefix.size()), *it, into, legacy))
      taken.push_back(it.key());
  for (const auto& k : taken) persisted_.erase(k);
}

void Session::load_user_state(Actions& out, const std::string& user) {
  if (loaded_user_ == user) return;
  // Messages the app sent before this first CONNACK told us who we are: they belong to
  // this user and go after the ones restored from storage.
  std::vector<OutboxEntry> unsaved;
  std::map<store::ConversationKey, int64_t> unsaved_marks;
  if (loaded_user_.empty()) {
    unsaved.swap(outbox_);
    unsaved_marks.swap(pending_marks_);
  }
  loaded_user_ = user;
  inbox_time_ = outbox_time_ = outbox_seq_ = 0;
  seen_.clear();
  outbox_.clear();
  std::vector<OutboxEntry> legacy_outbox;
  conversations_.clear();
  pending_marks_.clear();
  const std::string prefix = "parley/" + config_.app_key + "/" + user + "/";
  json legacy_seen;
  size_t first_block = SIZE_MAX, last_block = 0;  // of the dedupe set's stored blocks
  for (auto it = persisted_.begin(); it != persisted_.end(); ++it) {
    const std::string& k = it.key();
    if (k.compare(0, prefix.size(), prefix) != 0 || !it->is_string()) continue;
    const std::string name = k.substr(prefix.size());
    if (read_outbox_key(name, *it, outbox_, legacy_outbox)) continue;
    json j = json::parse(it->string_ref(), nullptr, false);
    if (j.is_discarded()) continue;  // a damaged key is skipped, not fatal
    if (name == "sync" && j.is_object()) {
      inbox_time_ = jget(j, "inbox", int64_t{0});
      outbox_time_ = jget(j, "outbox", int64_t{0});
    } else if (name == "seen") {  // the whole set, as a version before the blocks kept it
      legacy_seen = std::move(j);
    } else if (name.compare(0, 5, "seen/") == 0) {  // read below, in number order
      size_t b = 0;
      for (size_t i = 5; i < name.size(); ++i) b = b * 10 + static_cast<size_t>(name[i] - '0');
      first_block = std::min(first_block, b);
      last_block = std::max(last_block, b);
    } else if (name == "marks" && j.is_array()) {
      for (const auto& m : j)
        if (const json& target = jref(m, "targetId"); target.is_string())
          pending_marks_[{jget(m, "type", 1), target.string_ref()}] = jget(m, "time", int64_t{0});
    } else if (name.compare(0, 5, "conv/") == 0) {
      if (auto c = store::Conversation::from_json(j)) conversations_.load(*c);
    }
  }
  // The dedupe set: the old single key's ids are the older ones, then the blocks in order,
  // numbered on from the newest block. Ids from the old key go to blocks at the next write.
  seen_.append(legacy_seen);
  if (first_block <= last_block) {
    // Stored blocks are consecutive; a stray key far below the rest is not walked to.
    constexpr size_t kBlock = store::DedupeSet::kBlockIds;
    first_block = std::max(first_block, last_block - std::min(last_block, config_.dedupe_capacity / kBlock + 1));
    size_t last_size = 0;
    for (size_t b = first_block; b <= last_block; ++b) {
      const json* text = persisted_.find_member(prefix + "seen/" + decimal(b));
      if (!text || !text->is_string()) continue;
      json ids = json::parse(text->string_ref(), nullptr, false);
      seen_.append(ids);
      last_size = ids.size();
    }
    seen_.number_up_to(last_block * kBlock + last_size);
    seen_first_block_ = first_block;
  }
  seen_written_end_ = seen_.end_number();
  seen_legacy_ = legacy_seen.is_array();
  if (seen_legacy_) {
    seen_written_end_ = seen_.first_number();
    dirty_seen_ = true;
  }
  // An older version's single key: its entries are the oldest. All go to keys of their
  // own, in order, and the old key goes.
  if (persisted_.contains(prefix + "outbox")) {
    std::vector<OutboxEntry> newer;
    newer.swap(outbox_);
    requeue(out, prefix, legacy_outbox);
    requeue(out, prefix, newer);
    out.push_back(PersistValue{prefix + "outbox", "", true});
  }
  // Then those saved before a CONNACK (this page's or a reloaded one's), not yet adopted:
  // to this user's keys (once: a page that died while adopting may have saved them under
  // both), after the ones restored.
  take_pending_outbox(unsaved, unsaved);  // an older version's entries among them
  const std::string pending = pending_prefix();
  requeue(out, pending, unsaved);
  out.push_back(PersistValue{pending + "outbox", "", true});  // an older version's key
  // Conversations the app marked read before the CONNACK: apply to the loaded state.
  for (const auto& [k, t] : unsaved_marks) {
    auto& mark = pending_marks_[k];
    mark = std::max(mark, t);
    conversations_.upsert(k.first, k.second);
    conversations_.clear_unread(k.first, k.second, t);
  }
}

// ---- the command entry point ------------------------------------------------------------
//
// Commands ({"cmd": name, "id": callback id, ...}):
//   connect {token, hosts[], secure?, transport?: "websocket"|"comet"}
//   reconnect {auto?, rate?: [ms...]}      disconnect      logout
//   sendMessage {conversationType, targetId, objectName, content, isMentioned?,
//                disableNotification?, pushContent?, pushData?, isPersited?, isCounted?}
//   resendMessage {messageId}
//   recallMessage {conversationType, targetId, messageUId, sentTime}
//   queries (answered by the server): getHistory, getConversationListRemote,
//     removeConversation, deleteMessages, clearHistory, setConversationStatus,
//     clearUnreadCount, joinChatroom, quitChatroom, getChatroomInfo,
//     getChatroomHistory, addToBlacklist, removeFromBlacklist, getBlacklist,
//     getBlacklistStatus
//   local: getConversationList, getConversation, getTotalUnreadCount, getUnreadCount,
//     saveDraft, getDraft, clearDraft, getCurrentUserId, getStatus, getOutbox,
//     deleteLocalMessages {messageIds}
//   network: online, visible
Actions Session::command(int64_t now, const json& cmd) {
  Actions out;
  if (!cmd.is_object() || !cmd.contains("cmd") || !cmd["cmd"].is_string()) {
    log(out, "error", "command without \"cmd\"");
    finish(out);
    return out;
  }
  const Cmd name = command_of(cmd["cmd"].string_ref());
  const int64_t id = jget(cmd, "id", int64_t{0});
  if (name == Cmd::kConnect) {
    cmd_connect(out, now, cmd);
  } else if (name == Cmd::kReconnect) {
    cmd_reconnect(out, now, cmd);
  } else if (name == Cmd::kDisconnect || name == Cmd::kLogout) {
    cmd_disconnect(out, now, name == Cmd::kLogout, id);
  } else if (name == Cmd::kSendMessage) {
    cmd_send(out, now, cmd);
  } else if (name == Cmd::kResendMessage) {
    cmd_resend(out, now, cmd);
  } else if (name == Cmd::kRecallMessage) {
    cmd_recall(out, now, cmd);
  } else if (name == Cmd::kOnline || name == Cmd::kVisible) {
    check_link(out, now);
  } else if (name == Cmd::kUnknown) {  // command_of never names the internal queries
    fail(out, id, ErrorCode::kNotSupport, "unknown command \"" + cmd["cmd"].string_ref() + "\"");
  } else if (!cmd_local(out, now, name, cmd)) {
    cmd_query(out, now, name, cmd);
  }
  finish(out);
  return out;
}

// ---- connecting -------------------------------------------------------------------------

std::string Session::connect_url(const std::string& host, TransportKind kind,
                                 const std::string& pid) const {
  std::string scheme = kind == TransportKind::kWebSocket ? (secure_ ? "wss://" : "ws://")
                                                         : (secure_ ? "https://" : "http://");
  return scheme + host + "/websocket?appId=" + encode_uri_component(config_.app_key) +
         "&token=" + encode_uri_component(token_) + "&sdkVer=" + config_.sdk_version +
         "&pid=" + pid + "&apiVer=normal";
}

void Session::cmd_connect(Actions& out, int64_t now, const json& cmd) {
  const int64_t id = jget(cmd, "id", int64_t{0});
  const json& token = jref(cmd, "token");
  if (!token.is_string() || token.get<std::string>().empty()) {
    fail(out, id, ErrorCode::kTokenIncorrect, "token must be a non-empty string");
    return;
  }
  std::vector<std::string> hosts;
  if (const json& list = jref(cmd, "hosts"); list.is_array()) {
    for (const auto& h : list)
      if (h.is_string() && !h.string_ref().empty() &&
          std::find(hosts.begin(), hosts.end(), h.string_ref()) == hosts.end())
        hosts.push_back(h.string_ref());
  }
  if (hosts.empty()) {
    fail(out, id, ErrorCode::kSocketNotCreated, "no server host to connect to");
    return;
  }
  // A new connect replaces whatever was going on (the app may switch users).
  if (live_conn_ || !attempt_conns_.empty()) {
    if (live_conn_) out.push_back(CloseTransport{live_conn_});
    link_lost(out, now, false);
    close_attempt(out);
  }
  if (connect_callback_)
    fail(out, connect_callback_, ErrorCode::kNetUnavailable, "superseded by a new connect");
  token_ = token.get<std::string>();
  hosts_ = std::move(hosts);
  secure_ = jget(cmd, "secure", false);
  transport_ = jget(cmd, "transport", std::string("websocket")) == "comet" ? TransportKind::kComet
                                                                          : TransportKind::kWebSocket;
  comet_pid_ = decimal(1000000000000ull + rng_.uniform(8999999999999ull)) + "." +
               decimal(rng_.uniform(9999));
  connect_callback_ = id;
  reconnect_allowed_ = true;
  reconnect_mode_ = ReconnectMode::kAuto;
  reconnect_rate_.clear();
  reconnect_attempt_ = 0;
  reconnect_at_ = -1;
  start_attempt(out, now);
}

void Session::cmd_reconnect(Actions& out, int64_t now, const json& cmd) {
  const int64_t id = jget(cmd, "id", int64_t{0});
  if (token_.empty() || hosts_.empty()) {
    fail_code(out, id, 33001, "connect first: no token to reconnect with");
    return;
  }
  if (status_ == ConnectionStatus::kConnected) {
    result(out, id, ErrorCode::kOk, json().set("userId", user_id_));
    return;
  }
  reconnect_rate_.clear();
  if (const json& rate = jref(cmd, "rate"); rate.is_array()) {
    for (const auto& d : rate)
      if (d.is_number() && reconnect_rate_.size() < kMaxRateEntries)
        reconnect_rate_.push_back(std::max<int64_t>(0, d.get<int64_t>()));
  }
  const bool automatic = jget(cmd, "auto", false);
  reconnect_mode_ = !reconnect_rate_.empty() ? ReconnectMode::kRate
                    : automatic              ? ReconnectMode::kAuto
                                             : ReconnectMode::kOnce;
  reconnect_allowed_ = true;
  reconnect_attempt_ = 0;
  if (connect_callback_ && connect_callback_ != id)
    fail(out, connect_callback_, ErrorCode::kNetUnavailable, "superseded by reconnect");
  connect_callback_ = id;
  if (!attempt_conns_.empty()) return;  // an attempt is already running; it answers
  if (reconnect_mode_ == ReconnectMode::kRate) {
    reconnect_at_ = now + reconnect_rate_[0];
    reconnect_attempt_ = 1;
    set_status(out, ConnectionStatus::kConnecting);
  } else {
    reconnect_at_ = -1;
    start_attempt(out, now);
  }
}

void Session::cmd_disconnect(Actions& out, int64_t now, bool logout, int64_t callback) {
  reconnect_allowed_ = false;
  reconnect_at_ = -1;
  const bool was_active = live_conn_ || !attempt_conns_.empty();
  if (live_conn_) out.push_back(CloseTransport{live_conn_});
  link_lost(out, now, false);
  close_attempt(out);
  if (connect_callback_) {
    fail(out, connect_callback_, ErrorCode::kNetUnavailable, "disconnected by the app");
    connect_callback_ = 0;
  }
  if (was_active || status_ != ConnectionStatus::kDisconnected) set_status(out, ConnectionStatus::kDisconnected);
  if (logout) {
    // Logging out forgets the token; the persisted per-user state stays for next login.
    token_.clear();
    hosts_.clear();
  }
  result(out, callback, ErrorCode::kOk);
}

void Session::start_attempt(Actions& out, int64_t now) {
  close_attempt(out);
  if (status_ != ConnectionStatus::kConnecting) set_status(out, ConnectionStatus::kConnecting);
  for (const auto& host : hosts_) {
    const uint32_t conn = ++next_conn_;
    attempt_conns_.push_back(conn);
    out.push_back(OpenTransport{conn, transport_, host,
                                connect_url(host, transport_,
                                            transport_ == TransportKind::kComet ? comet_pid_ : "undefined")});
  }
  attempt_deadline_ = now + config_.connack_timeout_ms;
}

bool Session::is_attempt(uint32_t conn) const {
  return std::find(attempt_conns_.begin(), attempt_conns_.end(), conn) != attempt_conns_.end();
}

bool Session::drop_attempt(uint32_t conn) {
  auto it = std::find(attempt_conns_.begin(), attempt_conns_.end(), conn);
  if (it == attempt_conns_.end()) return false;
  attempt_conns_.erase(it);
  return true;
}

void Session::close_attempt(Actions& out) {
  for (uint32_t c : attempt_conns_) out.push_back(CloseTransport{c});
  attempt_conns_.clear();
  attempt_deadline_ = -1;
}

// A connect attempt ended without an accepted CONNACK. The app's connect() (or one-shot
// reconnect) hears the error; then, unless the refusal is final (bad token, blocked...)
// or the app asked for a single try, the session keeps trying in the background: a user
// who opens the app on a bad network expects it to connect by itself when it can.
void Session::attempt_failed(Actions& out, int64_t now, ErrorCode code) {
  close_attempt(out);
  const bool once = reconnect_mode_ == ReconnectMode::kOnce;
  if (connect_callback_ && (!ever_connected_ || once || !reconnect_allowed_)) {
    result(out, connect_callback_, code);
    connect_callback_ = 0;
  }
  if (!reconnect_allowed_) {
    set_status(out, ConnectionStatus::kDisconnected);
    return;
  }
  if (once) {
    set_status(out, ConnectionStatus::kNetworkUnavailable);
    return;
  }
  set_status(out, ConnectionStatus::kWebsocketUnavailable);
  schedule_reconnect(out, now);
}

void Session::schedule_reconnect(Actions& out, int64_t now) {
  if (!reconnect_allowed_) return;
  int64_t delay = 0;
  switch (reconnect_mode_) {
    case ReconnectMode::kRate:
      if (reconnect_attempt_ >= reconnect_rate_.size()) {
        reconnect_at_ = -1;
        reconnect_allowed_ = false;
        set_status(out, ConnectionStatus::kNetworkUnavailable);
        if (connect_callback_) {
          result(out, connect_callback_, ErrorCode::kNetUnavailable);
          connect_callback_ = 0;
        }
        return;
      }
      delay = reconnect_rate_[reconnect_attempt_];
      break;
    case ReconnectMode::kAuto: {
      const int shift = static_cast<int>(std::min<size_t>(reconnect_attempt_, 20));
      const int64_t ceiling = std::min(config_.backoff_cap_ms, config_.backoff_base_ms << shift);
      delay = static_cast<int64_t>(rng_.uniform(static_cast<uint64_t>(ceiling)));
      break;
    }
    case ReconnectMode::kOnce:
    case ReconnectMode::kNone:
      reconnect_at_ = -1;
      set_status(out, ConnectionStatus::kNetworkUnavailable);
      return;
  }
  ++reconnect_attempt_;
  reconnect_at_ = now + delay;
  if (status_ != ConnectionStatus::kConnecting && status_ != ConnectionStatus::kWebsocketUnavailable)
    set_status(out, ConnectionStatus::kConnecting);
}

void Session::on_connack(Actions& out, int64_t now, uint32_t conn, const codec::ConnAck& ack) {
  if (ack.status != 0) {
    emit(out, "log",
         json().set("level", "warn").set("message", "CONNACK refused").set("status", ack.status));
    if (ack.status == 6) {  // redirect: the host should re-run navigation
      emit(out, "status", json().set("status", static_cast<int>(ConnectionStatus::kRedirect)));
    }
    if (is_refusal_final(ack.status)) {
      reconnect_allowed_ = false;
      reconnect_at_ = -1;
    }
    attempt_failed(out, now, connack_error(ack.status));
    return;
  }
  // The first accepted CONNACK wins the race; the others are closed.
  drop_attempt(conn);
  close_attempt(out);
  live_conn_ = conn;
  live_kind_ = transport_;
  user_id_ = ack.user_id;
  if (loaded_user_ != user_id_) {
    load_user_state(out, user_id_);
    dirty_marks_ = true;
    for (const auto& [k, t] : pending_marks_) touch(k.first, k.second);
  }
  connected_time_ = static_cast<int64_t>(ack.timestamp_ms);
  local_connect_time_ = now;
  reconnect_attempt_ = 0;
  reconnect_at_ = -1;
  reconnect_mode_ = ReconnectMode::kAuto;
  reconnect_allowed_ = true;
  ping_misses_ = 0;
  set_status(out, ConnectionStatus::kConnected);
  if (connect_callback_) {
    result(out, connect_callback_, ErrorCode::kOk, json().set("userId", user_id_));
    connect_callback_ = 0;
  }
  if (live_kind_ == TransportKind::kWebSocket) send_ping(out, now, config_.ping_timeout_ms);
  const bool first = !ever_connected_;
  ever_connected_ = true;
  if (first) {
    send_request(out, now, false, topics::kPullSessionStates, user_id_,
                 encode_payload("SessionReq", json().set("time", 0)),
                 Pending{RequestKind::kQuery, 0, Cmd::kPullSeAtts});
  }
  pull(out, now);
  // Read marks first, then the server's unread counts and latest messages, which win
  // over what we counted locally (one connection answers in order).
  send_marks(out, now);
  sync_conversations(out, now, 0, 300);
  for (auto it = chatrooms_.begin(); it != chatrooms_.end(); ++it) {
    const std::string& room = it.key();
    send_request(out, now, false, topics::kRejoinChatroom, room,
                 encode_payload("ChrmInput", json().set("nothing", 1)),
                 Pending{RequestKind::kQuery, 0, Cmd::kRejoinChatroom,
                         json().set("chatroomId", room)});
  }
  for (auto& e : outbox_) e.in_flight = 0;
  pump_outbox(out, now);
}

void Session::link_lost(Actions& out, int64_t now, bool reconnect) {
  if (!live_conn_) return;
  live_conn_ = 0;
  next_ping_at_ = pong_deadline_ = -1;
  ping_misses_ = 0;
  pull_in_flight_ = false;
  unconfirmed_pulls_ = false;  // the server forgets them with the connection
  next_pull_at_ = -1;
  sync_copies_.clear();
  marks_in_flight_.clear();
  relation_sync_in_flight_ = false;
  counted_during_relation_sync_.clear();
  // Messages waiting for a PUBACK stay in the outbox (SENDING): they go again, with the
  // same clientUniqueId, on the next connection. Queries cannot be answered any more.
  for (auto& e : outbox_) e.in_flight = 0;
  fail_pending_queries(out, ErrorCode::kNetUnavailable);
  if (reconnect && reconnect_allowed_) {
    reconnect_mode_ = ReconnectMode::kAuto;
    reconnect_attempt_ = 0;
    set_status(out, ConnectionStatus::kConnecting);
    schedule_reconnect(out, now);
  }
}

void Session::fail_pending_queries(Actions& out, ErrorCode code) {
  for (auto& [id, p] : pending_) {
    if (p.kind == RequestKind::kQuery) result(out, p.callback, code);
  }
  pending_.clear();
}

// ---- transport inputs -------------------------------------------------------------------

Actions Session::on_transport_open(int64_t /*now*/, uint32_t /*conn*/) {
  // The client sends nothing before CONNACK (PROTOCOL.md §2.3): nothing to do.
  return {};
}

Actions Session::on_bytes(int64_t now, uint32_t conn, std::string_view bytes) {
  Actions out;
  if (conn != live_conn_ && !is_attempt(conn)) {
    finish(out);
    return out;  // a stale transport
  }
  auto frame = codec::decode_server_frame(bytes);
  if (!frame) {
    emit(out, "log",
         json()
             .set("level", "error")
             .set("message", "undecodable frame from server: " + frame.error().message)
             .set("code", static_cast<int>(frame.error().code)));
  } else if (is_attempt(conn)) {
    if (auto* ack = std::get_if<codec::ConnAck>(&frame.value())) {
      on_connack(out, now, conn, *ack);
    } else {
      log(out, "warn", "frame before CONNACK ignored");
    }
  } else {
    on_server_frame(out, now, frame.value());
  }
  finish(out);
  return out;
}

Actions Session::on_comet(int64_t now, uint32_t conn, std::string_view body) {
  Actions out;
  if (conn != live_conn_ && !is_attempt(conn)) {
    finish(out);
    return out;
  }
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) {
    log(out, "error", "comet body is not JSON");
    finish(out);
    return out;
  }
  if (is_attempt(conn)) {
    auto frame = codec::decode_comet_response(j);
    if (frame && std::holds_alternative<codec::ConnAck>(frame.value())) {
      on_connack(out, now, conn, std::get<codec::ConnAck>(frame.value()));
    } else {
      log(out, "error", "bad comet connect answer");
    }
    finish(out);
    return out;
  }
  const json items = j.is_array() ? j : json::array();
  for (const auto& item : items) {
    // A QUERYACK's payload type comes from the pending request's topic.
    std::string ack_topic;
    if (const json& id = jref(item, "messageId"); id.is_number_unsigned()) {
      auto it = pending_.find(static_cast<uint16_t>(id.get_uint64()));
      if (it != pending_.end()) ack_topic = it->second.topic;
    }
    auto frame = codec::decode_comet_response(item, ack_topic);
    if (!frame) {
      log(out, "error", "bad comet frame: " + frame.error().message);
      continue;
    }
    on_server_frame(out, now, frame.value());
  }
  finish(out);
  return out;
}

Actions Session::on_transport_closed(int64_t now, uint32_t conn) {
  Actions out;
  if (drop_attempt(conn)) {
    if (attempt_conns_.empty()) {
      attempt_failed(out, now, ever_connected_ ? ErrorCode::kNetUnavailable : ErrorCode::kNetUnavailable);
    }
  } else if (conn == live_conn_) {
    link_lost(out, now, true);
  }
  finish(out);
  return out;
}

Actions Session::on_timer(int64_t now) {
  Actions out;
  last_deadline_ = -2;  // the host's timer has fired: whatever is next must be armed again
  if (attempt_deadline_ >= 0 && now >= attempt_deadline_) {
    attempt_failed(out, now, static_cast<ErrorCode>(31000));  // RC_CONN_ACK_TIMEOUT
  }
  if (reconnect_at_ >= 0 && now >= reconnect_at_ && attempt_conns_.empty() && !live_conn_) {
    reconnect_at_ = -1;
    start_attempt(out, now);
  }
  if (live_conn_) {
    if (pong_deadline_ >= 0 && now >= pong_deadline_) {
      pong_deadline_ = -1;
      if (++ping_misses_ >= config_.ping_max_misses) {
        log(out, "warn", "no pong: link declared dead");
        out.push_back(CloseTransport{live_conn_});
        link_lost(out, now, true);
      } else {
        send_ping(out, now, config_.ping_timeout_ms);  // re-ping at once, as the official client
      }
    } else if (next_ping_at_ >= 0 && now >= next_ping_at_) {
      send_ping(out, now, config_.ping_timeout_ms);
    }
  }
  // Request timeouts.
  std::vector<uint16_t> expired;
  for (const auto& [id, p] : pending_)
    if (p.deadline >= 0 && now >= p.deadline) expired.push_back(id);
  for (uint16_t id : expired) {
    Pending p = pending_[id];
    pending_.erase(id);
    if (p.kind == RequestKind::kSend) {
      // Unanswered: go again (the server drops a repeat by clientUniqueId).
      if (auto* e = find_outbox(p.local_id)) e->in_flight = 0;
    } else if (p.kind == RequestKind::kPull) {
      pull_in_flight_ = false;
      pull_again_ = true;
    } else {
      if (p.query == Cmd::kMarkRead)
        marks_in_flight_.erase({jget(p.context, "type", 1), jtext(p.context, "targetId")});
      if (p.query == Cmd::kSyncConversations || p.query == Cmd::kGetConversationListRemote)
        relation_sync_in_flight_ = false;
      result(out, p.callback, ErrorCode::kTimeout);
    }
  }
  // Outbox give-up.
  bool abandoned_in_flight = false;
  for (auto& e : outbox_) {
    if (e.state == kSending && now - e.created_ms >= config_.outbox_give_up_ms) {
      e.state = kFailed;
      if (e.in_flight) {
        pending_.erase(e.in_flight);
        abandoned_in_flight = true;
      }
      e.in_flight = 0;
      write_entry(out, e);
      json msg = outbox_message(e);
      if (e.callback) {
        result(out, e.callback, ErrorCode::kTimeout, json().set("message", msg));
        e.callback = 0;
      } else {
        emit(out, "outbox", json().set("message", msg));
      }
    }
  }
  if (abandoned_in_flight && live_conn_) {
    // A PUBLISH unanswered for the whole give-up time: the link is not healthy, and the
    // frame might still land after the next message of its conversation. Dropping the
    // connection rules that out (nothing sent on it can arrive later) and starts afresh.
    log(out, "warn", "message unanswered until give-up: reconnecting");
    out.push_back(CloseTransport{live_conn_});
    link_lost(out, now, true);
  }
  if (live_conn_) {
    if (next_pull_at_ >= 0 && now >= next_pull_at_) pull(out, now);
    if (pull_again_ && !pull_in_flight_) pull(out, now);
    pump_outbox(out, now);
    send_marks(out, now);
  }
  finish(out);
  return out;
}

Actions Session::on_network_online(int64_t now) {
  Actions out;
  check_link(out, now);
  finish(out);
  return out;
}

void Session::check_link(Actions& out, int64_t now) {
  if (live_conn_ && live_kind_ == TransportKind::kWebSocket) {
    if (pong_deadline_ < 0) send_ping(out, now, config_.quick_check_timeout_ms);
  } else if (reconnect_allowed_ && !live_conn_ && attempt_conns_.empty() && !token_.empty()) {
    reconnect_at_ = -1;
    reconnect_attempt_ = 0;
    start_attempt(out, now);
  }
}

Actions Session::on_visible(int64_t now) { return on_network_online(now); }

int64_t Session::next_deadline() const {
  int64_t d = -1;
  d = min_deadline(d, attempt_deadline_);
  d = min_deadline(d, reconnect_at_);
  if (live_conn_) {
    d = min_deadline(d, pong_deadline_ >= 0 ? pong_deadline_ : next_ping_at_);
    d = min_deadline(d, next_pull_at_);
  }
  for (const auto& [id, p] : pending_) d = min_deadline(d, p.deadline);
  for (const auto& e : outbox_)
    if (e.state == kSending) d = min_deadline(d, e.created_ms + config_.outbox_give_up_ms);
  return d;
}

// ---- frames -----------------------------------------------------------------------------

void Session::send_frame(Actions& out, const codec::ClientFrame& frame) {
  if (!live_conn_) return;
  if (live_kind_ == TransportKind::kComet) {
    if (std::holds_alternative<codec::PingReq>(frame) || std::holds_alternative<codec::ClientPubAck>(frame) ||
        std::holds_alternative<codec::ClientQueryCon>(frame))
      return;  // comet has neither heartbeat nor acknowledgements (PROTOCOL.md §5)
    auto req = codec::encode_comet_request(frame);
    if (!req) {
      log(out, "error", "cannot encode comet request: " + req.error().message);
      return;
    }
    out.push_back(SendComet{live_conn_, std::move(req).value()});
    return;
  }
  auto bytes = codec::encode_client_frame(frame);
  if (!bytes) {
    log(out, "error", "cannot encode frame: " + bytes.error().message);
    return;
  }
  out.push_back(SendBytes{live_conn_, std::move(bytes).value()});
}

uint16_t Session::allocate_message_id() {
  // 1..65535 wrapping, never an id still waiting for its answer.
  for (int i = 0; i < 65535; ++i) {
    last_message_id_ = static_cast<uint16_t>(last_message_id_ == 65535 ? 1 : last_message_id_ + 1);
    if (!pending_.count(last_message_id_)) return last_message_id_;
  }
  return 0;  // 65535 requests in flight: the caller fails the request
}

uint16_t Session::send_request(Actions& out, int64_t now, bool publish, std::string_view topic,
                               const std::string& target, const std::string& payload, Pending p) {
  const uint16_t id = allocate_message_id();
  if (id == 0) {
    fail_code(out, p.callback, static_cast<int>(ErrorCode::kNetUnavailable),
              "too many requests in flight");
    return 0;
  }
  p.topic = std::string(topic);
  p.deadline = now + config_.request_timeout_ms;
  pending_[id] = std::move(p);
  if (publish) {
    send_frame(out, codec::ClientPublish{{1, false, false}, std::string(topic), target, id, payload});
  } else {
    send_frame(out, codec::ClientQuery{{}, std::string(topic), target, id, payload});
  }
  return id;
}

void Session::on_server_frame(Actions& out, int64_t now, const codec::ServerFrame& frame) {
  if (auto* p = std::get_if<codec::ServerPublish>(&frame)) {
    on_publish(out, now, *p);
  } else if (auto* a = std::get_if<codec::ServerPubAck>(&frame)) {
    on_puback(out, now, *a);
  } else if (auto* q = std::get_if<codec::QueryAck>(&frame)) {
    if (q->flags.qos > 0) send_frame(out, codec::ClientQueryCon{{}, q->message_id});
    on_queryack(out, now, *q);
  } else if (std::holds_alternative<codec::PingResp>(frame)) {
    if (pong_deadline_ >= 0) {
      pong_deadline_ = -1;
      ping_misses_ = 0;
      next_ping_at_ = now + config_.ping_interval_ms;
    }
  } else if (auto* d = std::get_if<codec::Disconnect>(&frame)) {
    on_disconnect_frame(out, now, d->status);
  } else {
    log(out, "warn", "unexpected CONNACK on a live connection");
  }
}

void Session::send_ping(Actions& out, int64_t now, int64_t timeout) {
  send_frame(out, codec::PingReq{});
  pong_deadline_ = now + timeout;
  next_ping_at_ = -1;
}

void Session::pull_chatroom(Actions& out, int64_t now, const std::string& room) {
  // count 0: the server's page size
  const std::string req = encode_payload(
      "ChrmPullMsg",
      json().set("syncTime", jget(chatrooms_, room.c_str(), int64_t{0})).set("count", 0));
  send_request(out, now, false, topics::kPullChatroom, room, req,
               Pending{RequestKind::kQuery, 0, Cmd::kChatroomPull,
                       json().set("chatroomId", room)});
}

void Session::on_disconnect_frame(Actions& out, int64_t now, uint8_t status) {
  const uint32_t conn = live_conn_;
  ConnectionStatus final_status = ConnectionStatus::kDisconnectByServer;
  bool reconnect = false;
  switch (status) {
    case 1: final_status = ConnectionStatus::kKickedOffline; break;
    case 2: final_status = ConnectionStatus::kBlocked; break;
    case 0: case 6: final_status = ConnectionStatus::kRedirect; reconnect = true; break;
    default: break;
  }
  out.push_back(CloseTransport{conn});
  if (!reconnect) {
    reconnect_allowed_ = false;
    link_lost(out, now, false);
    set_status(out, ConnectionStatus::kDisconnected);
    set_status(out, final_status);
  } else {
    emit(out, "status", json().set("status", static_cast<int>(final_status)));
    link_lost(out, now, true);
  }
}

void Session::on_publish(Actions& out, int64_t now, const codec::ServerPublish& p) {
  if (p.flags.dup) {
    // Own message sent from another device: wait for the PUBACK with the same id (§4.9).
    if (p.message_id != 0) sync_copies_[p.message_id] = SyncCopy{p.topic, p.target_id, p.payload};
    return;
  }
  if (p.flags.qos > 0) send_frame(out, codec::ClientPubAck{{}, p.message_id});
  if (p.topic == topics::kNotify) {
    auto n = decode_payload("NotifyMsg", p.payload);
    if (!n) {
      log(out, "error", "bad s_ntf payload");
      return;
    }
    // type 2, chatroom: pull that room from where the last pull ended
    if (jget(n.value(), "type", 0) == 2) {
      const std::string& room = jtext(n.value(), "chrmId");
      if (n.value().contains("chrmId") && chatrooms_.contains(room)) pull_chatroom(out, now, room);
      return;
    }
    notified_time_ = std::max(notified_time_, jget(n.value(), "time", int64_t{0}));
    pull(out, now);
  } else if (p.topic == topics::kDirectMessage) {
    auto m = decode_payload("DownStreamMessage", p.payload);
    if (!m) {
      log(out, "error", "bad s_msg payload");
      return;
    }
    MessageContext ctx{user_id_, connected_time_, now};
    // Delivered at once; the inbox position is left to pulls, so nothing between the
    // last pull and this message can be skipped (the next pull re-reads it, deduped).
    deliver(out, now,
            message_from_downstream(m.value(), ctx, static_cast<int64_t>(rng_.uniform(16777215))),
            false);
  } else if (p.topic == topics::kCommand) {
    auto n = decode_payload("NotifyMsg", p.payload);
    if (n && jget(n.value(), "type", 0) == 3) {
      send_request(out, now, false, topics::kPullSessionStates, user_id_,
                   encode_payload("SessionReq", json().set("time", 0)),
                   Pending{RequestKind::kQuery, 0, Cmd::kPullSeAtts});
    }
  } else {
    log(out, "info", "unknown topic " + p.topic);
  }
}

void Session::on_puback(Actions& out, int64_t now, const codec::ServerPubAck& a) {
  const int64_t sent_time = static_cast<int64_t>(a.date) * 1000 + a.millis;
  auto sc = sync_copies_.find(a.message_id);
  if (sc != sync_copies_.end()) {
    SyncCopy copy = std::move(sc->second);
    sync_copies_.erase(sc);
    auto up = decode_payload("UpStreamMessage", copy.payload);
    if (!up) return;
    const int32_t flag_word = jget(up.value(), "sessionId", 0);
    const int type = conversation_type_of_topic(copy.topic);
    json m = json()
                 .set("fromUserId", copy.target_id)
                 .set("type", type)
                 .set("classname", jtext(up.value(), "classname"))
                 .set("content", jtext(up.value(), "content"))
                 .set("dataTime", sent_time)
                 .set("status", ((flag_word & 1) ? 16 : 0) | ((flag_word & 2) ? 32 : 0))
                 .set("msgId", a.msg_uid)
                 .set("direction", kSend);
    if (type == kGroup || type == kChatroom) m["groupId"] = copy.target_id;
    MessageContext ctx{user_id_, connected_time_, now};
    json msg = message_from_downstream(m, ctx, static_cast<int64_t>(rng_.uniform(16777215)));
    msg["targetId"] = copy.target_id;
    deliver(out, now, std::move(msg), false);
    outbox_time_ = std::max(outbox_time_, sent_time);
    dirty_sync_ = true;
    return;
  }
  auto it = pending_.find(a.message_id);
  if (it != pending_.end() && it->second.kind == RequestKind::kRecall) {
    Pending p = std::move(it->second);
    pending_.erase(it);
    on_recall_ack(out, now, p, a);
    return;
  }
  if (it == pending_.end() || it->second.kind != RequestKind::kSend) return;
  Pending p = std::move(it->second);
  pending_.erase(it);
  auto pos = std::find_if(outbox_.begin(), outbox_.end(),
                          [&](const OutboxEntry& e) { return e.local_id == p.local_id; });
  if (pos == outbox_.end()) return;
  OutboxEntry e = *pos;
  e.in_flight = 0;
  if (a.status != 0) {
    // Refused (blacklist 405, not in group 22406, too fast 20604...): final, the app may resend.
    pos->state = kFailed;
    pos->in_flight = 0;
    json msg = outbox_message(*pos);
    if (pos->callback) {
      result_code(out, pos->callback, a.status, json().set("message", msg));
      pos->callback = 0;
    } else {
      emit(out, "outbox", json().set("message", msg));
    }
    write_entry(out, *pos);
    pump_outbox(out, now, &*pos);
    return;
  }
  write_entry(out, *pos, true);
  outbox_.erase(pos);
  e.state = kSent;
  e.sent_time = sent_time;
  json msg = outbox_message(e);
  msg["messageUId"] = a.msg_uid;
  seen_.insert(a.msg_uid);  // our own copy will come back in a pull: don't deliver it
  dirty_seen_ = true;
  if (e.flags.persisted) {
    if (auto key = conversations_.on_message(msg)) {
      touch(key->first, key->second);
    }
  }
  if (e.callback) {
    result(out, e.callback, ErrorCode::kOk, json().set("message", msg));
  } else {
    emit(out, "outbox", json().set("message", msg));
  }
  pump_outbox(out, now, &e);
}

void Session::on_queryack(Actions& out, int64_t now, const codec::QueryAck& q) {
  auto it = pending_.find(q.message_id);
  if (it == pending_.end() || it->second.kind == RequestKind::kSend) return;
  Pending p = std::move(it->second);
  pending_.erase(it);
  if (p.kind == RequestKind::kPull) {
    pull_in_flight_ = false;
    if (q.status != 0) {
      emit(out, "log",
           json().set("level", "warn").set("message", "pullMsg refused").set("status", q.status));
      next_pull_at_ = now + config_.pull_interval_ms;
      return;
    }
    on_pull_result(out, now, q.payload);
    return;
  }
  on_query_result(out, now, p, q);
}

// ---- sync -------------------------------------------------------------------------------

void Session::pull(Actions& out, int64_t now) {
  if (!live_conn_) return;
  if (pull_in_flight_) {
    pull_again_ = true;
    return;
  }
  pull_again_ = false;
  // Without a position (a new device, or storage that keeps nothing), the server would
  // store the position its answer reaches at once: were the answer lost (the page closed
  // while it came), the next visit would start after messages it never got. So this pull,
  // and the batches after it, ask the server to wait until a later pull confirms them.
  unconfirmed_pulls_ = unconfirmed_pulls_ || inbox_time_ == 0;
  json body = json()
                  .set("syncTime", inbox_time_)
                  .set("ispolling", false)
                  .set("isPullSend", true)
                  .set("sendBoxSyncTime", outbox_time_);
  if (unconfirmed_pulls_) body.set("confirmsAnswer", true);
  const std::string req = encode_payload("SyncRequestMsg", body);
  if (send_request(out, now, false, topics::kPullMessages, user_id_, req,
                   Pending{RequestKind::kPull})) {
    pull_in_flight_ = true;
  }
  next_pull_at_ = now + config_.pull_interval_ms;
}

void Session::on_pull_result(Actions& out, int64_t now, const std::string& payload) {
  auto batch = decode_payload("DownStreamMessages", payload);
  if (!batch) {
    log(out, "error", "bad pullMsg answer");
    return;
  }
  MessageContext ctx{user_id_, connected_time_, now};
  for (const auto& m : jref(batch.value(), "list")) {
    if (jget(m, "direction", 0) == kSend)
      outbox_time_ = std::max(outbox_time_, jget(m, "dataTime", int64_t{0}));
    deliver(out, now, message_from_downstream(m, ctx, static_cast<int64_t>(rng_.uniform(16777215))), true);
  }
  const int64_t before = inbox_time_;
  inbox_time_ = std::max(inbox_time_, jget(batch.value(), "syncTime", int64_t{0}));
  dirty_sync_ = true;
  dirty_seen_ = true;
  // Pull again while the server says there is more, or a notification promised a newer
  // message than this answer covers (§4.7). A server whose syncTime does not move
  // would loop: only re-pull on "notified" when the position advanced.
  const bool more = batch.value().contains("finished") && !jget(batch.value(), "finished", false);
  // The last batch of unconfirmed pulls is confirmed by one more pull (from its position).
  const bool confirm = !more && unconfirmed_pulls_ && inbox_time_ > 0;
  if (confirm) unconfirmed_pulls_ = false;
  if (more || pull_again_ || confirm || (notified_time_ > inbox_time_ && inbox_time_ > before)) pull(out, now);
}

void Session::deliver(Actions& out, int64_t now, json msg, bool /*from_pull*/) {
  // msg is only read here (jref, not operator[], which would add a member): references
  // into it stay valid.
  const std::string& uid = jtext(msg, "messageUId");
  if (!seen_.insert(uid)) return;  // already given to the app
  if (!uid.empty()) dirty_seen_ = true;  // written before this input ends: a reload cannot repeat it
  const std::string& object = jtext(msg, "objectName");
  const int type = jget(msg, "conversationType", 1);
  const std::string& target = jtext(msg, "targetId");
  if (object == "RC:TypSts") {
    const json& c = jref(msg, "content");
    emit(out, "typing",
         json()
             .set("conversationType", type)
             .set("targetId", target)
             .set("userId", jtext(msg, "senderUserId"))
             .set("typingContentType", c.is_object() ? jtext(c, "typingContentType") : "")
             .set("sentTime", jget(msg, "sentTime", int64_t{0})));
    emit(out, "message", json().set("message", std::move(msg)));  // its last use
    return;
  }
  if (object == "RC:RcCmd") {
    const json& c = jref(msg, "content");
    if (c.is_object()) {
      const int rtype = jget(c, "conversationType", type);
      // For private recalls the conversation is the other party (targetId of the command
      // as seen by the receiver is the sender).
      const std::string rtarget = rtype == kPrivate ? (jget(msg, "messageDirection", 2) == kSend
                                                           ? jget(c, "targetId", target)
                                                           : jget(msg, "senderUserId", target))
                                                    : jget(c, "targetId", target);
      const std::string& ruid = jtext(c, "messageUId");
      const bool from_peer = jget(msg, "messageDirection", 2) == kReceive;
      if (auto key = conversations_.on_recall(rtype, rtarget, ruid, jget(c, "sentTime", int64_t{0}), msg, from_peer)) {
        touch(key->first, key->second);
      }
      emit(out, "recall",
           json()
               .set("conversationType", rtype)
               .set("targetId", rtarget)
               .set("messageUId", ruid)
               .set("sentTime", jget(c, "sentTime", int64_t{0}))
               .set("message", msg));
    }
    emit(out, "message", json().set("message", std::move(msg)));  // its last use
    return;
  }
  if (object == "RC:ReadNtf") {
    const json& c = jref(msg, "content");
    const int64_t last = c.is_object() ? jget(c, "lastMessageSendTime", int64_t{0}) : 0;
    if (jget(msg, "messageDirection", 2) == kSend) {
      // Read on another of our devices: clear here too.
      if (conversations_.clear_unread(type, target, last)) {
        touch(type, target);
      }
    } else {
      emit(out, "readReceipt",
           json()
               .set("conversationType", type)
               .set("targetId", target)
               .set("messageUId", c.is_object() ? jtext(c, "messageUId") : "")
               .set("lastMessageSendTime", last));
    }
    emit(out, "message", json().set("message", std::move(msg)));  // its last use
    return;
  }
  if (relation_sync_in_flight_ && jget(msg, "isCounted", false) && jget(msg, "messageDirection", 2) == kReceive)
    counted_during_relation_sync_.push_back({{type, target}, jget(msg, "sentTime", int64_t{0})});
  if (auto key = conversations_.on_message(msg)) {
    touch(key->first, key->second);  // only marks it: the conversation event comes at finish()
  }
  emit(out, "message", json().set("message", std::move(msg)));  // its last use
  (void)now;
}

}  // namespace parley::session
