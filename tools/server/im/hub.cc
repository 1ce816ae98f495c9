#include "im/hub.h"

#include <algorithm>
#include <climits>
#include <type_traits>
#include <variant>

#include <nlohmann/json.hpp>

#include "auth/token.h"
#include "codec/topics.h"
#include "im/hub_internal.h"
#include "im/message_flags.h"
#include "log.h"
#include "rongcloud.pb.h"
#include "status.h"

namespace parley::server::im {

namespace detail {

std::string serialize(const google::protobuf::MessageLite& message) {
  if (!message.IsInitialized()) {
    log_error("hub.incomplete_payload", {{"type", message.GetTypeName()},
                                         {"missing", message.InitializationErrorString()}});
  }
  return message.SerializePartialAsString();
}

// Partial parse plus IsInitialized: ParseFromString would also log every bad payload to stderr.
bool parse(google::protobuf::MessageLite& message, const std::string& payload) {
  return message.ParsePartialFromString(payload) && message.IsInitialized();
}

pb::DownStreamMessage to_downstream(const storage::UserMessage& um) {
  const storage::MessageRecord& m = um.message;
  pb::DownStreamMessage d;
  const bool grouped = is_grouped(um.conversation_type);
  d.set_fromuserid(grouped ? m.sender_id : um.peer_id);
  d.set_type(static_cast<pb::ChannelType>(um.conversation_type));
  if (grouped) d.set_groupid(um.peer_id);
  if (m.recalled_ms > 0) {
    // What the official client shows in place of a recalled message (RecallNotificationMessage).
    d.set_classname("RC:RcNtf");
    d.set_content(nlohmann::json{{"operatorId", m.sender_id},
                                 {"recallTime", m.recalled_ms},
                                 {"originalObjectName", m.classname},
                                 {"isAdmin", false},
                                 {"isDelete", false}}
                      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    d.set_status((m.status_flags & ~(storage::kStatusCounted | storage::kStatusMentioned)) |
                 storage::kStatusPersisted);
  } else {
    d.set_classname(m.classname);
    d.set_content(m.content);
    d.set_status(m.status_flags);
  }
  d.set_datatime(m.sent_ms);
  d.set_msgid(m.msg_uid);
  d.set_direction(static_cast<int32_t>(um.direction));
  if (m.client_unique_id) d.set_clientuniqueid(*m.client_unique_id);
  if (!m.extra_content.empty()) d.set_extracontent(m.extra_content);
  if (!m.push_content.empty()) d.set_pushcontent(m.push_content);
  d.set_configflag(m.config_flag);
  if (!m.push_ext.empty()) (void)d.mutable_pushext()->ParseFromString(m.push_ext);
  return d;
}

storage::UserMessage chatroom_view(const storage::MessageRecord& m, const std::string& viewer) {
  storage::UserMessage um;
  um.message = m;
  um.direction = m.sender_id == viewer ? storage::Direction::kSent : storage::Direction::kReceived;
  um.conversation_type = storage::ConversationType::kChatroom;
  um.peer_id = m.target_id;
  return um;
}

}  // namespace detail

namespace {

namespace topics = codec::topics;

constexpr int64_t kHeldStatusMaxAgeMs = 5'000;  // a typing status older than this is stale
constexpr int64_t kHeldStatusDelayMs = 50;      // after a pull's answer

using detail::date_of;
using detail::serialize;
using detail::to_downstream;
using detail::valid_conversation_type;
using storage::ConversationKey;
using storage::ConversationType;
using storage::Direction;

}  // namespace

const char* close_reason_name(CloseReason reason) {
  switch (reason) {
    case CloseReason::kAuthRejected: return "auth_rejected";
    case CloseReason::kProtocolError: return "protocol_error";
    case CloseReason::kFrameTooLarge: return "frame_too_large";
    case CloseReason::kIdleTimeout: return "idle_timeout";
    case CloseReason::kShutdown: return "shutdown";
    case CloseReason::kKicked: return "kicked";
  }
  return "?";
}

Hub::Hub(storage::Storage& storage, const std::vector<AppConfig>& apps, HubOptions options,
         Metrics& metrics, uint64_t random_seed)
    : storage_(storage),
      apps_(apps),
      options_(options),
      metrics_(metrics),
      uids_(options.node_id, random_seed),
      random_(random_seed ^ 0x9e3779b97f4a7c15ull) {
  decode_limits_.max_frame_bytes = options_.limits.max_frame_bytes;
}

Status Hub::start() {
  auto mark = storage_.clock_high_water_mark();
  if (!mark) return mark.error();
  clock_ = MessageClock(mark.value());
  return ok_status();
}

const AppConfig* Hub::find_app(std::string_view key) const {
  for (const auto& app : apps_)
    if (app.key == key) return &app;
  return nullptr;
}

std::string Hub::new_session_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  uint64_t v = random_();
  for (int i = 0; i < 16; ++i, v >>= 4) id += kHex[v & 15];
  return id;
}

std::string Hub::user_of(ConnectionId connection) const {
  auto it = sessions_.find(connection);
  return it == sessions_.end() ? std::string() : it->second.user_id;
}

bool Hub::is_online(const std::string& app_key, const std::string& user_id) const {
  return online_.count({app_key, user_id}) > 0;
}

size_t Hub::chatroom_user_count(const std::string& app_key, const std::string& room_id) const {
  auto room = chatrooms_.find({app_key, room_id});
  if (room == chatrooms_.end()) return 0;
  std::set<std::string> users;
  for (const auto& [id, joined] : room->second) users.insert(user_of(id));
  return users.size();
}

// ---- connections ----------------------------------------------------------------------

HubOutput Hub::connect(ConnectionId connection, const ConnectRequest& request, int64_t now_ms) {
  HubOutput out;
  auto refuse = [&](uint8_t status, const char* why) {
    metrics_.count_error(Metrics::Error::kAuthRejected);
    log_info("session.refused", {{"conn", connection}, {"app", request.app_key}, {"status", status},
                                 {"reason", why}, {"remote", request.remote_address}});
    codec::ConnAck ack;
    ack.status = status;
    out.frames.push_back({connection, ack, {}});
    out.closes.push_back({connection, CloseReason::kAuthRejected});
    return out;
  };
  if (sessions_.count(connection)) return refuse(status::kConnIdentifierRejected, "connected twice");
  const AppConfig* app = find_app(request.app_key);
  if (!app) return refuse(status::kConnIdentifierRejected, "unknown appId");

  auth::TokenClaims claims;
  switch (auth::verify_token(auth::strip_navi_suffix(request.token), app->secret, now_ms,
                             options_.token_ttl_ms, &claims)) {
    case auth::TokenCheck::kValid: break;
    case auth::TokenCheck::kMalformed: return refuse(status::kConnTokenIncorrect, "token unreadable");
    case auth::TokenCheck::kBadSignature: return refuse(status::kConnTokenIncorrect, "token signature");
    case auth::TokenCheck::kExpired: return refuse(status::kConnTokenExpired, "token expired");
  }
  if (claims.app_key != request.app_key) return refuse(status::kConnTokenIncorrect, "token of another app");

  auto blocked = storage_.blocked_until(claims.app_key, claims.user_id, now_ms);
  if (!blocked) {
    metrics_.count_error(Metrics::Error::kStorage);
    log_error("storage.failed", {{"op", "blocked_until"}, {"error", blocked.error().message}});
    return refuse(status::kConnServerUnavailable, "storage");
  }
  if (blocked.value() > 0) return refuse(status::kConnUserBlocked, "user blocked");

  if (auto st = storage_.ensure_user(claims.app_key, claims.user_id, now_ms); !st) {
    metrics_.count_error(Metrics::Error::kStorage);
    log_error("storage.failed", {{"op", "ensure_user"}, {"error", st.error().message}});
    return refuse(status::kConnServerUnavailable, "storage");
  }

  // The app's device policy: one session (the new login wins), or up to
  // max_sessions_per_user (the oldest goes). Kicked sessions get DISCONNECT status 1.
  const size_t keep = app->multi_device ? options_.limits.max_sessions_per_user - 1 : 0;
  for (;;) {
    auto existing = online_.find({claims.app_key, claims.user_id});
    if (existing == online_.end() || existing->second.size() <= keep) break;
    ConnectionId oldest = *existing->second.begin();
    for (ConnectionId id : existing->second) {
      if (sessions_.at(id).connected_ms < sessions_.at(oldest).connected_ms) oldest = id;
    }
    kick(out, oldest, status::kDisconnectOtherLogin, app->multi_device ? "session limit" : "new login");
  }

  Session session;
  session.app_key = claims.app_key;
  session.user_id = claims.user_id;
  session.session_id = new_session_id();
  session.transport = request.transport;
  session.connected_ms = now_ms;
  session.last_activity_ms = now_ms;
  online_[{session.app_key, session.user_id}].insert(connection);
  log_info("session.open", {{"conn", connection}, {"app", session.app_key}, {"user", session.user_id},
                            {"session", session.session_id}, {"sdk", request.sdk_version},
                            {"transport", request.transport == Transport::kComet ? "comet" : "websocket"},
                            {"remote", request.remote_address}});
  codec::ConnAck ack;
  ack.status = status::kConnAccepted;
  ack.has_identity = true;
  ack.user_id = session.user_id;
  ack.session_id = session.session_id;
  ack.timestamp_ms = static_cast<uint64_t>(now_ms);
  out.frames.push_back({connection, ack, {}});
  sessions_.emplace(connection, std::move(session));
  return out;
}

void Hub::disconnected(ConnectionId connection) {
  auto it = sessions_.find(connection);
  if (it == sessions_.end()) return;
  log_info("session.closed", {{"conn", connection}, {"user", it->second.user_id}});
  const std::set<std::string> rooms = it->second.chatrooms;
  for (const auto& room : rooms) leave_chatroom(connection, it->second, room);
  auto online = online_.find({it->second.app_key, it->second.user_id});
  if (online != online_.end()) {
    online->second.erase(connection);
    if (online->second.empty()) online_.erase(online);
  }
  sessions_.erase(it);
}

void Hub::close(HubOutput& out, ConnectionId connection, CloseReason reason) {
  out.closes.push_back({connection, reason});
  disconnected(connection);  // deliver nothing more to it
}

void Hub::kick(HubOutput& out, ConnectionId connection, uint8_t status, const char* why) {
  auto it = sessions_.find(connection);
  if (it == sessions_.end()) return;
  metrics_.sessions_kicked_total.fetch_add(1, std::memory_order_relaxed);
  log_info("session.kicked", {{"conn", connection}, {"user", it->second.user_id}, {"status", status},
                              {"reason", why}});
  codec::Disconnect frame;
  frame.status = status;
  out.frames.push_back({connection, frame, {}});
  close(out, connection, CloseReason::kKicked);
}

void Hub::kick_user(const std::string& app_key, const std::string& user_id, uint8_t status, HubOutput& out) {
  auto it = online_.find({app_key, user_id});
  if (it == online_.end()) return;
  const std::set<ConnectionId> connections = it->second;  // kick() edits online_
  for (ConnectionId id : connections) kick(out, id, status, "server API");
}

HubOutput Hub::tick(int64_t now_ms) {
  HubOutput out;
  std::vector<ConnectionId> idle;
  for (auto& [id, s] : sessions_) {
    if (now_ms - s.last_activity_ms >= options_.limits.idle_timeout_ms) idle.push_back(id);
    if (s.pulled && !s.held_status.empty() && now_ms >= s.release_status_at_ms) {
      for (auto& [at, payload] : s.held_status) {
        if (now_ms - at <= kHeldStatusMaxAgeMs) push(out, id, topics::kDirectMessage, s.user_id, std::move(payload), now_ms);
      }
      s.held_status.clear();
    }
  }
  for (ConnectionId id : idle) {
    metrics_.count_error(Metrics::Error::kIdleTimeout);
    log_info("session.idle", {{"conn", id}, {"user", sessions_.at(id).user_id}});
    close(out, id, CloseReason::kIdleTimeout);
  }
  return out;
}

int64_t Hub::next_deadline() const {
  int64_t next = INT64_MAX;
  for (const auto& [id, s] : sessions_) {
    next = std::min(next, s.last_activity_ms + options_.limits.idle_timeout_ms);
    if (s.pulled && !s.held_status.empty()) next = std::min(next, s.release_status_at_ms);
  }
  return next;
}

void Hub::keep_alive(ConnectionId connection, int64_t now_ms) {
  auto it = sessions_.find(connection);
  if (it != sessions_.end()) it->second.last_activity_ms = std::max(it->second.last_activity_ms, now_ms);
}

// ---- frames ---------------------------------------------------------------------------

Hub::Session* Hub::session_of_frame(HubOutput& out, ConnectionId connection, size_t bytes) {
  auto it = sessions_.find(connection);
  if (it == sessions_.end()) {
    out.closes.push_back({connection, CloseReason::kProtocolError});
    return nullptr;
  }
  metrics_.frames_in_total.fetch_add(1, std::memory_order_relaxed);
  metrics_.bytes_in_total.fetch_add(bytes, std::memory_order_relaxed);
  return &it->second;
}

HubOutput Hub::receive(ConnectionId connection, std::string_view bytes, int64_t now_ms) {
  HubOutput out;
  Session* session = session_of_frame(out, connection, bytes.size());
  if (!session) return out;
  auto frame = codec::decode_client_frame(bytes, decode_limits_);
  if (!frame) {
    const bool too_large = frame.error().code == ErrorCode::kOversized;
    metrics_.count_error(too_large ? Metrics::Error::kFrameTooLarge : Metrics::Error::kFrameDecode);
    log_warn("frame.rejected", {{"conn", connection}, {"user", session->user_id}, {"bytes", bytes.size()},
                                {"error", frame.error().message}});
    close(out, connection, too_large ? CloseReason::kFrameTooLarge : CloseReason::kProtocolError);
    return out;
  }
  return receive_frame(connection, frame.value(), now_ms);
}

HubOutput Hub::receive_comet(ConnectionId connection, const codec::CometRequest& request, int64_t now_ms) {
  HubOutput out;
  Session* session = session_of_frame(out, connection, request.body.size());
  if (!session) return out;
  // The payload as JSON: escaping can double a message's content (every quote of a JSON
  // content string), so twice the binary limit; the content limit applies after decoding.
  if (request.body.size() > 2 * options_.limits.max_frame_bytes) {
    metrics_.count_error(Metrics::Error::kFrameTooLarge);
    log_warn("frame.rejected", {{"conn", connection}, {"user", session->user_id},
                                {"bytes", request.body.size()}, {"error", "comet body over twice max_frame_bytes"}});
    close(out, connection, CloseReason::kFrameTooLarge);
    return out;
  }
  auto frame = codec::decode_comet_request(request);
  if (frame) return receive_frame(connection, frame.value(), now_ms);

  // A PUBLISH or QUERY whose body does not fit its topic (or whose topic is unknown) is
  // answered with an error status, as the binary form is; anything else ends the session.
  const auto type = static_cast<codec::FrameType>(request.header >> 4);
  if (request.has_topic && (type == codec::FrameType::kPublish || type == codec::FrameType::kQuery)) {
    const bool unknown = frame.error().code == ErrorCode::kUnknownTopic;
    metrics_.count_error(unknown ? Metrics::Error::kUnknownTopic : Metrics::Error::kBadPayload);
    session->last_activity_ms = now_ms;
    Request r{connection, *session, now_ms, out};
    const uint16_t status = status::from_error(unknown ? ErrorCode::kUnknownTopic : ErrorCode::kBadProtobuf);
    if (type == codec::FrameType::kPublish) {
      codec::ClientPublish p;
      p.topic = request.topic;
      p.target_id = request.target_id;
      p.message_id = request.message_id;
      fail_publish(r, p, status, frame.error().message);
    } else {
      codec::ClientQuery q;
      q.topic = request.topic;
      q.target_id = request.target_id;
      q.message_id = request.message_id;
      fail_query(r, q, status, frame.error().message);
    }
    return out;
  }
  metrics_.count_error(Metrics::Error::kFrameDecode);
  log_warn("frame.rejected", {{"conn", connection}, {"user", session->user_id}, {"header", request.header},
                              {"error", frame.error().message}});
  close(out, connection, CloseReason::kProtocolError);
  return out;
}

HubOutput Hub::receive_frame(ConnectionId connection, const codec::ClientFrame& frame, int64_t now_ms) {
  HubOutput out;
  auto it = sessions_.find(connection);
  if (it == sessions_.end()) {
    out.closes.push_back({connection, CloseReason::kProtocolError});
    return out;
  }
  Session& session = it->second;
  session.last_activity_ms = now_ms;
  if (const uint16_t id = codec::message_id_of(frame); id != 0) session.last_client_message_id = id;
  Request r{connection, session, now_ms, out};
  std::visit(
      [&](const auto& f) {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, codec::PingReq>) {
          out.frames.push_back({connection, codec::PingResp{}, {}});
        } else if constexpr (std::is_same_v<T, codec::ClientPublish>) {
          handle_publish(r, f);
        } else if constexpr (std::is_same_v<T, codec::ClientQuery>) {
          handle_query(r, f);
        } else {
          // PUBACK / QUERYCON confirm our qos-1 frames: nothing to do.
        }
      },
      frame);
  return out;
}

