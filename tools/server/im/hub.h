// The protocol logic of imserver, sans-I/O: it never touches a socket, a timer or the
// clock. A transport adapter (http/ws_session today, comet long polling in issue 6) turns
// each connection into a ConnectionId and calls
//
//   connect(id, request, now)   after the transport handshake (WebSocket upgrade)
//   receive(id, bytes, now)     for every binary frame from the client
//   disconnected(id)            when the transport is gone
//   tick(now)                   whenever next_deadline() has passed
//
// and each call returns a HubOutput: frames to send to which connections (the sender's and
// other users'), and connections to close once the frames queued before are written.
// Storage calls are synchronous; the hub answers a PUBLISH only after the message is
// durably stored.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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

// What a client presents when it connects (the WebSocket URL's query, §2.2).
struct ConnectRequest {
  std::string app_key;  // appId
  std::string token;    // as sent: may end in "@" (navi suffix removed by the client)
  std::string sdk_version;
  std::string remote_address;  // for logs
};

enum class CloseReason {
  kAuthRejected,   // after a refusing CONNACK
  kProtocolError,  // a frame that does not decode (WebSocket close 1002)
  kFrameTooLarge,  // over max_frame_bytes (1009)
  kIdleTimeout,    // nothing received for idle_timeout_ms (1000)
  kShutdown,       // server stopping (1001)
};

const char* close_reason_name(CloseReason reason);

struct OutgoingFrame {
  ConnectionId connection = 0;
  codec::ServerFrame frame;
  // For a QUERYACK, the topic of the QUERY it answers: the comet form needs it to render
  // the payload as JSON (issue 6); the binary form ignores it.
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

class Hub {
 public:
  // `apps` and `storage` must outlive the hub. `random_seed` feeds msgUIds and session ids
  // (tests pass a fixed one).
  Hub(storage::Storage& storage, const std::vector<AppConfig>& apps, HubOptions options,
      Metrics& metrics, uint64_t random_seed);

  // Loads the clock's high-water mark from storage. Call once before anything else.
  Status start();

  // Authenticates a new connection. Returns the CONNACK (accepted: with user id, session id
  // and server time; refused: the status alone, and a close).
  HubOutput connect(ConnectionId connection, const ConnectRequest& request, int64_t now_ms);

  // One binary frame from an accepted connection.
  HubOutput receive(ConnectionId connection, std::string_view frame_bytes, int64_t now_ms);
  // An already decoded frame (the comet transport decodes JSON itself).
  HubOutput receive_frame(ConnectionId connection, const codec::ClientFrame& frame, int64_t now_ms);

  // The transport is gone; forgets the session. Nothing to send.
  void disconnected(ConnectionId connection);

  // Closes sessions idle for longer than limits.idle_timeout_ms.
  HubOutput tick(int64_t now_ms);
  // When tick() next has something to do (ms); INT64_MAX when no session is open.
  int64_t next_deadline() const;

  size_t session_count() const { return sessions_.size(); }
  // The user of an accepted connection ("" when unknown): for logs and tests.
  std::string user_of(ConnectionId connection) const;

 private:
  struct Session {
    std::string app_key;
    std::string user_id;
    std::string session_id;
    int64_t last_activity_ms = 0;
  };
  using UserKey = std::pair<std::string, std::string>;  // app key, user id

  // Context of one request being answered.
  struct Request {
    ConnectionId connection;
    Session& session;
    int64_t now_ms;
    HubOutput& out;
  };

  void handle_publish(Request& r, const codec::ClientPublish& publish);
  void handle_query(Request& r, const codec::ClientQuery& query);

  void send_private_message(Request& r, const codec::ClientPublish& publish, const pb::UpStreamMessage& up);
  void apply_read_receipt(Request& r, std::string_view peer_id, std::string_view content);

  void query_pull_messages(Request& r, const codec::ClientQuery& q);
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

  // Answers: status 0 with a payload, or an error status.
  void ack_query(Request& r, const codec::ClientQuery& q, std::string payload);
  void fail_query(Request& r, const codec::ClientQuery& q, uint16_t status, std::string_view why);
  void ack_publish(Request& r, uint16_t message_id, int64_t sent_ms, const std::string& msg_uid);
  void fail_publish(Request& r, const codec::ClientPublish& p, uint16_t status, std::string_view why);
  // Storage failed: logs, counts, answers with status::kServerError.
  void storage_failed(Request& r, const codec::ClientQuery& q, const Error& error);

  // s_ntf to every session of (app, user) except `skip`: "pull, something is there".
  void notify_user(HubOutput& out, const std::string& app_key, const std::string& user_id,
                   int64_t message_time, ConnectionId skip, int64_t now_ms);

  void close(HubOutput& out, ConnectionId connection, CloseReason reason);
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
};

}  // namespace parley::server::im
