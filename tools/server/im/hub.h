// The protocol logic of imserver, sans-I/O: it never touches a socket, a timer or the
// clock. A transport adapter (http/ws_session for WebSocket, the comet endpoints of
// http/server for long polling) turns each connection into a ConnectionId and calls
//
//   connect(id, request, now)        after the transport handshake (upgrade, comet connect)
//   receive(id, bytes, now)          for every binary frame from a WebSocket client
//   receive_comet(id, request, now)  for every comet POST (the frame as JSON, §5)
//   keep_alive(id, now)              when a comet client polls (it never pings)
//   disconnected(id)                 when the transport is gone
//   tick(now)                        whenever next_deadline() has passed
//
// and each call returns a HubOutput: frames to send to which connections (the sender's and
// other users'), and connections to close once the frames queued before are written. Both
// transports share everything behind the ConnectionId: routing, storage, sync.
// Storage calls are synchronous; the hub answers a PUBLISH only after the message is
// durably stored.
//
// The server API (im/server_api) drives the same hub for what it does to live sessions:
// publishing system messages, kicking blocked users.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "codec/comet.h"
#include "codec/frame.h"
#include "config.h"
#include "im/message_ids.h"
#include "metrics.h"
#include "storage/storage.h"

namespace parley::pb {
class UpStreamMessage;
}

namespace parley::server::im {

using ConnectionId = uint64_t;

enum class Transport { kWebSocket, kComet };

// What a client presents when it connects (the WebSocket or comet URL's query, §2.2, §5).
struct ConnectRequest {
  std::string app_key;  // appId
  std::string token;    // as sent: may end in "@" (navi suffix removed by the client)
  std::string sdk_version;
  std::string remote_address;  // for logs
  Transport transport = Transport::kWebSocket;
};

enum class CloseReason {
  kAuthRejected,   // after a refusing CONNACK
  kProtocolError,  // a frame that does not decode (WebSocket close 1002)
  kFrameTooLarge,  // over max_frame_bytes (1009)
  kIdleTimeout,    // nothing received for idle_timeout_ms (1000)
  kShutdown,       // server stopping (1001)
  kKicked,         // after a DISCONNECT frame: another login, a block, the session limit
};

const char* close_reason_name(CloseReason reason);

struct OutgoingFrame {
  ConnectionId connection = 0;
  codec::ServerFrame frame;
  // For a QUERYACK, the topic of the QUERY it answers: the comet form needs it to render
  // the payload as JSON; the binary form ignores it.
  std::string ack_topic;
};

struct CloseCommand {
  ConnectionId connection = 0;
  CloseReason reason = CloseReason::kProtocolError;
};

struct HubOutput {
  std::vector<OutgoingFrame> frames;  // in order, per connection
  std::vector<CloseCommand> closes;   // applied after this output's frames are written
};

struct HubOptions {
  Limits limits;
  int64_t token_ttl_ms = 0;
  uint16_t node_id = 0;
  int history_max_count = 100;        // qryPMsg count is capped here
  int conversation_max_count = 1000;  // qryRelationR count is capped here
};

// A message the server API publishes on behalf of a user (/message/{private,group,system}/publish.json).
struct ServerMessage {
  std::string app_key;
  std::string from_user_id;
  storage::ConversationType conversation_type = storage::ConversationType::kPrivate;  // 1, 3 or 6
  std::vector<std::string> targets;  // user ids (private, system) or group ids (group)
  std::string classname;
  std::string content;
  std::string push_content;
  std::string push_data;
  std::optional<bool> persisted;  // custom classnames only; RongCloud's own keep their table's policy
  std::optional<bool> counted;
  bool include_sender = false;    // the sender's devices get the message too
  bool check_blacklist = false;   // skip private targets that blacklisted the sender
};

struct PublishedMessage {
  std::string target_id;
  std::string msg_uid;  // empty when the target was skipped (blacklist, not a group)
};

class Hub {
 public:
  // `apps` and `storage` must outlive the hub. `random_seed` feeds msgUIds and session ids
  // (tests pass a fixed one).
  Hub(storage::Storage& storage, const std::vector<AppConfig>& apps, HubOptions options,
      Metrics& metrics, uint64_t random_seed);

  // Loads the clock's high-water mark from storage. Call once before anything else.
  Status start();

  // Authenticates a new connection. Returns the CONNACK (accepted: with user id, session id
  // and server time; refused: the status alone, and a close). May also kick other sessions
  // of the user (single-session apps, max_sessions_per_user): DISCONNECT status 1 to them.
  HubOutput connect(ConnectionId connection, const ConnectRequest& request, int64_t now_ms);

  // One binary frame from an accepted connection.
  HubOutput receive(ConnectionId connection, std::string_view frame_bytes, int64_t now_ms);
  // One comet POST: decoded here so a body that does not decode is answered like a bad
  // binary payload (an error status), not by dropping the session.
  HubOutput receive_comet(ConnectionId connection, const codec::CometRequest& request, int64_t now_ms);
  // An already decoded frame.
  HubOutput receive_frame(ConnectionId connection, const codec::ClientFrame& frame, int64_t now_ms);
  // The client is there (a comet poll): postpones the idle timeout. No output.
  void keep_alive(ConnectionId connection, int64_t now_ms);