// ---- answers --------------------------------------------------------------------------

void Hub::ack_query(Request& r, const codec::ClientQuery& q, std::string payload) {
  codec::QueryAck ack;
  ack.message_id = q.message_id;
  ack.date = date_of(r.now_ms);
  ack.status = status::kOk;
  ack.payload = std::move(payload);
  r.out.frames.push_back({r.connection, std::move(ack), q.topic});
}

void Hub::fail_query(Request& r, const codec::ClientQuery& q, uint16_t status, std::string_view why) {
  log_info("query.failed", {{"conn", r.connection}, {"user", r.session.user_id}, {"topic", q.topic},
                            {"status", status}, {"reason", why}});
  codec::QueryAck ack;
  ack.message_id = q.message_id;
  ack.date = date_of(r.now_ms);
  ack.status = status;
  r.out.frames.push_back({r.connection, std::move(ack), q.topic});
}

void Hub::storage_failed(Request& r, const codec::ClientQuery& q, const Error& error) {
  metrics_.count_error(Metrics::Error::kStorage);
  log_error("storage.failed", {{"topic", q.topic}, {"user", r.session.user_id}, {"error", error.message}});
  fail_query(r, q, status::kServerError, "storage");
}

void Hub::ack_stored(Request& r, const codec::ClientQuery& q, const Status& st) {
  if (!st) return storage_failed(r, q, st.error());
  ack_query(r, q, {});
}

