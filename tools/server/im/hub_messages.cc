// The hub's message pipeline: one-to-one and group sends, sync copies for the sender's
// other devices, recall, typing (status messages), read receipts, and messages published
// by the server API. Every stored message goes through deliver(): one transaction, then a
// notification (s_ntf) to each online owner of a copy, who pulls it.
#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "auth/token.h"
#include "codec/topics.h"
#include "im/hub.h"
#include "im/hub_internal.h"
#include "im/message_flags.h"
#include "log.h"
#include "rongcloud.pb.h"
#include "status.h"

namespace parley::server::im {
namespace {

namespace topics = codec::topics;
using detail::date_of;
using detail::serialize;
using storage::ConversationType;
using storage::Direction;
using storage::MailboxEntry;

constexpr std::string_view kRecallCommand = "RC:RcCmd";
constexpr std::string_view kReadNotification = "RC:ReadNtf";
constexpr std::string_view kGroupReadUpdate = "RC:RRMsg";
constexpr size_t kMaxReceiptIds = 100;  // message UIDs honoured per rrMsg
constexpr size_t kMaxHeldStatus = 16;    // status messages kept for a session until its first pull

// Users a group message mentions (§4.2: sessionId bit 2 and mentionedInfo in the content):
// type 1 everyone, type 2 the listed users; only members count, never the sender.
std::set<std::string> mentioned_users(const std::string& content, const std::vector<storage::GroupMember>& members,
                                      const std::string& sender) {
  std::set<std::string> out;
  const auto body = nlohmann::json::parse(content, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return out;
  const auto info = body.find("mentionedInfo");
  if (info == body.end() || !info->is_object()) return out;
  const auto type = info->find("type");
  const bool all = type != info->end() && type->is_number_integer() && type->get<int>() == 1;
  std::set<std::string> listed;
  if (const auto ids = info->find("userIdList"); ids != info->end() && ids->is_array()) {
    for (const auto& id : *ids)
      if (id.is_string()) listed.insert(id.get<std::string>());
  }
  for (const auto& m : members) {
    if (m.user_id != sender && (all || listed.count(m.user_id))) out.insert(m.user_id);
  }
  return out;
}

std::string json_text(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

}  // namespace

storage::MessageRecord Hub::new_record(const std::string& app_key, const std::string& sender, ConversationType type,
                                       const std::string& target, const pb::UpStreamMessage& up,
                                       int64_t status_flags, int64_t now_ms) {
  storage::MessageRecord m;
  m.app_key = app_key;
  m.sent_ms = clock_.next(now_ms);
  m.msg_uid = uids_.next(m.sent_ms);
  m.conversation_type = type;
  m.sender_id = sender;
  m.target_id = target;
  m.classname = up.classname();
  m.content = up.content();
  m.status_flags = status_flags;
  m.config_flag = up.configflag();
  m.push_content = up.pushtext();
  m.app_data = up.appdata();
  m.extra_content = up.extracontent();
  if (up.has_pushext()) m.push_ext = up.pushext().SerializeAsString();
  if (up.has_clientuniqueid()) m.client_unique_id = up.clientuniqueid();
  return m;
}

bool Hub::admit_message(Request& r, const codec::ClientPublish& p, const pb::UpStreamMessage& up) {
  const Session& s = r.session;
  if (up.content().size() > options_.limits.max_content_bytes) {
    fail_publish(r, p, status::from_error(ErrorCode::kMessageContentTooLong), "content too long");
    return false;
  }
  // A repeated clientUniqueId is a resend of a message we already acknowledged (the
  // PUBACK was lost): answer with the first PUBACK, deliver nothing again.
  if (up.has_clientuniqueid()) {
    auto earlier = storage_.find_message_by_client_id(s.app_key, s.user_id, up.clientuniqueid());
    if (!earlier) {
      publish_storage_failed(r, p, "find_message_by_client_id", earlier.error());
      return false;
    }
    if (earlier.value()) {
      metrics_.messages_deduplicated_total.fetch_add(1, std::memory_order_relaxed);
      log_info("message.duplicate", {{"user", s.user_id}, {"uid", earlier.value()->msg_uid},
                                     {"client_unique_id", up.clientuniqueid()}});
      ack_publish(r, p.message_id, earlier.value()->sent_ms, earlier.value()->msg_uid);
      return false;
    }
  }
  return true;
}

Result<bool> Hub::deliver(HubOutput& out, Delivery& d, int64_t now_ms) {
  auto stored = storage_.append_message(d.stored);
  if (!stored) return stored.error();
  if (stored.value() == 0) return false;
  d.stored.message.id = stored.value();
  const storage::MessageRecord& m = d.stored.message;
  metrics_.messages_stored_total.fetch_add(1, std::memory_order_relaxed);
  log_debug("message.stored", {{"uid", m.msg_uid}, {"from", m.sender_id}, {"to", m.target_id},
                               {"type", static_cast<int>(m.conversation_type)}, {"class", m.classname},
                               {"bytes", m.content.size()}, {"copies", d.stored.mailboxes.size()}});
  // Online owners pull from their sync position: a pull can never lose a message, while an
  // s_msg arriving during a pull is dropped by the official client (§4.3).
  std::set<std::string> notified;
  for (const MailboxEntry& e : d.stored.mailboxes) {
    if (e.direction == Direction::kSent && !d.notify_sender) continue;
    if (!notified.insert(e.user_id).second) continue;
    notify_user(out, m.app_key, e.user_id, m.sent_ms, d.origin, now_ms);
  }
  return true;
}

void Hub::send_sync_copies(HubOutput& out, const Session& sender, ConnectionId origin, const codec::ClientPublish& p,
                           const storage::MessageRecord& m) {
  auto it = online_.find({sender.app_key, sender.user_id});
  if (it == online_.end()) return;
  for (ConnectionId id : it->second) {
    if (id == origin) continue;
    Session& other = sessions_.at(id);
    // PUBLISH with dup=1 (the original topic, target and payload), then a PUBACK with the
    // same messageId carrying the time and UID; the client waits for that PUBACK (§4.9).
    const uint16_t message_id = server_message_id(other);
    codec::ServerPublish copy;
    copy.flags = codec::Flags{1, true, false};
    copy.date = date_of(m.sent_ms);
    copy.topic = p.topic;
    copy.target_id = p.target_id;
    copy.message_id = message_id;
    copy.payload = p.payload;
    // Built in place: moving a temporary OutgoingFrame in here trips GCC 12's
    // -Wmaybe-uninitialized (a false positive about the variant's ConnAck) at -O2.
    out.frames.emplace_back();
    out.frames.back().connection = id;
    out.frames.back().frame.emplace<codec::ServerPublish>(std::move(copy));
    codec::ServerPubAck ack;
    ack.message_id = message_id;
    ack.date = date_of(m.sent_ms);
    ack.millis = static_cast<uint16_t>(m.sent_ms % 1000);
    ack.status = status::kOk;
    ack.msg_uid = m.msg_uid;
    out.frames.emplace_back();
    out.frames.back().connection = id;
    out.frames.back().frame.emplace<codec::ServerPubAck>(std::move(ack));
  }
}

// ---- one-to-one -----------------------------------------------------------------------

void Hub::send_private_message(Request& r, const codec::ClientPublish& p, const pb::UpStreamMessage& up) {
  const Session& s = r.session;
  const std::string& target = p.target_id;
  if (!auth::is_valid_user_id(target)) {
    return fail_publish(r, p, status::from_error(ErrorCode::kParameterError), "bad target user id");
  }
  if (!admit_message(r, p, up)) return;
  if (target != s.user_id) {
    auto blocked = storage_.is_blacklisted(s.app_key, target, s.user_id);
    if (!blocked) return publish_storage_failed(r, p, "is_blacklisted", blocked.error());
    if (blocked.value()) return fail_publish(r, p, status::kRejectedByBlacklist, "sender is blacklisted by target");
  }
  const ConversationType type =
      p.topic == topics::kCustomerServiceMessage ? ConversationType::kCustomerService : ConversationType::kPrivate;
  const StoragePolicy policy = storage_policy(up.classname(), up.sessionid());
  Delivery d;
  d.origin = r.connection;
  d.notify_sender = false;  // the sender's other sessions get sync copies
  d.stored.message = new_record(s.app_key, s.user_id, type, target, up,
                                status_flags_for(up.sessionid(), policy) & ~storage::kStatusMentioned, r.now_ms);
  const storage::MessageRecord& m = d.stored.message;
  d.stored.mailboxes.push_back({s.user_id, Direction::kSent, type, target});
  if (target != s.user_id) d.stored.mailboxes.push_back({target, Direction::kReceived, type, s.user_id});
  if (policy.persisted) {
    d.stored.conversations.push_back({s.user_id, type, target, false});
    if (target != s.user_id) d.stored.conversations.push_back({target, type, s.user_id, policy.counted});
  }
  if (auto st = deliver(r.out, d, r.now_ms); !st) return publish_storage_failed(r, p, "append_message", st.error());
  if (m.classname == kReadNotification) apply_read_receipt(r, target, m.content);
  ack_publish(r, p.message_id, m.sent_ms, m.msg_uid);
  send_sync_copies(r.out, s, r.connection, p, m);
}

// RC:ReadNtf {"lastMessageSendTime": t, ...}: the sender has read its conversation with
// the peer up to t. The notification itself reaches the peer like any message.
void Hub::apply_read_receipt(Request& r, std::string_view peer_id, std::string_view content) {
  const auto body = nlohmann::json::parse(content, nullptr, /*allow_exceptions=*/false);
  int64_t read_ms = r.now_ms;
  if (body.is_object()) {
    const auto t = body.find("lastMessageSendTime");
    if (t != body.end() && t->is_number_integer()) read_ms = t->get<int64_t>();
  }
  const storage::ConversationKey key{r.session.app_key, r.session.user_id, ConversationType::kPrivate,
                                     std::string(peer_id)};
  if (auto st = storage_.mark_conversation_read(key, read_ms); !st) {
    metrics_.count_error(Metrics::Error::kStorage);
    log_error("storage.failed", {{"op", "mark_conversation_read"}, {"error", st.error().message}});
  }
}

// ---- groups ---------------------------------------------------------------------------

void Hub::send_group_message(Request& r, const codec::ClientPublish& p, const pb::UpStreamMessage& up) {
  const Session& s = r.session;
  const std::string& group = p.target_id;
  if (!auth::is_valid_user_id(group)) {
    return fail_publish(r, p, status::from_error(ErrorCode::kParameterError), "bad group id");
  }
  auto member = storage_.is_group_member(s.app_key, group, s.user_id);
  if (!member) return publish_storage_failed(r, p, "is_group_member", member.error());
  if (!member.value()) return fail_publish(r, p, status::kNotInGroup, "not in group");
  if (!admit_message(r, p, up)) return;
  auto members = storage_.group_members(s.app_key, group);
  if (!members) return publish_storage_failed(r, p, "group_members", members.error());

  const StoragePolicy policy = storage_policy(up.classname(), up.sessionid());
  const int64_t flags = status_flags_for(up.sessionid(), policy) & ~storage::kStatusMentioned;
  const std::set<std::string> mentioned = mentioned_users(up.content(), members.value(), s.user_id);
  Delivery d;
  d.origin = r.connection;
  d.notify_sender = false;
  d.stored.message = new_record(s.app_key, s.user_id, ConversationType::kGroup, group, up, flags, r.now_ms);
  const storage::MessageRecord& m = d.stored.message;
  d.stored.mailboxes.push_back({s.user_id, Direction::kSent, ConversationType::kGroup, group});
  if (policy.persisted) d.stored.conversations.push_back({s.user_id, ConversationType::kGroup, group, false});
  for (const auto& gm : members.value()) {
    if (gm.user_id == s.user_id) continue;
    std::optional<int64_t> own_flags;
    if (mentioned.count(gm.user_id)) own_flags = flags | storage::kStatusMentioned;
    d.stored.mailboxes.push_back({gm.user_id, Direction::kReceived, ConversationType::kGroup, group, own_flags});
    if (policy.persisted) {
      d.stored.conversations.push_back({gm.user_id, ConversationType::kGroup, group, policy.counted});
    }
  }
  if (auto st = deliver(r.out, d, r.now_ms); !st) return publish_storage_failed(r, p, "append_message", st.error());
  ack_publish(r, p.message_id, m.sent_ms, m.msg_uid);
  send_sync_copies(r.out, s, r.connection, p, m);
}

// rrMsg (GrpReadReceiptMsg, navi grpRRVer 1): the user has read these group messages.
// Each message's sender gets an RC:RRMsg {"ouid", "readCount", "totalCount"} and the
// reader's conversation is read up to the newest of them.
void Hub::query_group_read_receipt(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::GrpReadReceiptMsg, req);
  const Session& s = r.session;
  const std::string& group = q.target_id;
  auto member = storage_.is_group_member(s.app_key, group, s.user_id);
  if (!member) return storage_failed(r, q, member.error());
  if (!member.value()) return fail_query(r, q, status::kNotInGroup, "not in group");
  auto members = storage_.group_members(s.app_key, group);
  if (!members) return storage_failed(r, q, members.error());
  int64_t read_up_to = 0;
  for (int i = 0; i < req.msgid_size() && static_cast<size_t>(i) < kMaxReceiptIds; ++i) {
    auto found = storage_.find_message(s.app_key, req.msgid(i));
    if (!found) return storage_failed(r, q, found.error());
    if (!found.value()) continue;
    const storage::MessageRecord& m = *found.value();
    if (m.conversation_type != ConversationType::kGroup || m.target_id != group || m.sender_id == s.user_id) continue;
    read_up_to = std::max(read_up_to, m.sent_ms);
    auto added = storage_.add_group_read(m.id, s.user_id, r.now_ms);
    if (!added) return storage_failed(r, q, added.error());
    if (!added.value()) continue;
    auto reads = storage_.group_reads(m.id);
    if (!reads) return storage_failed(r, q, reads.error());
    pb::UpStreamMessage update;
    update.set_sessionid(0);
    update.set_classname(std::string(kGroupReadUpdate));
    update.set_content(json_text({{"ouid", m.msg_uid},
                                  {"readCount", reads.value().size()},
                                  {"totalCount", members.value().size()}}));
    Delivery d;
    d.origin = r.connection;
    d.stored.message = new_record(s.app_key, s.user_id, ConversationType::kGroup, group, update, 0, r.now_ms);
    d.stored.mailboxes.push_back({m.sender_id, Direction::kReceived, ConversationType::kGroup, group});
    if (auto st = deliver(r.out, d, r.now_ms); !st) return storage_failed(r, q, st.error());
  }
  if (read_up_to > 0) {
    auto st = storage_.mark_conversation_read({s.app_key, s.user_id, ConversationType::kGroup, group}, read_up_to);
    if (!st) return storage_failed(r, q, st.error());
  }
  ack_query(r, q, {});
}

// rrList (GrpReadReceiptQryReq): who has read a group message, and how many members the
// group has.
void Hub::query_group_readers(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::GrpReadReceiptQryReq, req);
  const Session& s = r.session;
  const std::string& group = q.target_id;
  auto member = storage_.is_group_member(s.app_key, group, s.user_id);
  if (!member) return storage_failed(r, q, member.error());
  if (!member.value()) return fail_query(r, q, status::kNotInGroup, "not in group");
  if (req.msgid_size() == 0) return fail_query(r, q, status::from_error(ErrorCode::kParameterError), "no msgId");
  auto found = storage_.find_message(s.app_key, req.msgid(0));
  if (!found) return storage_failed(r, q, found.error());
  if (!found.value() || found.value()->conversation_type != ConversationType::kGroup ||
      found.value()->target_id != group) {
    return fail_query(r, q, status::from_error(ErrorCode::kParameterError), "not a message of this group");
  }
  auto reads = storage_.group_reads(found.value()->id);
  if (!reads) return storage_failed(r, q, reads.error());
  auto members = storage_.group_members(s.app_key, group);
  if (!members) return storage_failed(r, q, members.error());
  pb::GrpReadReceiptQryResp answer;
  answer.set_totalmembernum(static_cast<int32_t>(members.value().size()));
  for (const auto& read : reads.value()) {
    auto* item = answer.add_list();
    item->set_readtime(read.read_ms);
    item->set_userid(read.user_id);
  }
  ack_query(r, q, serialize(answer));
}

// ---- recall ---------------------------------------------------------------------------

// recallMsg (§4.2): an RC:RcCmd naming the message by UID; the frame's targetId is the
// sender itself, so the conversation comes from the stored message. Only its sender may
// recall it, within recall_window_ms. The message is marked recalled (history shows the
// recall notice instead) and everyone holding a copy gets the command.
void Hub::recall_message(Request& r, const codec::ClientPublish& p, const pb::UpStreamMessage& up) {
  const Session& s = r.session;
  if (up.classname() != kRecallCommand) {
    return fail_publish(r, p, status::from_error(ErrorCode::kParameterError), "recallMsg carries RC:RcCmd");
  }
  const auto body = nlohmann::json::parse(up.content(), nullptr, /*allow_exceptions=*/false);
  const auto uid = body.is_object() ? body.find("messageUId") : body.end();
  if (!body.is_object() || uid == body.end() || !uid->is_string()) {
    return fail_publish(r, p, status::from_error(ErrorCode::kParameterError), "RC:RcCmd without messageUId");
  }
  if (!admit_message(r, p, up)) return;
  auto found = storage_.find_message(s.app_key, uid->get<std::string>());
  if (!found) return publish_storage_failed(r, p, "find_message", found.error());
  if (!found.value()) return fail_publish(r, p, status::kRecallFailed, "unknown message");
  const storage::MessageRecord original = *found.value();
  if (original.sender_id != s.user_id) return fail_publish(r, p, status::kRecallFailed, "not the sender");
  if (original.recalled_ms > 0) return fail_publish(r, p, status::kRecallFailed, "already recalled");
  if (r.now_ms - original.sent_ms > options_.limits.recall_window_ms) {
    return fail_publish(r, p, status::kRecallFailed, "recall window passed");
  }

  // The command itself is neither kept in history (the recalled message shows as the
  // notice) nor counted.
  storage::MessageRecord command =
      new_record(s.app_key, s.user_id, original.conversation_type, original.target_id, up, 0, r.now_ms);
  if (original.conversation_type == ConversationType::kChatroom) {
    auto marked = storage_.mark_recalled(original.id, command.sent_ms);
    if (!marked) return publish_storage_failed(r, p, "mark_recalled", marked.error());
    if (!marked.value()) return fail_publish(r, p, status::kRecallFailed, "already recalled");
    if (auto st = storage_.append_chatroom_message(command, options_.limits.chatroom_history_size); !st) {
      return publish_storage_failed(r, p, "append_chatroom_message", st.error());
    }
    ack_publish(r, p.message_id, command.sent_ms, command.msg_uid);
    notify_chatroom(r.out, s.app_key, original.target_id, s.user_id, command.sent_ms, r.now_ms);
  } else {
    auto audience = storage_.message_audience(original.id);
    if (!audience) return publish_storage_failed(r, p, "message_audience", audience.error());
    Delivery d;
    d.origin = r.connection;
    d.notify_sender = true;  // the sender's other devices pull the command (no sync copy:
                             // §4.9 would type a group recall as private)
    d.stored.message = std::move(command);
    d.stored.recalls_message_id = original.id;
    bool sender_listed = false;
    for (const MailboxEntry& e : audience.value()) {
      const bool is_sender = e.user_id == s.user_id;
      sender_listed = sender_listed || is_sender;
      d.stored.mailboxes.push_back({e.user_id, is_sender ? Direction::kSent : Direction::kReceived,
                                    e.conversation_type, e.peer_id});
    }
    if (!sender_listed) {
      d.stored.mailboxes.push_back({s.user_id, Direction::kSent, original.conversation_type, original.target_id});
    }
    auto stored = deliver(r.out, d, r.now_ms);
    if (!stored) return publish_storage_failed(r, p, "append_message", stored.error());
    // Recalled meanwhile (from another device): nothing was stored.
    if (!stored.value()) return fail_publish(r, p, status::kRecallFailed, "already recalled");
    ack_publish(r, p.message_id, d.stored.message.sent_ms, d.stored.message.msg_uid);
  }
  metrics_.messages_recalled_total.fetch_add(1, std::memory_order_relaxed);
  log_info("message.recalled", {{"user", s.user_id}, {"uid", original.msg_uid}});
}

// ---- status messages (typing) -----------------------------------------------------------

// ppMsgS / pgMsgS / chatMsgS: forwarded at once, as s_msg, to the sessions online now;
// never stored, never counted, nothing to pull later (§4.2). A status message carries
// messageId 0 and gets no answer.
void Hub::forward_status_message(Request& r, const codec::ClientPublish& p, const pb::UpStreamMessage& up) {
  const Session& s = r.session;
  if (up.content().size() > options_.limits.max_content_bytes) {
    return fail_publish(r, p, status::from_error(ErrorCode::kMessageContentTooLong), "content too long");
  }
  ConversationType type = ConversationType::kPrivate;
  std::vector<ConnectionId> to;
  auto sessions_of = [&](const std::string& user) {
    if (user == s.user_id) return;
    auto it = online_.find({s.app_key, user});
    if (it != online_.end()) to.insert(to.end(), it->second.begin(), it->second.end());
  };
  if (p.topic == topics::kPrivateStatus) {
    if (!auth::is_valid_user_id(p.target_id)) return fail_publish(r, p, status::from_error(ErrorCode::kParameterError), "bad target");
    auto blocked = storage_.is_blacklisted(s.app_key, p.target_id, s.user_id);
    if (!blocked) return publish_storage_failed(r, p, "is_blacklisted", blocked.error());
    if (blocked.value()) return fail_publish(r, p, status::kRejectedByBlacklist, "sender is blacklisted by target");
    sessions_of(p.target_id);
  } else if (p.topic == topics::kGroupStatus) {
    type = ConversationType::kGroup;
    auto member = storage_.is_group_member(s.app_key, p.target_id, s.user_id);
    if (!member) return publish_storage_failed(r, p, "is_group_member", member.error());
    if (!member.value()) return fail_publish(r, p, status::kNotInGroup, "not in group");
    auto members = storage_.group_members(s.app_key, p.target_id);
    if (!members) return publish_storage_failed(r, p, "group_members", members.error());
    for (const auto& gm : members.value()) sessions_of(gm.user_id);
  } else {
    type = ConversationType::kChatroom;
    if (!in_chatroom(s, p.target_id)) return fail_publish(r, p, status::kNotInChatroom, "not in chatroom");
    auto room = chatrooms_.find({s.app_key, p.target_id});
    if (room != chatrooms_.end()) {
      for (const auto& [id, joined] : room->second)
        if (sessions_.at(id).user_id != s.user_id) to.push_back(id);
    }
  }
  pb::DownStreamMessage d;
  d.set_fromuserid(s.user_id);
  d.set_type(static_cast<pb::ChannelType>(type));
  if (type != ConversationType::kPrivate) d.set_groupid(p.target_id);
  d.set_classname(up.classname());
  d.set_content(up.content());
  d.set_datatime(r.now_ms);
  d.set_status(0);
  // A UID of its own (never stored): clients de-duplicate by UID.
  const std::string uid = uids_.next(r.now_ms);
  d.set_msgid(uid);
  d.set_direction(static_cast<int32_t>(Direction::kReceived));
  const std::string payload = serialize(d);
  for (ConnectionId id : to) {
    Session& target = sessions_.at(id);
    if (target.pulled && target.held_status.empty() && r.now_ms >= target.release_status_at_ms) {
      push(r.out, id, topics::kDirectMessage, target.user_id, payload, r.now_ms);
    } else if (target.held_status.size() < kMaxHeldStatus) {
      target.held_status.emplace_back(r.now_ms, payload);
    }
  }
  log_debug("status.forwarded", {{"user", s.user_id}, {"topic", p.topic}, {"target", p.target_id},
                                 {"sessions", to.size()}});
  if (p.message_id != 0) ack_publish(r, p.message_id, r.now_ms, uid);
}

// ---- server API -----------------------------------------------------------------------

Result<std::vector<PublishedMessage>> Hub::publish(const ServerMessage& sm, int64_t now_ms, HubOutput& out) {
  std::vector<PublishedMessage> published;
  int32_t flags_in = 0;
  if (sm.persisted.value_or(true)) flags_in |= kUpPersisted;
  if (sm.counted.value_or(true)) flags_in |= kUpCounted;
  const StoragePolicy policy = storage_policy(sm.classname, flags_in);
  const int64_t flags = status_flags_for(flags_in, policy);
  pb::UpStreamMessage up;
  up.set_sessionid(flags_in);
  up.set_classname(sm.classname);
  up.set_content(sm.content);
  if (!sm.push_content.empty()) up.set_pushtext(sm.push_content);
  if (!sm.push_data.empty()) up.set_appdata(sm.push_data);
  up.set_configflag(0);
  const std::string& from = sm.from_user_id;
  const ConversationType type = sm.conversation_type;

  for (const std::string& target : sm.targets) {
    Delivery d;
    d.notify_sender = true;
    if (type == ConversationType::kGroup) {
      auto members = storage_.group_members(sm.app_key, target);
      if (!members) return members.error();
      auto group = storage_.find_group(sm.app_key, target);
      if (!group) return group.error();
      if (!group.value()) {
        published.push_back({target, {}});
        continue;
      }
      const std::set<std::string> mentioned = mentioned_users(sm.content, members.value(), from);
      d.stored.message = new_record(sm.app_key, from, type, target, up, flags, now_ms);
      if (sm.include_sender) {
        d.stored.mailboxes.push_back({from, Direction::kSent, type, target});
        if (policy.persisted) d.stored.conversations.push_back({from, type, target, false});
      }
      for (const auto& gm : members.value()) {
        if (gm.user_id == from) continue;
        std::optional<int64_t> own_flags;
        if (mentioned.count(gm.user_id)) own_flags = flags | storage::kStatusMentioned;
        d.stored.mailboxes.push_back({gm.user_id, Direction::kReceived, type, target, own_flags});
        if (policy.persisted) d.stored.conversations.push_back({gm.user_id, type, target, policy.counted});
      }
    } else {
      if (sm.check_blacklist && type == ConversationType::kPrivate) {
        auto blocked = storage_.is_blacklisted(sm.app_key, target, from);
        if (!blocked) return blocked.error();
        if (blocked.value()) {
          published.push_back({target, {}});
          continue;
        }
      }
      d.stored.message = new_record(sm.app_key, from, type, target, up, flags, now_ms);
      if (target != from) {
        d.stored.mailboxes.push_back({target, Direction::kReceived, type, from});
        if (policy.persisted) d.stored.conversations.push_back({target, type, from, policy.counted});
      }
      if (sm.include_sender || target == from) {
        d.stored.mailboxes.push_back({from, Direction::kSent, type, target});
        if (policy.persisted) d.stored.conversations.push_back({from, type, target, false});
      }
    }
    if (auto st = deliver(out, d, now_ms); !st) return st.error();
    metrics_.api_messages_published_total.fetch_add(1, std::memory_order_relaxed);
    published.push_back({target, d.stored.message.msg_uid});
  }
  return published;
}

}  // namespace parley::server::im
