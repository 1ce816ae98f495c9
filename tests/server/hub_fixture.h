// The hub test fixture: an in-memory SQLite store behind a storage whose writes can be made
// to fail, a hub with a fixed seed and clock, and helpers that speak frames to it.
// Included by hub_test.cc (sessions, sync, history) and hub_features_test.cc (groups,
// chatrooms, recall, typing, receipts, blacklist, devices, limits, server API).
#pragma once

#include <optional>
#include <set>

#include <gtest/gtest.h>

#include "auth/token.h"
#include "codec/comet.h"
#include "codec/frame.h"
#include "codec/topics.h"
#include "im/hub.h"
#include "im/message_ids.h"
#include "log.h"
#include "rongcloud.pb.h"
#include "status.h"
#include "storage/sqlite_storage.h"

namespace parley::server::im {
namespace {

using namespace codec;

constexpr int64_t kT0 = 1'700'000'000'000;

template <class T>
const T* as(const OutgoingFrame& f) {
  return std::get_if<T>(&f.frame);
}

std::vector<OutgoingFrame> frames_to(const HubOutput& out, ConnectionId id) {
  std::vector<OutgoingFrame> v;
  for (const auto& f : out.frames)
    if (f.connection == id) v.push_back(f);
  return v;
}

bool closes(const HubOutput& out, ConnectionId id, CloseReason reason) {
  for (const auto& c : out.closes)
    if (c.connection == id && c.reason == reason) return true;
  return false;
}

// A storage whose writes can be made to fail: the error paths of the hub.
class FlakyStorage final : public storage::Storage {
 public:
  explicit FlakyStorage(storage::Storage& inner) : s_(inner) {}
  bool fail_writes = false;