std::optional<storage::ConversationKey> Hub::own_conversation(const Session& s, int type,
                                                              const std::string& target_id) {
  if (target_id.empty() || !valid_conversation_type(type)) return std::nullopt;
  return storage::ConversationKey{s.app_key, s.user_id, static_cast<ConversationType>(type), target_id};
}

void Hub::publish_storage_failed(Request& r, const codec::ClientPublish& p, const char* op, const Error& error) {
  metrics_.count_error(Metrics::Error::kStorage);
  log_error("storage.failed", {{"op", op}, {"topic", p.topic}, {"user", r.session.user_id}, {"error", error.message}});
  fail_publish(r, p, status::kServerError, "storage");
}

void Hub::ack_publish(Request& r, uint16_t message_id, int64_t sent_ms, const std::string& msg_uid) {
  codec::ServerPubAck ack;
  ack.message_id = message_id;
  ack.date = date_of(sent_ms);
  ack.millis = static_cast<uint16_t>(sent_ms % 1000);
  ack.status = status::kOk;
  ack.msg_uid = msg_uid;
  r.out.frames.push_back({r.connection, std::move(ack), {}});
}

void Hub::fail_publish(Request& r, const codec::ClientPublish& p, uint16_t status, std::string_view why) {
  log_info("publish.failed", {{"conn", r.connection}, {"user", r.session.user_id}, {"topic", p.topic},
                              {"target", p.target_id}, {"status", status}, {"reason", why}});
  if (p.message_id == 0) return;  // status messages expect no answer
  codec::ServerPubAck ack;
  ack.message_id = p.message_id;
  ack.date = date_of(r.now_ms);
  ack.millis = static_cast<uint16_t>(r.now_ms % 1000);
  ack.status = status;
  r.out.frames.push_back({r.connection, std::move(ack), {}});
}

