// Session: the client side of the RongCloud v2 protocol as a sans-I/O state machine.
//
// Inputs: transport events (opened, bytes, comet bodies, closed), on_timer(now), and app
// commands (connect, send, queries, local conversation calls) as JSON. Each returns the
// Actions for the host to carry out (actions.h): open/close transports, send bytes or
// comet POSTs, emit events to the app, persist keys, and the next timer deadline.
// Nothing is ever called back; time and randomness come in from the host.
//
// Guarantees (tests/session): every message the server holds reaches the app exactly
// once (dedupe by msgUId, persisted); every message the app sends reaches the server
// exactly once or ends FAILED (persisted outbox, clientUniqueId on every re-send,
// one message in flight per conversation so order holds); unread counts follow the
// counted messages from others since the last read, and the server's counts win.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"

#include "codec/frame.h"
#include "common/error.h"
#include "session/actions.h"
#include "session/config.h"
#include "session/message_model.h"
#include "session/rng.h"
#include "store/conversation_store.h"
#include "store/dedupe_set.h"

namespace parley::session {

// ConnectionStatus values of the v2 API (PROTOCOL.md §6.5).
enum class ConnectionStatus : int {
  kConnected = 0, kConnecting = 1, kDisconnected = 2, kNetworkUnavailable = 3,
  kConnectionClosed = 4, kKickedOffline = 6, kWebsocketUnavailable = 7, kWebsocketError = 8,
  kBlocked = 9, kDisconnectByServer = 13, kRedirect = 14,
};

// CONNACK status -> the connect error the app sees (RongCloud 3100x codes).
ErrorCode connack_error(uint8_t status);

class Session {
 public:
  Session(SessionConfig config, uint64_t seed);

  // Hands over what the host had persisted (all keys under "parley/<appKey>/"), as one
  // JSON object of key -> value text (members that are not strings are ignored). Call
  // before connect; state for a user is loaded when its CONNACK names it.
  Actions restore(Json persisted);
  // The same from a map (native hosts and tests; the wasm passes the object it parsed).
  Actions restore(const std::map<std::string, std::string>& persisted) {
    Json j = Json::object();
    for (const auto& [k, v] : persisted) j[k] = v;
    return restore(std::move(j));
  }

  // One app command, e.g. {"cmd":"connect","id":7,"token":"..","hosts":["h:1"]}. Results
  // come back as "result" events {id, code, data}. See session.cc for the command list.
  Actions command(int64_t now_ms, const Json& cmd);

  Actions on_transport_open(int64_t now_ms, uint32_t conn);
  Actions on_bytes(int64_t now_ms, uint32_t conn, std::string_view bytes);
  // A comet response body: the connect answer, or a JSON array of frame objects.
  Actions on_comet(int64_t now_ms, uint32_t conn, std::string_view body);
  Actions on_transport_closed(int64_t now_ms, uint32_t conn);
  Actions on_timer(int64_t now_ms);
  // The browser says the network is back / the page is visible again: check the link
  // now (a quick ping) or, while waiting to reconnect, reconnect now.
  Actions on_network_online(int64_t now_ms);
  Actions on_visible(int64_t now_ms);

  int64_t next_deadline() const;
  ConnectionStatus status() const { return status_; }
  const std::string& user_id() const { return user_id_; }
  const store::ConversationStore& conversations() const { return conversations_; }
  int64_t inbox_time() const { return inbox_time_; }