  Result<int64_t> clock_high_water_mark() override { return s_.clock_high_water_mark(); }
  Status upsert_user(const storage::UserRecord& u) override { return s_.upsert_user(u); }
  Status ensure_user(std::string_view a, std::string_view u, int64_t n) override {
    if (fail_writes) return server_error("injected");
    return s_.ensure_user(a, u, n);
  }
  Result<std::optional<storage::UserRecord>> find_user(std::string_view a, std::string_view u) override {
    return s_.find_user(a, u);
  }
  Result<int64_t> append_message(const storage::NewMessage& m) override {
    if (fail_writes) return server_error("injected");
    return s_.append_message(m);
  }
  Result<std::optional<storage::MessageRecord>> find_message_by_client_id(std::string_view a, std::string_view s,
                                                                         int64_t c) override {
    return s_.find_message_by_client_id(a, s, c);
  }
  Result<storage::SyncPage> fetch_sync(const storage::SyncRequest& r) override { return s_.fetch_sync(r); }
  Result<storage::HistoryPage> fetch_history(const storage::HistoryRequest& r) override { return s_.fetch_history(r); }
  Result<std::vector<storage::ConversationRecord>> list_conversations(const storage::ConversationQuery& q) override {
    return s_.list_conversations(q);
  }
  Result<std::optional<storage::ConversationRecord>> find_conversation(const storage::ConversationKey& k) override {
    return s_.find_conversation(k);
  }
  Status hide_conversation(const storage::ConversationKey& k) override { return s_.hide_conversation(k); }
  Status mark_conversation_read(const storage::ConversationKey& k, int64_t t) override {
    return s_.mark_conversation_read(k, t);
  }
  Status delete_user_messages(const storage::ConversationKey& k, const std::vector<std::string>& u) override {
    return s_.delete_user_messages(k, u);
  }
  Status clear_user_history(const storage::ConversationKey& k, int64_t t) override { return s_.clear_user_history(k, t); }
  Status set_conversation_state(const storage::ConversationKey& k, const storage::ConversationState& s) override {
    return s_.set_conversation_state(k, s);
  }
  Result<std::vector<storage::ConversationState>> conversation_states_since(std::string_view a, std::string_view o,
                                                                            int64_t v) override {
    return s_.conversation_states_since(a, o, v);
  }
  Result<storage::SyncPosition> sync_position(std::string_view a, std::string_view u) override {
    return s_.sync_position(a, u);
  }
  Status advance_sync_position(std::string_view a, std::string_view u, const storage::SyncPosition& p) override {
    return s_.advance_sync_position(a, u, p);
  }
  Result<std::optional<storage::MessageRecord>> find_message(std::string_view a, std::string_view u) override {
    return s_.find_message(a, u);
  }
  Result<std::vector<storage::MailboxEntry>> message_audience(int64_t id) override { return s_.message_audience(id); }
  Result<bool> mark_recalled(int64_t id, int64_t t) override {
    if (fail_writes) return server_error("injected");
    return s_.mark_recalled(id, t);
  }
  Status upsert_group(const storage::GroupRecord& g) override { return s_.upsert_group(g); }
  Result<std::optional<storage::GroupRecord>> find_group(std::string_view a, std::string_view g) override {
    return s_.find_group(a, g);
  }
  Status add_group_members(std::string_view a, std::string_view g, const std::vector<std::string>& u,
                           int64_t t) override {
    return s_.add_group_members(a, g, u, t);
  }
  Status remove_group_members(std::string_view a, std::string_view g, const std::vector<std::string>& u) override {
    return s_.remove_group_members(a, g, u);
  }
  Status delete_group(std::string_view a, std::string_view g) override { return s_.delete_group(a, g); }
  Result<std::vector<storage::GroupMember>> group_members(std::string_view a, std::string_view g) override {
    return s_.group_members(a, g);
  }
  Result<bool> is_group_member(std::string_view a, std::string_view g, std::string_view u) override {
    return s_.is_group_member(a, g, u);
  }
  Result<bool> add_group_read(int64_t id, std::string_view u, int64_t t) override {
    if (fail_writes) return server_error("injected");
    return s_.add_group_read(id, u, t);
  }
  Result<std::vector<storage::GroupRead>> group_reads(int64_t id) override { return s_.group_reads(id); }
  Status append_chatroom_message(const storage::MessageRecord& m, int keep) override {
    if (fail_writes) return server_error("injected");
    return s_.append_chatroom_message(m, keep);
  }
  Result<storage::ChatroomPage> fetch_chatroom(const storage::ChatroomQuery& q) override { return s_.fetch_chatroom(q); }
  Result<std::vector<storage::MessageRecord>> chatroom_history(std::string_view a, std::string_view r, int64_t b,
                                                               bool n, int l, bool* more) override {
    return s_.chatroom_history(a, r, b, n, l, more);
  }
  Status add_to_blacklist(std::string_view a, std::string_view o, const std::vector<std::string>& u,
                          int64_t t) override {
    return s_.add_to_blacklist(a, o, u, t);
  }
  Status remove_from_blacklist(std::string_view a, std::string_view o, const std::vector<std::string>& u) override {
    return s_.remove_from_blacklist(a, o, u);
  }
  Result<std::vector<std::string>> blacklist(std::string_view a, std::string_view o) override {
    return s_.blacklist(a, o);
  }
  Result<bool> is_blacklisted(std::string_view a, std::string_view o, std::string_view u) override {
    return s_.is_blacklisted(a, o, u);
  }
  Status block_user(std::string_view a, std::string_view u, int64_t t) override { return s_.block_user(a, u, t); }
  Status unblock_user(std::string_view a, std::string_view u) override { return s_.unblock_user(a, u); }
  Result<int64_t> blocked_until(std::string_view a, std::string_view u, int64_t n) override {
    return s_.blocked_until(a, u, n);
  }
  Result<std::vector<std::pair<std::string, int64_t>>> blocked_users(std::string_view a, int64_t n) override {
    return s_.blocked_users(a, n);
  }

 private:
  storage::Storage& s_;
};

class HubTest : public ::testing::Test {
 protected:
  HubTest() {
    set_log_level(LogLevel::kOff);  // the refusals below would fill the output
    sqlite_ = std::move(storage::SqliteStorage::open({":memory:", true}).value());
    storage_ = std::make_unique<FlakyStorage>(*sqlite_);
    make_hub(default_options());
  }

  static HubOptions default_options() {
    HubOptions o;
    o.limits.max_frame_bytes = 64 * 1024;
    o.limits.max_content_bytes = 32 * 1024;
    o.limits.sync_batch_size = 200;
    o.limits.idle_timeout_ms = 45'000;
    return o;
  }

  void make_hub(HubOptions options) {
    hub_ = std::make_unique<Hub>(*storage_, apps_, options, metrics_, 42);
    ASSERT_TRUE(hub_->start().ok());
  }

  static std::string token(const std::string& user, const std::string& app = "K", const std::string& secret = "S",
                           int64_t issued = kT0) {
    return auth::issue_token({app, user, issued}, secret);
  }