  // The transport is gone; forgets the session and its chatroom memberships. Nothing to send.
  void disconnected(ConnectionId connection);

  // Closes sessions idle for longer than limits.idle_timeout_ms; sends status messages
  // held for a session's first pull (see Session::held_status).
  HubOutput tick(int64_t now_ms);
  // When tick() next has something to do (ms); INT64_MAX when no session is open.
  int64_t next_deadline() const;

  // ---- for the server API ----
  // Stores and delivers a message as user `from_user_id` would send it (system, private
  // or group); one message per target. Fails only on storage errors.
  Result<std::vector<PublishedMessage>> publish(const ServerMessage& message, int64_t now_ms, HubOutput& out);
  // Ends every session of the user with DISCONNECT `status` (1 other login, 2 blocked, 3 server).
  void kick_user(const std::string& app_key, const std::string& user_id, uint8_t status, HubOutput& out);
  bool is_online(const std::string& app_key, const std::string& user_id) const;

  size_t session_count() const { return sessions_.size(); }
  // The user of an accepted connection ("" when unknown): for logs and tests.
  std::string user_of(ConnectionId connection) const;
  // Distinct users in a chatroom (any of their sessions joined).
  size_t chatroom_user_count(const std::string& app_key, const std::string& room_id) const;

 private:
  struct Session {
    std::string app_key;
    std::string user_id;
    std::string session_id;
    Transport transport = Transport::kWebSocket;
    int64_t connected_ms = 0;
    int64_t last_activity_ms = 0;
    uint16_t last_client_message_id = 0;  // to pick server ids far from the client's
    uint16_t server_sequence = 0;
    int64_t send_tokens_milli = -1;       // token bucket (-1: full, first use)
    int64_t send_tokens_at_ms = 0;
    std::set<std::string> chatrooms;
    // Status messages (typing) go out as s_msg, which the official client drops while a
    // pullMsg is in flight, also when the s_msg comes in the same read as the pull's
    // QUERYACK (node's ws emits both before the promise settles). So they wait until the
    // session has pulled once, and for a moment after each pull's answer; tick() sends them
    // at release_status_at_ms.
    bool pulled = false;
    // Where the last pull with SyncRequestMsg.confirmsAnswer led: stored as the user's
    // position once the device pulls on from it (it has the answer), never if it leaves.
    std::optional<storage::SyncPosition> unconfirmed_position;
    int64_t release_status_at_ms = 0;
    std::vector<std::pair<int64_t, std::string>> held_status;  // time, DownStreamMessage
  };
  using UserKey = std::pair<std::string, std::string>;  // app key, user id
  using RoomKey = std::pair<std::string, std::string>;  // app key, chatroom id

  // Context of one request being answered.
  struct Request {
    ConnectionId connection;
    Session& session;
    int64_t now_ms;
    HubOutput& out;
  };

  // A message on its way to storage and its audience.
  struct Delivery {
    storage::NewMessage stored;
    ConnectionId origin = 0;  // the sending connection: gets the PUBACK, not a notification
    bool notify_sender = true;  // the sender's other sessions get s_ntf (else sync copies)
  };

  void handle_publish(Request& r, const codec::ClientPublish& publish);
  void handle_query(Request& r, const codec::ClientQuery& query);
  bool take_send_token(Session& s, int64_t now_ms);

  // hub_messages.cc: one-to-one, group, recall, typing, read receipts.
  void send_private_message(Request& r, const codec::ClientPublish& publish, const pb::UpStreamMessage& up);
  void send_group_message(Request& r, const codec::ClientPublish& publish, const pb::UpStreamMessage& up);
  void recall_message(Request& r, const codec::ClientPublish& publish, const pb::UpStreamMessage& up);
  void forward_status_message(Request& r, const codec::ClientPublish& publish, const pb::UpStreamMessage& up);
  void apply_read_receipt(Request& r, std::string_view peer_id, std::string_view content);
  void query_group_read_receipt(Request& r, const codec::ClientQuery& q);
  void query_group_readers(Request& r, const codec::ClientQuery& q);
  // Checks shared by every user message: content size, resend of an acknowledged message
  // (answered with the first PUBACK). Returns false when the publish was answered.
  bool admit_message(Request& r, const codec::ClientPublish& p, const pb::UpStreamMessage& up);
  // A MessageRecord for `up` from the session's user, with a fresh time and UID.
  storage::MessageRecord new_record(const std::string& app_key, const std::string& sender,
                                    storage::ConversationType type, const std::string& target,
                                    const pb::UpStreamMessage& up, int64_t status_flags, int64_t now_ms);
  // Stores, then notifies every mailbox owner's sessions (s_ntf) except the origin. false:
  // nothing stored (a recall of a message recalled meanwhile).
  Result<bool> deliver(HubOutput& out, Delivery& delivery, int64_t now_ms);
  // The sender's other sessions get the message as sent (§4.9): PUBLISH dup + PUBACK.
  void send_sync_copies(HubOutput& out, const Session& sender, ConnectionId origin, const codec::ClientPublish& p,
                        const storage::MessageRecord& m);