void Hub::push(HubOutput& out, ConnectionId connection, std::string_view topic, const std::string& target_id,
               std::string payload, int64_t now_ms) {
  codec::ServerPublish publish;
  // qos 0 and messageId 0: the client matches any frame whose id equals one of its
  // pending requests (§3.4), so a server-chosen id could be taken for an answer.
  publish.flags = codec::Flags{0, false, false};
  publish.date = date_of(now_ms);
  publish.topic = std::string(topic);
  publish.target_id = target_id;
  publish.message_id = 0;
  publish.payload = std::move(payload);
  out.frames.push_back({connection, std::move(publish), {}});
}

void Hub::notify_user(HubOutput& out, const std::string& app_key, const std::string& user_id,
                      int64_t message_time, ConnectionId skip, int64_t now_ms) {
  auto it = online_.find({app_key, user_id});
  if (it == online_.end()) return;
  pb::NotifyMsg notify;
  notify.set_type(1);
  notify.set_time(message_time);
  const std::string payload = serialize(notify);
  for (ConnectionId id : it->second) {
    if (id != skip) push(out, id, topics::kNotify, user_id, payload, now_ms);
  }
}

uint16_t Hub::server_message_id(Session& s) {
  // Half the id space away from the last id the client used: its requests in flight are
  // just above that one (WebSocket ids wrap at 65535; comet ids only grow).
  const uint32_t base = s.last_client_message_id + 32768u + (s.server_sequence++ % 4096u);
  return static_cast<uint16_t>(base % 65535u + 1u);
}