  ConnectionId connect(const std::string& user) {
    const ConnectionId id = next_connection_++;
    const HubOutput out = hub_->connect(id, {"K", token(user), "2.9.2", "test"}, now_);
    EXPECT_EQ(out.frames.size(), 1u);
    const auto* ack = out.frames.empty() ? nullptr : as<ConnAck>(out.frames[0]);
    EXPECT_TRUE(ack && ack->status == 0 && ack->user_id == user);
    EXPECT_TRUE(out.closes.empty());
    return id;
  }

  // Every frame the hub produces must be encodable: that is what goes on the wire.
  HubOutput checked(HubOutput out) {
    for (const auto& f : out.frames) EXPECT_TRUE(encode_server_frame(f.frame).ok());
    return out;
  }

  HubOutput send(ConnectionId id, const ClientFrame& frame) {
    auto bytes = encode_client_frame(frame);
    EXPECT_TRUE(bytes.ok());
    return checked(hub_->receive(id, bytes.value(), now_));
  }

  HubOutput publish(ConnectionId from, const std::string& to, const pb::UpStreamMessage& up, uint16_t mid,
                    std::string topic = "ppMsgP") {
    ClientPublish p;
    p.topic = std::move(topic);
    p.target_id = to;
    p.message_id = mid;
    p.payload = up.SerializeAsString();
    return send(from, p);
  }

  static pb::UpStreamMessage text(const std::string& content, std::optional<int64_t> client_id = std::nullopt,
                                  const std::string& classname = "RC:TxtMsg", int32_t flags = 3) {
    pb::UpStreamMessage up;
    up.set_sessionid(flags);
    up.set_classname(classname);
    up.set_content(content);
    up.set_configflag(0);
    if (client_id) up.set_clientuniqueid(*client_id);
    return up;
  }

  // Sends a text and returns the PUBACK to the sender.
  ServerPubAck send_text(ConnectionId from, const std::string& to, const std::string& body = "{\"content\":\"hi\"}",
                         std::optional<int64_t> client_id = std::nullopt, HubOutput* out_copy = nullptr) {
    const uint16_t mid = next_message_id_++;
    HubOutput out = publish(from, to, text(body, client_id), mid);
    if (out_copy) *out_copy = out;
    for (const auto& f : frames_to(out, from)) {
      if (const auto* ack = as<ServerPubAck>(f); ack && ack->message_id == mid) return *ack;
    }
    ADD_FAILURE() << "no PUBACK";
    return {};
  }

  QueryAck query(ConnectionId id, std::string topic, const std::string& target, const std::string& payload,
                 HubOutput* out_copy = nullptr) {
    ClientQuery q;
    q.topic = std::move(topic);
    q.target_id = target;
    q.message_id = next_message_id_++;
    q.payload = payload;
    HubOutput out = send(id, q);
    if (out_copy) *out_copy = out;
    for (const auto& f : frames_to(out, id)) {
      if (const auto* ack = as<QueryAck>(f); ack && ack->message_id == q.message_id) {
        EXPECT_EQ(f.ack_topic, q.topic);
        return *ack;
      }
    }
    ADD_FAILURE() << "no QUERYACK for " << q.topic;
    return {};
  }

  template <class Answer>
  Answer query_ok(ConnectionId id, std::string topic, const std::string& target,
                  const google::protobuf::MessageLite& body) {
    const QueryAck ack = query(id, std::move(topic), target, body.SerializeAsString());
    EXPECT_EQ(ack.status, 0);
    Answer answer;
    EXPECT_TRUE(answer.ParseFromString(ack.payload)) << "answer misses required fields";
    return answer;
  }

  // `confirms`: Parley's SyncRequestMsg.confirmsAnswer (the server waits for the next pull).
  pb::DownStreamMessages pull(ConnectionId id, int64_t sync_time, int64_t sendbox_time = 0,
                              bool confirms = false) {
    pb::SyncRequestMsg req;
    req.set_synctime(sync_time);
    req.set_ispolling(false);
    req.set_ispullsend(true);
    req.set_sendboxsynctime(sendbox_time);
    if (confirms) req.set_confirmsanswer(true);
    return query_ok<pb::DownStreamMessages>(id, "pullMsg", hub_->user_of(id), req);
  }