 private:
  // ---- state types --------------------------------------------------------------
  enum class RequestKind { kSend, kPull, kQuery, kPing, kRecall };
  // App commands by their "cmd" name (kCommandNames in session.cc), and the session's own
  // queries after them: dispatch and query answers compare these instead of strings at
  // every branch (one name lookup per command). The ones from kMarkRead on are internal.
  enum class Cmd : uint8_t {
    kUnknown,
    kConnect, kReconnect, kDisconnect, kLogout, kSendMessage, kResendMessage, kRecallMessage,
    kOnline, kVisible,
    kGetConversationList, kGetConversation, kGetTotalUnreadCount, kGetConversationUnreadCount,
    kGetUnreadCount, kClearUnreadCount, kSaveDraft, kClearDraft, kGetDraft, kGetCurrentUserId,
    kGetStatus, kGetOutbox, kDeleteLocalMessages,
    kGetHistory, kGetChatroomHistory, kGetConversationListRemote, kRemoveConversation,
    kDeleteMessages, kClearHistory, kSetConversationStatus, kJoinChatroom, kQuitChatroom,
    kGetChatroomInfo, kAddToBlacklist, kRemoveFromBlacklist, kGetBlacklistStatus, kGetBlacklist,
    kQuery,
    // internal: never a "cmd" from the app
    kMarkRead, kSyncConversations, kPullSeAtts, kRejoinChatroom, kChatroomPull,
  };
  static Cmd command_of(std::string_view name);
  // send_request sets topic and deadline.
  struct Pending {
    Pending() = default;
    explicit Pending(RequestKind k, int64_t cb = 0, Cmd q = Cmd::kUnknown, Json ctx = nullptr)
        : kind(k), callback(cb), query(q), context(std::move(ctx)) {}
    RequestKind kind = RequestKind::kQuery;
    int64_t callback = 0;       // app command id (0: internal)
    Cmd query = Cmd::kUnknown;  // the query whose answer this is (kQuery requests)
    Json context;               // handler context (target, type...)
    std::string topic;
    int64_t local_id = 0;       // outbox entry for kSend
    int64_t deadline = 0;
  };
  struct OutboxEntry {
    int64_t seq = 0;              // queue order; names its stored key (not in to_json)
    int64_t local_id = 0;
    uint64_t client_unique_id = 0;
    int type = 1;
    std::string target_id;
    std::string object_name;
    std::string content;          // JSON text
    MessageFlags flags;
    bool mentioned = false;
    bool disable_notification = false;
    std::string push_content;
    std::string push_data;
    int64_t created_ms = 0;       // for give-up
    int64_t sent_time = 0;        // local estimate until PUBACK
    SentStatus state = kSending;
    uint16_t in_flight = 0;       // messageId while a PUBLISH is unanswered
    int64_t callback = 0;         // not persisted: a restart loses the app's callback
    Json to_json() const;
    static std::optional<OutboxEntry> from_json(const Json& j);
  };
  struct SyncCopy {               // dup=1 PUBLISH waiting for its PUBACK (§4.9)
    std::string topic;
    std::string target_id;
    std::string payload;
  };
  enum class ReconnectMode { kNone, kAuto, kRate, kOnce };

  // ---- helpers --------------------------------------------------------------------
  // Call sites pass literals: string_view and const char* parameters keep the string
  // construction in one place instead of at every call (it matters in the WASM size).
  void emit(Actions& out, const char* type, Json data);
  // A "log" event {"level", "message"}.
  void log(Actions& out, const char* level, const char* message);
  void log(Actions& out, const char* level, const std::string& message);
  void result(Actions& out, int64_t callback, ErrorCode code, Json data = nullptr);
  void result_code(Actions& out, int64_t callback, int code, Json data = nullptr);
  // A result whose data is {"message": message}: most failures.
  void fail(Actions& out, int64_t callback, ErrorCode code, const char* message);
  void fail(Actions& out, int64_t callback, ErrorCode code, const std::string& message);
  void fail_code(Actions& out, int64_t callback, int code, const char* message);
  void set_status(Actions& out, ConnectionStatus s);
  // Ends every input: writes what changed (once per input, however many messages the
  // input carried), emits one "conversation" event per touched conversation, and appends
  // SetTimer when the deadline moved.
  void finish(Actions& out);
  void flush(Actions& out);
  void touch(int type, const std::string& target) { dirty_conversations_.insert({type, target}); }
  std::string key(const std::string& name) const;
  void persist(Actions& out, const std::string& name, const std::string& value, bool erase = false);
  void persist_sync(Actions& out);
  void persist_seen(Actions& out);
  void forget(Actions& out, const std::string& name) { persist(out, name, std::string(), true); }
  // The outbox is stored one key per entry, "<prefix>outbox/<seq>.<messageId>", written as
  // the entry changes: queueing n messages writes n entries, not n ever longer lists.
  std::string pending_prefix() const;  // the user-less keys of what precedes a CONNACK
  void write_entry(Actions& out, const OutboxEntry& e, bool erase = false);
  // Queues `e` at the back of the outbox, under a new seq, and writes it.
  void enqueue(Actions& out, OutboxEntry e);
  // Queues `entries` again (new seqs, written under key()), each erased from its
  // key under `old_prefix`; an entry already queued is not queued twice.
  void requeue(Actions& out, const std::string& old_prefix, std::vector<OutboxEntry>& entries);
  // Reads one stored key: an entry ("outbox/<seq>.<messageId>") into `into`, the old
  // single "outbox" key's list into `legacy`; true for every name under "outbox" (a damaged
  // one is skipped), false for other keys.
  bool read_outbox_key(std::string_view name, const Json& value, std::vector<OutboxEntry>& into,
                       std::vector<OutboxEntry>& legacy);
  void take_pending_outbox(std::vector<OutboxEntry>& into, std::vector<OutboxEntry>& legacy);
  void persist_conversation(Actions& out, int type, const std::string& target);
  void persist_marks(Actions& out);
  void send_marks(Actions& out, int64_t now);
  void sync_conversations(Actions& out, int64_t now, int64_t callback, int count);
  void load_user_state(Actions& out, const std::string& user);
  int64_t server_now(int64_t now) const;