// A token bucket per session: send_rate_per_second tokens a second, up to send_burst.
bool Hub::take_send_token(Session& s, int64_t now_ms) {
  const int64_t burst = int64_t{options_.limits.send_burst} * 1000;
  if (s.send_tokens_milli < 0) {
    s.send_tokens_milli = burst;
  } else if (now_ms > s.send_tokens_at_ms) {
    s.send_tokens_milli =
        std::min(burst, s.send_tokens_milli + (now_ms - s.send_tokens_at_ms) * options_.limits.send_rate_per_second);
  }
  s.send_tokens_at_ms = std::max(s.send_tokens_at_ms, now_ms);
  if (s.send_tokens_milli < 1000) return false;
  s.send_tokens_milli -= 1000;
  return true;
}

// ---- PUBLISH --------------------------------------------------------------------------

void Hub::handle_publish(Request& r, const codec::ClientPublish& p) {
  const std::string& t = p.topic;
  const bool status_topic = topics::is_status_topic(t);
  const bool message_topic = t == topics::kPrivateMessage || t == topics::kGroupMessage ||
                             t == topics::kChatroomMessage || t == topics::kCustomerServiceMessage ||
                             t == topics::kRecall;
  if (!status_topic && !message_topic) {
    if (topics::request_type(t) != nullptr) {
      return fail_publish(r, p, status::from_error(ErrorCode::kNotSupport), "topic not served");
    }
    metrics_.count_error(Metrics::Error::kUnknownTopic);
    return fail_publish(r, p, status::from_error(ErrorCode::kUnknownTopic), "unknown topic");
  }
  if (!take_send_token(r.session, r.now_ms)) {
    metrics_.count_error(Metrics::Error::kRateLimited);
    return fail_publish(r, p, status::kSendTooFast, "send rate");
  }
  pb::UpStreamMessage up;
  if (!detail::parse(up, p.payload)) {
    metrics_.count_error(Metrics::Error::kBadPayload);
    return fail_publish(r, p, status::from_error(ErrorCode::kBadProtobuf), "UpStreamMessage does not decode");
  }
  if (status_topic) return forward_status_message(r, p, up);
  if (t == topics::kRecall) return recall_message(r, p, up);
  if (t == topics::kGroupMessage) return send_group_message(r, p, up);
  if (t == topics::kChatroomMessage) return send_chatroom_message(r, p, up);
  send_private_message(r, p, up);  // ppMsgP, and pcMsgP kept as a one-to-one conversation
}

// ---- QUERY ----------------------------------------------------------------------------