  // hub_chatrooms.cc.
  void query_join_chatroom(Request& r, const codec::ClientQuery& q);
  void query_pull_chatroom(Request& r, const codec::ClientQuery& q);
  void query_chatroom_info(Request& r, const codec::ClientQuery& q);
  void query_chatroom_history(Request& r, const codec::ClientQuery& q);
  void query_exit_chatroom(Request& r, const codec::ClientQuery& q);
  void send_chatroom_message(Request& r, const codec::ClientPublish& p, const pb::UpStreamMessage& up);
  void leave_chatroom(ConnectionId connection, Session& s, const std::string& room_id);
  bool in_chatroom(const Session& s, const std::string& room_id) const { return s.chatrooms.count(room_id) > 0; }
  // s_ntf{type 2} to the room's sessions of users other than `sender`.
  void notify_chatroom(HubOutput& out, const std::string& app_key, const std::string& room_id,
                       const std::string& sender, int64_t message_time, int64_t now_ms);

  void query_pull_messages(Request& r, const codec::ClientQuery& q);
  storage::SyncPosition advance_sync_position(const Session& s, const storage::SyncPosition& stored,
                                              const storage::SyncPosition& reached);
  void query_session_states(Request& r, const codec::ClientQuery& q);
  void query_user_settings(Request& r, const codec::ClientQuery& q);
  void query_report_sdk(Request& r, const codec::ClientQuery& q);
  void query_conversations(Request& r, const codec::ClientQuery& q);
  void query_delete_conversation(Request& r, const codec::ClientQuery& q);
  void query_history(Request& r, const codec::ClientQuery& q, storage::ConversationType type);
  void query_delete_messages(Request& r, const codec::ClientQuery& q);
  void query_clean_history(Request& r, const codec::ClientQuery& q, storage::ConversationType type);
  void query_set_session_state(Request& r, const codec::ClientQuery& q);
  void query_update_read_time(Request& r, const codec::ClientQuery& q);
  void query_blacklist(Request& r, const codec::ClientQuery& q);

  // The session a frame of `bytes` came in on, counted in the metrics; nullptr, with a close
  // in `out`, when the connection has none.
  Session* session_of_frame(HubOutput& out, ConnectionId connection, size_t bytes);

  // Answers: status 0 with a payload, or an error status.
  void ack_query(Request& r, const codec::ClientQuery& q, std::string payload);
  void fail_query(Request& r, const codec::ClientQuery& q, uint16_t status, std::string_view why);
  void ack_publish(Request& r, uint16_t message_id, int64_t sent_ms, const std::string& msg_uid);
  void fail_publish(Request& r, const codec::ClientPublish& p, uint16_t status, std::string_view why);
  // Storage failed: logs, counts, answers with status::kServerError.
  void storage_failed(Request& r, const codec::ClientQuery& q, const Error& error);
  // An empty answer once `st` succeeded; storage_failed otherwise.
  void ack_stored(Request& r, const codec::ClientQuery& q, const Status& st);
  // The session user's own conversation with target_id; nullopt when target_id is empty or
  // type is no conversation type.
  static std::optional<storage::ConversationKey> own_conversation(const Session& s, int type,
                                                                  const std::string& target_id);
  void publish_storage_failed(Request& r, const codec::ClientPublish& p, const char* op, const Error& error);

  // s_ntf to every session of (app, user) except `skip`: "pull, something is there".
  void notify_user(HubOutput& out, const std::string& app_key, const std::string& user_id,
                   int64_t message_time, ConnectionId skip, int64_t now_ms);
  // A server PUBLISH (qos 0, messageId 0: nothing the client could take for an answer).
  void push(HubOutput& out, ConnectionId connection, std::string_view topic, const std::string& target_id,
            std::string payload, int64_t now_ms);
  // A messageId for a server-initiated frame that needs one (sync copies): far from the
  // ids the client has in flight, which it matches against any incoming frame (§3.4).
  uint16_t server_message_id(Session& s);

  void close(HubOutput& out, ConnectionId connection, CloseReason reason);
  void kick(HubOutput& out, ConnectionId connection, uint8_t status, const char* why);
  const AppConfig* find_app(std::string_view key) const;
  std::string new_session_id();

  storage::Storage& storage_;
  const std::vector<AppConfig>& apps_;
  HubOptions options_;
  Metrics& metrics_;
  MessageClock clock_;
  MessageUidGenerator uids_;
  std::mt19937_64 random_;
  codec::DecodeLimits decode_limits_;
  std::unordered_map<ConnectionId, Session> sessions_;
  std::map<UserKey, std::set<ConnectionId>> online_;
  std::map<RoomKey, std::map<ConnectionId, int64_t>> chatrooms_;  // member connections, join time
};

}  // namespace parley::server::im