  // connecting
  void cmd_connect(Actions& out, int64_t now, const Json& cmd);
  void cmd_reconnect(Actions& out, int64_t now, const Json& cmd);
  void cmd_disconnect(Actions& out, int64_t now, bool logout, int64_t callback);
  void start_attempt(Actions& out, int64_t now);
  void attempt_failed(Actions& out, int64_t now, ErrorCode code);
  void close_attempt(Actions& out);
  void schedule_reconnect(Actions& out, int64_t now);
  void on_connack(Actions& out, int64_t now, uint32_t conn, const codec::ConnAck& ack);
  void link_lost(Actions& out, int64_t now, bool reconnect);
  std::string connect_url(const std::string& host, TransportKind kind, const std::string& pid) const;

  // frames
  void send_frame(Actions& out, const codec::ClientFrame& frame);
  void on_server_frame(Actions& out, int64_t now, const codec::ServerFrame& frame);
  void on_publish(Actions& out, int64_t now, const codec::ServerPublish& p);
  void on_puback(Actions& out, int64_t now, const codec::ServerPubAck& a);
  void on_queryack(Actions& out, int64_t now, const codec::QueryAck& q);
  void on_disconnect_frame(Actions& out, int64_t now, uint8_t status);
  uint16_t send_request(Actions& out, int64_t now, bool publish, std::string_view topic,
                        const std::string& target, const std::string& payload, Pending pending);
  uint16_t allocate_message_id();
  void fail_pending_queries(Actions& out, ErrorCode code);

  // heartbeat, pulls
  void check_link(Actions& out, int64_t now);  // on_network_online / on_visible
  void send_ping(Actions& out, int64_t now, int64_t timeout);
  void pull(Actions& out, int64_t now);
  void on_pull_result(Actions& out, int64_t now, const std::string& payload);

  // receiving
  void deliver(Actions& out, int64_t now, Json message, bool from_pull);

  // sending
  void cmd_send(Actions& out, int64_t now, const Json& cmd);
  void cmd_resend(Actions& out, int64_t now, const Json& cmd);
  void cmd_recall(Actions& out, int64_t now, const Json& cmd);
  void on_recall_ack(Actions& out, int64_t now, const Pending& p, const codec::ServerPubAck& a);
  void pump_outbox(Actions& out, int64_t now, const OutboxEntry* only = nullptr);
  void transmit(Actions& out, int64_t now, OutboxEntry& e);
  Json outbox_message(const OutboxEntry& e) const;
  OutboxEntry* find_outbox(int64_t local_id);

  // queries and local calls
  void cmd_query(Actions& out, int64_t now, Cmd name, const Json& cmd);
  void on_query_result(Actions& out, int64_t now, const Pending& p, const codec::QueryAck& q);
  bool cmd_local(Actions& out, int64_t now, Cmd name, const Json& cmd);