void Hub::handle_query(Request& r, const codec::ClientQuery& q) {
  const std::string& t = q.topic;
  if (t == topics::kPullMessages) return query_pull_messages(r, q);
  if (t == topics::kPullSessionStates) return query_session_states(r, q);
  if (t == topics::kPullUserSettings) return query_user_settings(r, q);
  if (t == topics::kReportSdk) return query_report_sdk(r, q);
  if (t == topics::kQueryConversations) return query_conversations(r, q);
  if (t == topics::kDeleteConversation) return query_delete_conversation(r, q);
  if (t == topics::kPrivateHistory) return query_history(r, q, ConversationType::kPrivate);
  if (t == topics::kGroupHistory) return query_history(r, q, ConversationType::kGroup);
  if (t == topics::kChatroomHistory) return query_chatroom_history(r, q);
  if (t == topics::kCustomerServiceHistory) return query_history(r, q, ConversationType::kCustomerService);
  if (t == topics::kSystemHistory) return query_history(r, q, ConversationType::kSystem);
  if (t == topics::kDeleteMessages) return query_delete_messages(r, q);
  if (t == topics::kCleanPrivate) return query_clean_history(r, q, ConversationType::kPrivate);
  if (t == topics::kCleanGroup) return query_clean_history(r, q, ConversationType::kGroup);
  if (t == topics::kCleanCustomerService) return query_clean_history(r, q, ConversationType::kCustomerService);
  if (t == topics::kCleanSystem) return query_clean_history(r, q, ConversationType::kSystem);
  if (t == topics::kSetSessionState) return query_set_session_state(r, q);
  if (t == topics::kMarkRead) return query_update_read_time(r, q);
  if (t == topics::kJoinChatroom || t == topics::kRejoinChatroom) return query_join_chatroom(r, q);
  if (t == topics::kPullChatroom) return query_pull_chatroom(r, q);
  if (t == topics::kChatroomInfo) return query_chatroom_info(r, q);
  if (t == topics::kExitChatroom) return query_exit_chatroom(r, q);
  if (t == topics::kGroupReadReceipt) return query_group_read_receipt(r, q);
  if (t == topics::kGroupReadReceiptList) return query_group_readers(r, q);
  if (t == topics::kAddBlacklist || t == topics::kRemoveBlacklist || t == topics::kQueryBlacklist ||
      t == topics::kBlacklistStatus) {
    return query_blacklist(r, q);
  }
  if (topics::request_type(t) != nullptr) {
    return fail_query(r, q, status::from_error(ErrorCode::kNotSupport), "topic not served");
  }
  metrics_.count_error(Metrics::Error::kUnknownTopic);
  fail_query(r, q, status::from_error(ErrorCode::kUnknownTopic), "unknown topic");
}

// pullMsg (§4.7): what the user has not got yet, oldest first, in batches.
void Hub::query_pull_messages(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::SyncRequestMsg, req);
  Session& s = r.session;
  auto stored = storage_.sync_position(s.app_key, s.user_id);
  if (!stored) return storage_failed(r, q, stored.error());
  if (s.unconfirmed_position && req.synctime() > 0) {
    // The new device pulls on from a position an answer gave it: it has that answer.
    stored = advance_sync_position(s, stored.value(), *s.unconfirmed_position);
    s.unconfirmed_position.reset();
  }

  // A client without a position (a new browser: syncTime 0) starts where this user's
  // devices have already been, instead of being handed the whole history as new messages.
  // The outbox position stays 0 on devices that never saw an own message, so it falls back
  // to the inbox position: every pull up to there returned all own messages after it.
  const int64_t received_after = req.synctime() > 0 ? req.synctime() : stored.value().inbox_ms;
  const int64_t sent_after = req.sendboxsynctime() > 0 ? req.sendboxsynctime()
                             : req.synctime() > 0     ? req.synctime()
                                                      : stored.value().outbox_ms;
  storage::SyncRequest sync{s.app_key, s.user_id, received_after, req.ispullsend(), sent_after,
                            options_.limits.sync_batch_size};
  auto page = storage_.fetch_sync(sync);
  if (!page) return storage_failed(r, q, page.error());

  pb::DownStreamMessages answer;
  for (const auto& um : page.value().messages) *answer.add_list() = to_downstream(um);
  // Finished: everything of this user up to now was returned, so the position is the
  // clock's head; it is then >= every time we notified (§4.7: no endless re-pull). At
  // least 1, so that after its first pull a client never again looks like a new device
  // (syncTime 0), even on a server that has stored nothing yet.
  // Not finished: the last message returned; the client pulls again at once.
  int64_t sync_time = received_after;
  if (!page.value().messages.empty()) sync_time = std::max(sync_time, page.value().messages.back().message.sent_ms);
  if (!page.value().has_more) sync_time = std::max({sync_time, clock_.last(), int64_t{1}});
  answer.set_synctime(sync_time);
  answer.set_finished(!page.value().has_more);

  const storage::SyncPosition reached{sync_time, req.ispullsend() ? sync_time : 0};
  if (req.confirmsanswer()) {
    s.unconfirmed_position = reached;  // stored when the device pulls on (above)
  } else {
    advance_sync_position(s, stored.value(), reached);
  }
  log_debug("sync.pull", {{"user", s.user_id}, {"after", received_after}, {"sent_after", sent_after},
                          {"count", answer.list_size()}, {"sync_time", sync_time},
                          {"finished", !page.value().has_more}});
  ack_query(r, q, serialize(answer));
  r.session.pulled = true;
  r.session.release_status_at_ms = r.now_ms + kHeldStatusDelayMs;
}

