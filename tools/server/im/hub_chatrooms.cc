// Chatrooms (§4.10): membership is per session and lives in memory (a session that drops
// leaves its rooms; the client rejoins with joinChrmR after a reconnect); each room keeps
// its last chatroom_history_size messages in storage. A message to a room is stored, then
// every member session of the other users gets s_ntf{type 2, chrmId} and pulls (chrmPull).
#include <algorithm>
#include <map>

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
using detail::chatroom_view;
using detail::serialize;
using detail::to_downstream;

constexpr int kDefaultPullCount = 10;  // the client's default, sent as count 0 by some
constexpr int kMaxInfoMembers = 20;    // queryChrmI lists at most this many members

}  // namespace

void Hub::leave_chatroom(ConnectionId connection, Session& s, const std::string& room_id) {
  s.chatrooms.erase(room_id);
  auto room = chatrooms_.find({s.app_key, room_id});
  if (room == chatrooms_.end()) return;
  room->second.erase(connection);
  if (room->second.empty()) chatrooms_.erase(room);
}

void Hub::notify_chatroom(HubOutput& out, const std::string& app_key, const std::string& room_id,
                          const std::string& sender, int64_t message_time, int64_t now_ms) {
  auto room = chatrooms_.find({app_key, room_id});
  if (room == chatrooms_.end()) return;
  pb::NotifyMsg notify;
  notify.set_type(2);
  notify.set_time(message_time);
  notify.set_chrmid(room_id);
  const std::string payload = serialize(notify);
  for (const auto& [id, joined] : room->second) {
    const Session& member = sessions_.at(id);
    if (member.user_id != sender) push(out, id, topics::kNotify, member.user_id, payload, now_ms);
  }
}

// joinChrm / joinChrmR (ChrmInput): rooms are created by joining. joinTime is the message
// clock's head: the client pulls from there, so nothing sent after the join is missed.
void Hub::query_join_chatroom(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::ChrmInput, req);
  const std::string& room = q.target_id;
  if (!auth::is_valid_user_id(room)) {
    return fail_query(r, q, status::from_error(ErrorCode::kParameterError), "bad chatroom id");
  }
  auto& members = chatrooms_[{r.session.app_key, room}];
  members.emplace(r.connection, r.now_ms);  // a rejoin keeps the first join time
  r.session.chatrooms.insert(room);
  log_info("chatroom.joined", {{"conn", r.connection}, {"user", r.session.user_id}, {"room", room},
                               {"members", members.size()}});
  pb::ChrmOutput answer;
  answer.set_nothing(1);
  answer.set_jointime(clock_.last());
  ack_query(r, q, serialize(answer));
}

void Hub::query_exit_chatroom(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::ChrmInput, req);
  leave_chatroom(r.connection, r.session, q.target_id);
  log_info("chatroom.left", {{"conn", r.connection}, {"user", r.session.user_id}, {"room", q.target_id}});
  ack_query(r, q, {});
}

// chrmPull (ChrmPullMsg{syncTime, count}): with syncTime 0, the room's newest `count`
// messages (the history a client shows on joining); after that, what came after syncTime,
// oldest first, without the user's own messages (they are already on its screen), in
// pages of at most chatroom_pull_max. count 0 means the client default (10), a negative
// count nothing.
void Hub::query_pull_chatroom(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::ChrmPullMsg, req);
  const Session& s = r.session;
  const std::string& room = q.target_id;
  if (!in_chatroom(s, room)) return fail_query(r, q, status::kNotInChatroom, "not in chatroom");
  int count = req.count() == 0 ? kDefaultPullCount : req.count();
  count = std::min(count, options_.limits.chatroom_pull_max);

  pb::DownStreamMessages answer;
  int64_t sync_time = std::max<int64_t>(req.synctime(), 0);
  bool finished = true;
  if (count > 0) {
    storage::ChatroomQuery cq{s.app_key, room, sync_time, req.synctime() <= 0, count};
    auto page = storage_.fetch_chatroom(cq);
    if (!page) return storage_failed(r, q, page.error());
    for (const auto& m : page.value().messages) {
      if (req.synctime() > 0 && m.sender_id == s.user_id) continue;
      *answer.add_list() = to_downstream(chatroom_view(m, s.user_id));
    }
    finished = !page.value().has_more;
    if (!finished) sync_time = page.value().messages.back().sent_ms;
  }
  // Finished: the clock's head, >= every notified time, so the client's queue empties.
  if (finished) sync_time = std::max(sync_time, clock_.last());
  answer.set_synctime(sync_time);
  answer.set_finished(finished);
  ack_query(r, q, serialize(answer));
}