  // ---- state ----------------------------------------------------------------------
  SessionConfig config_;
  Rng rng_;
  // As restored: full key -> value text. A Json object rather than a std::map: the wasm
  // gets it parsed as one, and carries no map<string, string> code for it.
  Json persisted_ = Json::object();

  ConnectionStatus status_ = ConnectionStatus::kDisconnected;
  std::string token_;
  std::vector<std::string> hosts_;
  bool secure_ = false;
  TransportKind transport_ = TransportKind::kWebSocket;
  std::string comet_pid_;

  uint32_t next_conn_ = 0;
  // Racing connect attempts, oldest first (conn numbers only grow). A vector: there are
  // at most a few, and a std::set<uint32_t> would be one more tree in the wasm.
  std::vector<uint32_t> attempt_conns_;
  bool is_attempt(uint32_t conn) const;
  bool drop_attempt(uint32_t conn);  // true if it was one
  int64_t attempt_deadline_ = -1;
  int64_t connect_callback_ = 0;       // connect() or reconnect() waiting for the outcome
  bool ever_connected_ = false;        // this Session has had a CONNACK
  uint32_t live_conn_ = 0;
  TransportKind live_kind_ = TransportKind::kWebSocket;

  ReconnectMode reconnect_mode_ = ReconnectMode::kAuto;
  std::vector<int64_t> reconnect_rate_;
  size_t reconnect_attempt_ = 0;
  int64_t reconnect_at_ = -1;
  bool reconnect_allowed_ = false;     // false after kick/block/logout/app disconnect

  std::string user_id_;
  std::string loaded_user_;
  int64_t connected_time_ = 0;         // CONNACK timestamp
  int64_t local_connect_time_ = 0;

  // heartbeat
  int64_t next_ping_at_ = -1;
  int64_t pong_deadline_ = -1;
  int ping_misses_ = 0;

  // requests
  uint16_t last_message_id_ = 0;
  std::map<uint16_t, Pending> pending_;
  std::map<uint16_t, SyncCopy> sync_copies_;

  // sync
  int64_t inbox_time_ = 0;
  int64_t outbox_time_ = 0;
  bool pull_in_flight_ = false;
  bool pull_again_ = false;
  bool unconfirmed_pulls_ = false;  // pulls sent with confirmsAnswer, not yet confirmed
  int64_t notified_time_ = 0;
  int64_t next_pull_at_ = -1;

  store::DedupeSet seen_;
  size_t seen_written_end_ = 0;  // seen_.end_number() when its blocks were last written
  size_t seen_first_block_ = 0;  // the oldest block that may still be stored
  bool seen_legacy_ = false;       // loaded from the old single "seen" key: erase it
  std::vector<OutboxEntry> outbox_;  // a vector: nothing keeps a pointer across a push
  int64_t outbox_seq_ = 0;           // the newest entry's seq
  store::ConversationStore conversations_;
  // Joined chatrooms (re-joined after a reconnect), each with the syncTime of its last
  // chrmPull answer: the next pull asks for what came after it, so a busy room loses
  // nothing between notifications. A Json object (room -> syncTime) rather than a set and
  // a map: the wasm has the object code anyway.
  Json chatrooms_ = Json::object();
  void pull_chatroom(Actions& out, int64_t now, const std::string& room);

  // Read marks (clearUnreadCount) the server has not acknowledged yet: re-sent until it
  // does, so its unread counts cannot drift from ours. Persisted.
  std::map<store::ConversationKey, int64_t> pending_marks_;
  std::set<store::ConversationKey> marks_in_flight_;
  // While a qryRelationR is answered, counted messages delivered meanwhile: the server's
  // snapshot may predate them, so they are added to its counts (exact, not a guess).
  bool relation_sync_in_flight_ = false;
  std::vector<std::pair<store::ConversationKey, int64_t>> counted_during_relation_sync_;

  int64_t last_deadline_ = -2;

  // What changed during the current input, written out by flush().
  bool dirty_sync_ = false, dirty_seen_ = false, dirty_marks_ = false;
  std::set<store::ConversationKey> dirty_conversations_;
};

}  // namespace parley::session