// Moves the user's stored position (where new devices start) from `stored` up to
// `reached`; answers the position now stored. Only the new-device shortcut depends on it:
// a failure is logged, and the pull is answered anyway.
storage::SyncPosition Hub::advance_sync_position(const Session& s, const storage::SyncPosition& stored,
                                                 const storage::SyncPosition& reached) {
  if (reached.inbox_ms <= stored.inbox_ms && reached.outbox_ms <= stored.outbox_ms) return stored;
  if (auto st = storage_.advance_sync_position(s.app_key, s.user_id, reached); !st) {
    metrics_.count_error(Metrics::Error::kStorage);
    log_error("storage.failed", {{"op", "advance_sync_position"}, {"error", st.error().message}});
    return stored;
  }
  return {std::max(stored.inbox_ms, reached.inbox_ms), std::max(stored.outbox_ms, reached.outbox_ms)};
}

// pullSeAtts: conversation states (top, do-not-disturb) changed since the client's version.
void Hub::query_session_states(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::SessionReq, req);
  auto states = storage_.conversation_states_since(r.session.app_key, r.session.user_id, req.time());
  if (!states) return storage_failed(r, q, states.error());
  pb::SessionStates answer;
  int64_t version = req.time();
  for (const auto& st : states.value()) {
    auto* state = answer.add_state();
    state->set_type(static_cast<pb::ChannelType>(st.conversation_type));
    state->set_channelid(st.target_id);
    state->set_time(st.version);
    auto* silent = state->add_stateitem();
    silent->set_sessionstatetype(pb::IsSilent);
    silent->set_value(st.is_silent.value_or(false) ? "1" : "0");
    auto* top = state->add_stateitem();
    top->set_sessionstatetype(pb::IsTop);
    top->set_value(st.is_top.value_or(false) ? "1" : "0");
    version = std::max(version, st.version);
  }
  answer.set_version(version);
  ack_query(r, q, serialize(answer));
}

// pullUS: user settings (conversation tags): none kept yet, so "nothing newer".
void Hub::query_user_settings(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::PullUserSettingInput, req);
  pb::PullUserSettingOutput answer;
  answer.set_version(req.version());
  ack_query(r, q, serialize(answer));
}

void Hub::query_report_sdk(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::ReportSDKInput, req);
  log_info("session.sdk", {{"conn", r.connection}, {"user", r.session.user_id}, {"sdk", req.sdkinfo()}});
  ack_query(r, q, serialize(pb::ReportSDKOutput()));
}

// qryRelationR: the conversation list, most recent first.
void Hub::query_conversations(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::RelationQryInput, req);
  int count = req.count() > 0 ? req.count() : 300;
  count = std::min(count, options_.conversation_max_count);
  auto list = storage_.list_conversations({r.session.app_key, r.session.user_id, req.starttime(), count});
  if (!list) return storage_failed(r, q, list.error());
  pb::RelationsOutput answer;
  for (const auto& c : list.value()) {
    // The client formats `msg` unconditionally: a conversation whose messages were all
    // deleted has nothing to show and is left out.
    if (!c.latest) continue;
    auto* info = answer.add_info();
    info->set_type(static_cast<pb::ChannelType>(c.conversation_type));
    info->set_userid(c.target_id);
    *info->mutable_msg() = to_downstream(*c.latest);
    info->set_readmsgtime(c.read_ms);
    info->set_unreadcount(c.unread_count);
  }
  ack_query(r, q, serialize(answer));
}

// delRelation: targetId is the conversation's target (not self, §4.2).
void Hub::query_delete_conversation(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::RelationQryInput, req);
  const auto key = own_conversation(r.session, req.has_type() ? static_cast<int>(req.type()) : 1, q.target_id);
  if (!key) return fail_query(r, q, status::from_error(ErrorCode::kParameterError), "bad conversation");
  ack_stored(r, q, storage_.hide_conversation(*key));
}

// qryPMsg & co (§4.8): newest first, hasMsg when more remain beyond this page.
void Hub::query_history(Request& r, const codec::ClientQuery& q, ConversationType type) {
  PARLEY_PARSE_OR_FAIL(pb::HistoryMsgInput, req);
  if (req.targetid().empty()) {
    return fail_query(r, q, status::from_error(ErrorCode::kParameterError), "targetId missing");
  }
  int count = req.count() > 0 ? req.count() : 20;
  count = std::min(count, options_.history_max_count);
  storage::HistoryRequest hr{{r.session.app_key, r.session.user_id, type, req.targetid()},
                             req.time(), req.order() == 1, count};
  auto page = storage_.fetch_history(hr);
  if (!page) return storage_failed(r, q, page.error());
  pb::HistoryMsgOuput answer;
  for (const auto& um : page.value().messages) *answer.add_list() = to_downstream(um);
  answer.set_synctime(page.value().messages.empty() ? req.time() : page.value().messages.back().message.sent_ms);
  answer.set_hasmsg(page.value().has_more ? 1 : 0);
  ack_query(r, q, serialize(answer));
}