  pb::HistoryMsgOuput history(ConnectionId id, const std::string& peer, int64_t time, int count, int order = 0) {
    pb::HistoryMsgInput req;
    req.set_targetid(peer);
    req.set_time(time);
    req.set_count(count);
    req.set_order(order);
    return query_ok<pb::HistoryMsgOuput>(id, "qryPMsg", hub_->user_of(id), req);
  }

  pb::RelationsOutput conversations(ConnectionId id) {
    pb::RelationQryInput req;
    req.set_type(pb::PERSON);
    req.set_count(100);
    req.set_starttime(0);
    req.set_order(0);
    return query_ok<pb::RelationsOutput>(id, "qryRelationR", hub_->user_of(id), req);
  }

  // Everything one connection received, by type.
  template <class T>
  static std::vector<T> all(const HubOutput& out, ConnectionId id) {
    std::vector<T> v;
    for (const auto& f : out.frames)
      if (f.connection == id)
        if (const auto* x = as<T>(f)) v.push_back(*x);
    return v;
  }

  // The s_ntf notifications in `out`, by connection.
  static std::set<ConnectionId> notified(const HubOutput& out, int type = 1) {
    std::set<ConnectionId> ids;
    for (const auto& f : out.frames) {
      const auto* p = as<ServerPublish>(f);
      if (!p || p->topic != "s_ntf") continue;
      pb::NotifyMsg n;
      if (n.ParseFromString(p->payload) && n.type() == type) ids.insert(f.connection);
    }
    return ids;
  }

  ConnectionId connect_app(const std::string& user, const std::string& app, const std::string& secret,
                           HubOutput* out_copy = nullptr) {
    const ConnectionId id = next_connection_++;
    ConnectRequest request;
    request.app_key = app;
    request.token = token(user, app, secret);
    HubOutput out = hub_->connect(id, request, now_);
    if (out_copy) *out_copy = out;
    return id;
  }

  void make_group(const std::string& group, const std::vector<std::string>& members, const std::string& app = "K") {
    ASSERT_TRUE(storage_->upsert_group({app, group, "name of " + group, now_}).ok());
    ASSERT_TRUE(storage_->add_group_members(app, group, members, now_).ok());
  }

  // A PUBLISH answered by a PUBACK; returns it (status 0 or the refusal).
  ServerPubAck publish_ack(ConnectionId from, const std::string& topic, const std::string& to,
                           const pb::UpStreamMessage& up, HubOutput* out_copy = nullptr) {
    const uint16_t mid = next_message_id_++;
    HubOutput out = publish(from, to, up, mid, topic);
    if (out_copy) *out_copy = out;
    for (const auto& f : frames_to(out, from)) {
      if (const auto* ack = as<ServerPubAck>(f); ack && ack->message_id == mid) return *ack;
    }
    ADD_FAILURE() << "no PUBACK for " << topic;
    return {};
  }

  pb::HistoryMsgOuput history_of(ConnectionId id, const std::string& topic, const std::string& target, int count) {
    pb::HistoryMsgInput req;
    req.set_targetid(target);
    req.set_time(0);
    req.set_count(count);
    req.set_order(0);
    return query_ok<pb::HistoryMsgOuput>(id, topic, hub_->user_of(id), req);
  }

  pb::ChrmOutput join(ConnectionId id, const std::string& room) {
    pb::ChrmInput in;
    in.set_nothing(1);
    return query_ok<pb::ChrmOutput>(id, "joinChrm", room, in);
  }

  pb::DownStreamMessages chatroom_pull(ConnectionId id, const std::string& room, int64_t sync_time, int count) {
    pb::ChrmPullMsg req;
    req.set_synctime(sync_time);
    req.set_count(count);
    return query_ok<pb::DownStreamMessages>(id, "chrmPull", room, req);
  }

  static std::string uid_of(const ServerPubAck& ack) { return ack.msg_uid; }
  static int64_t time_of(const ServerPubAck& ack) { return int64_t{ack.date} * 1000 + ack.millis; }

  std::vector<AppConfig> apps_{{"K", "S"}, {"K2", "S2"}, {"KS", "SS", /*multi_device=*/false}};
  Metrics metrics_;
  std::unique_ptr<storage::SqliteStorage> sqlite_;
  std::unique_ptr<FlakyStorage> storage_;
  std::unique_ptr<Hub> hub_;
  int64_t now_ = kT0;
  ConnectionId next_connection_ = 1;
  uint16_t next_message_id_ = 1;
};

}  // namespace
}  // namespace parley::server::im