// queryChrmI (QueryChatRoomInfoInput{count, order}): how many users are in the room and
// up to `count` (at most 20) of them with their join time; order 2 lists the newest first.
void Hub::query_chatroom_info(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::QueryChatRoomInfoInput, req);
  std::map<std::string, int64_t> joined;  // user -> earliest join of their sessions
  auto room = chatrooms_.find({r.session.app_key, q.target_id});
  if (room != chatrooms_.end()) {
    for (const auto& [id, at] : room->second) {
      const std::string& user = sessions_.at(id).user_id;
      auto [it, inserted] = joined.emplace(user, at);
      if (!inserted) it->second = std::min(it->second, at);
    }
  }
  std::vector<std::pair<int64_t, std::string>> members;
  for (const auto& [user, at] : joined) members.emplace_back(at, user);
  std::sort(members.begin(), members.end());
  if (req.order() == 2) std::reverse(members.begin(), members.end());
  pb::QueryChatRoomInfoOutput answer;
  answer.set_usertotalnums(static_cast<int32_t>(members.size()));
  const int count = std::clamp(req.count(), 0, kMaxInfoMembers);
  for (int i = 0; i < count && static_cast<size_t>(i) < members.size(); ++i) {
    auto* member = answer.add_userinfos();
    member->set_time(members[static_cast<size_t>(i)].first);
    member->set_id(members[static_cast<size_t>(i)].second);
  }
  ack_query(r, q, serialize(answer));
}

// qryCHMsg (HistoryMsgInput): the room's kept history, newest first, members only.
void Hub::query_chatroom_history(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::HistoryMsgInput, req);
  const Session& s = r.session;
  const std::string room = req.targetid().empty() ? q.target_id : req.targetid();
  if (!in_chatroom(s, room)) return fail_query(r, q, status::kNotInChatroom, "not in chatroom");
  int count = req.count() > 0 ? req.count() : 20;
  count = std::min(count, options_.history_max_count);
  bool has_more = false;
  auto list = storage_.chatroom_history(s.app_key, room, req.time(), req.order() == 1, count, &has_more);
  if (!list) return storage_failed(r, q, list.error());
  pb::HistoryMsgOuput answer;
  for (const auto& m : list.value()) *answer.add_list() = to_downstream(chatroom_view(m, s.user_id));
  answer.set_synctime(list.value().empty() ? req.time() : list.value().back().sent_ms);
  answer.set_hasmsg(has_more ? 1 : 0);
  ack_query(r, q, serialize(answer));
}

// chatMsg: members only (23406 otherwise); no sync copies (chatroom messages are not
// synced across a user's devices).
void Hub::send_chatroom_message(Request& r, const codec::ClientPublish& p, const pb::UpStreamMessage& up) {
  const Session& s = r.session;
  const std::string& room = p.target_id;
  if (!in_chatroom(s, room)) return fail_publish(r, p, status::kNotInChatroom, "not in chatroom");
  if (!admit_message(r, p, up)) return;
  const StoragePolicy policy = storage_policy(up.classname(), up.sessionid());
  const storage::MessageRecord m =
      new_record(s.app_key, s.user_id, storage::ConversationType::kChatroom, room, up,
                 status_flags_for(up.sessionid(), policy) & ~storage::kStatusCounted, r.now_ms);
  if (auto st = storage_.append_chatroom_message(m, options_.limits.chatroom_history_size); !st) {
    return publish_storage_failed(r, p, "append_chatroom_message", st.error());
  }
  metrics_.messages_stored_total.fetch_add(1, std::memory_order_relaxed);
  ack_publish(r, p.message_id, m.sent_ms, m.msg_uid);
  notify_chatroom(r.out, s.app_key, room, s.user_id, m.sent_ms, r.now_ms);
}

}  // namespace parley::server::im