// delMsg: remove these messages from the user's own history.
void Hub::query_delete_messages(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::DeleteMsgInput, req);
  const auto key =
      own_conversation(r.session, req.has_type() ? static_cast<int>(req.type()) : 1, req.conversationid());
  if (!key) return fail_query(r, q, status::from_error(ErrorCode::kParameterError), "bad conversation");
  std::vector<std::string> uids;
  for (const auto& m : req.msgs())
    if (!m.msgid().empty()) uids.push_back(m.msgid());
  ack_stored(r, q, storage_.delete_user_messages(*key, uids));
}

// cleanPMsg & co: remove the user's history of one conversation up to dataTime (0: all).
void Hub::query_clean_history(Request& r, const codec::ClientQuery& q, ConversationType type) {
  PARLEY_PARSE_OR_FAIL(pb::CleanHisMsgInput, req);
  if (req.targetid().empty()) {
    return fail_query(r, q, status::from_error(ErrorCode::kParameterError), "targetId missing");
  }
  const int64_t up_to = req.datatime() > 0 ? req.datatime() : clock_.last();
  ack_stored(r, q, storage_.clear_user_history({r.session.app_key, r.session.user_id, type, req.targetid()}, up_to));
}

// setSeAtt: top / do-not-disturb per conversation. Versions come from the message clock,
// so "changed since version v" is exact across the user's devices.
void Hub::query_set_session_state(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::SessionStateModifyReq, req);
  const int64_t version = clock_.next(r.now_ms);
  for (const auto& state : req.state()) {
    const int type = static_cast<int>(state.type());
    if (state.channelid().empty() || !valid_conversation_type(type)) continue;
    storage::ConversationState cs;
    cs.conversation_type = static_cast<ConversationType>(type);
    cs.target_id = state.channelid();
    cs.version = version;
    for (const auto& item : state.stateitem()) {
      if (item.sessionstatetype() == pb::IsSilent) cs.is_silent = item.value() == "1";
      if (item.sessionstatetype() == pb::IsTop) cs.is_top = item.value() == "1";
    }
    auto st = storage_.set_conversation_state(
        {r.session.app_key, r.session.user_id, cs.conversation_type, cs.target_id}, cs);
    if (!st) return storage_failed(r, q, st.error());
  }
  pb::SessionStateModifyResp answer;
  answer.set_version(version);
  ack_query(r, q, serialize(answer));
}

// updRRTime (SessionMsgReadInput): "I have read this conversation up to msgTime". Not sent
// by the official web client (it keeps unread counts locally); Parley's SDK uses it.
void Hub::query_update_read_time(Request& r, const codec::ClientQuery& q) {
  PARLEY_PARSE_OR_FAIL(pb::SessionMsgReadInput, req);
  const auto key = own_conversation(r.session, static_cast<int>(req.type()), req.channelid());
  if (!key) return fail_query(r, q, status::from_error(ErrorCode::kParameterError), "bad conversation");
  auto st = storage_.mark_conversation_read(*key, req.msgtime());
  if (!st) return storage_failed(r, q, st.error());
  ack_query(r, q, serialize(pb::SessionMsgReadOutput()));
}

// addBlack / rmBlack / qryBlack / blackStat: the user's own blacklist (frame targetId is
// the user). The official web client answers these locally with 39002; Parley's SDK and
// native clients send them.
void Hub::query_blacklist(Request& r, const codec::ClientQuery& q) {
  const Session& s = r.session;
  if (q.topic == topics::kAddBlacklist || q.topic == topics::kRemoveBlacklist) {
    std::string user;
    if (q.topic == topics::kAddBlacklist) {
      PARLEY_PARSE_OR_FAIL(pb::Add2BlackListInput, req);
      user = req.userid();
    } else {
      PARLEY_PARSE_OR_FAIL(pb::RemoveFromBlackListInput, req);
      user = req.userid();
    }
    if (!auth::is_valid_user_id(user) || user == s.user_id) {
      return fail_query(r, q, status::from_error(ErrorCode::kParameterError), "bad user id");
    }
    return ack_stored(r, q,
                      q.topic == topics::kAddBlacklist
                          ? storage_.add_to_blacklist(s.app_key, s.user_id, {user}, r.now_ms)
                          : storage_.remove_from_blacklist(s.app_key, s.user_id, {user}));
  }
  pb::QueryBlackListOutput answer;
  if (q.topic == topics::kQueryBlacklist) {
    auto list = storage_.blacklist(s.app_key, s.user_id);
    if (!list) return storage_failed(r, q, list.error());
    for (const auto& user : list.value()) answer.add_userids(user);
  } else {
    PARLEY_PARSE_OR_FAIL(pb::BlackListStatusInput, req);
    auto listed = storage_.is_blacklisted(s.app_key, s.user_id, req.userid());
    if (!listed) return storage_failed(r, q, listed.error());
    if (listed.value()) answer.add_userids(req.userid());
  }
  ack_query(r, q, serialize(answer));
}

}  // namespace parley::server::im
