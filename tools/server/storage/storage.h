// What imserver keeps, behind an interface so a second backend (issue 6 and later) can
// replace SQLite without touching the protocol logic.
//
// Model: a message is stored once (`MessageRecord`); every user who sees it gets a mailbox
// row (`MailboxEntry`) saying in which of *their* conversations it is and whether they
// sent or received it (a group message: one row per member). Sync (pullMsg) walks a user's
// mailbox by time; history walks one conversation of it; deleting or clearing history
// removes that user's rows only. A recalled message stays, marked (`recalled_ms`).
// Chatroom messages have no mailboxes: each room keeps its last N messages and members
// read them by time. Groups, their members, group read receipts, blacklists and blocked
// users are plain tables. Message times are unique per server (the hub's MessageClock),
// so a time is a position.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace parley::server::storage {

// Conversation types as on the wire (ChannelType / the SDK's ConversationType).
enum class ConversationType : int {
  kPrivate = 1,
  kDiscussion = 2,
  kGroup = 3,
  kChatroom = 4,
  kCustomerService = 5,
  kSystem = 6,
};

enum class Direction : int { kSent = 1, kReceived = 2 };

// DownStreamMessage.status bits (PROTOCOL.md §4.6) as stored with each message.
inline constexpr int64_t kStatusRetrieved = 2;
inline constexpr int64_t kStatusPersisted = 16;
inline constexpr int64_t kStatusCounted = 32;
inline constexpr int64_t kStatusMentioned = 64;
inline constexpr int64_t kStatusDisableNotification = 512;
inline constexpr int64_t kStatusCanIncludeExpansion = 1024;

struct UserRecord {
  std::string app_key;
  std::string user_id;
  std::string name;
  std::string portrait_uri;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

struct MessageRecord {
  int64_t id = 0;  // assigned by append_message
  std::string app_key;
  std::string msg_uid;
  int64_t sent_ms = 0;
  ConversationType conversation_type = ConversationType::kPrivate;
  std::string sender_id;
  std::string target_id;  // as addressed by the sender: the peer's user id, or a group id
  std::string classname;
  std::string content;    // bytes (JSON text for every built-in type)
  int64_t status_flags = 0;
  int32_t config_flag = 0;
  std::string push_content;
  std::string app_data;
  std::string extra_content;
  std::string push_ext;   // serialized PushExtra, empty when absent
  std::optional<int64_t> client_unique_id;
  int64_t recalled_ms = 0;  // when its sender recalled it; 0: not recalled
};

// One user's copy of a message.
struct MailboxEntry {
  MailboxEntry() = default;
  MailboxEntry(std::string user, Direction dir, ConversationType type, std::string peer,
               std::optional<int64_t> flags = std::nullopt)
      : user_id(std::move(user)), direction(dir), conversation_type(type), peer_id(std::move(peer)),
        status_flags(flags) {}

  std::string user_id;
  Direction direction = Direction::kReceived;
  ConversationType conversation_type = ConversationType::kPrivate;
  std::string peer_id;  // the conversation's target in this user's view
  // This user's status bits when they differ from the message's (a group message that
  // mentions this user carries kStatusMentioned in the copies of the mentioned only).
  std::optional<int64_t> status_flags;
};

// The effect of a new persisted message on one user's conversation list.
struct ConversationTouch {
  std::string owner_id;
  ConversationType conversation_type = ConversationType::kPrivate;
  std::string target_id;
  bool add_unread = false;
};

struct NewMessage {
  MessageRecord message;
  std::vector<MailboxEntry> mailboxes;
  std::vector<ConversationTouch> conversations;
  // A recall command (RC:RcCmd) marks the message it recalls in the same transaction, as
  // mark_recalled does.
  int64_t recalls_message_id = 0;
};

// A message as one user sees it. message.status_flags are this user's (MailboxEntry).
struct UserMessage {
  MessageRecord message;
  Direction direction = Direction::kReceived;
  ConversationType conversation_type = ConversationType::kPrivate;
  std::string peer_id;
};

struct SyncRequest {
  std::string app_key;
  std::string user_id;
  int64_t received_after_ms = 0;  // inbox position
  bool include_sent = true;       // SyncRequestMsg.isPullSend
  int64_t sent_after_ms = 0;      // outbox position
  int limit = 200;
};

struct SyncPage {
  std::vector<UserMessage> messages;  // oldest first
  bool has_more = false;
};

struct ConversationKey {
  std::string app_key;
  std::string owner_id;
  ConversationType conversation_type = ConversationType::kPrivate;
  std::string target_id;
};

struct HistoryRequest {
  ConversationKey conversation;
  int64_t boundary_ms = 0;  // 0: from the newest
  bool newer = false;       // false: messages before boundary; true: after it
  int limit = 20;
};

struct HistoryPage {
  std::vector<UserMessage> messages;  // newest first, as qryPMsg answers
  bool has_more = false;
};

struct ConversationRecord {
  ConversationType conversation_type = ConversationType::kPrivate;
  std::string target_id;
  int64_t last_ms = 0;
  int64_t unread_count = 0;
  int64_t read_ms = 0;
  bool is_top = false;
  bool is_silent = false;
  int64_t state_version = 0;
  std::optional<UserMessage> latest;  // newest persisted message still visible to the owner
};

struct ConversationQuery {
  std::string app_key;
  std::string owner_id;
  int64_t before_ms = 0;  // 0: from the most recent conversation
  int limit = 100;
};

struct ConversationState {
  ConversationType conversation_type = ConversationType::kPrivate;
  std::string target_id;
  std::optional<bool> is_top;     // unset: unchanged
  std::optional<bool> is_silent;  // unset: unchanged
  int64_t version = 0;
};

// Where a user's devices have got to, for a device that starts without a position of its
// own (a new browser): received messages up to inbox_ms and own messages up to outbox_ms
// have been seen by some device and are history, not news.
struct SyncPosition {
  int64_t inbox_ms = 0;
  int64_t outbox_ms = 0;
};

struct GroupRecord {
  std::string app_key;
  std::string group_id;
  std::string name;
  int64_t created_ms = 0;
};

struct GroupMember {
  std::string user_id;
  int64_t joined_ms = 0;
};

// A page of one chatroom's messages (the room's own bounded history, no mailboxes).
struct ChatroomQuery {
  std::string app_key;
  std::string room_id;
  int64_t after_ms = 0;   // messages strictly after this time, oldest first...
  bool latest = false;    // ...or, when set, the newest `limit` ones (still oldest first)
  int limit = 10;
};

struct ChatroomPage {
  std::vector<MessageRecord> messages;  // oldest first
  bool has_more = false;                // more after the last one (after_ms queries)
};

// A user reading a group message (group read receipts, navi grpRRVer 1).
struct GroupRead {
  std::string user_id;
  int64_t read_ms = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // The largest time this store has seen (message times, state versions): the hub's clock
  // starts above it, so times stay unique across restarts even if the wall clock steps back.
  virtual Result<int64_t> clock_high_water_mark() = 0;

  virtual Status upsert_user(const UserRecord& user) = 0;  // keeps created_ms of an existing user
  virtual Status ensure_user(std::string_view app_key, std::string_view user_id, int64_t now_ms) = 0;
  virtual Result<std::optional<UserRecord>> find_user(std::string_view app_key, std::string_view user_id) = 0;

  // Stores the message, its mailbox rows and conversation updates in one transaction;
  // durable (per the configured synchronous mode) when it returns. The sender's outbox
  // position moves up to the message (the sender has seen it). Returns the row id, or 0
  // (and stores nothing) when recalls_message_id names a message already recalled.
  virtual Result<int64_t> append_message(const NewMessage& message) = 0;
  virtual Result<std::optional<MessageRecord>> find_message_by_client_id(std::string_view app_key,
                                                                        std::string_view sender_id,
                                                                        int64_t client_unique_id) = 0;

  virtual Result<SyncPage> fetch_sync(const SyncRequest& request) = 0;
  virtual Result<HistoryPage> fetch_history(const HistoryRequest& request) = 0;

  virtual Result<std::vector<ConversationRecord>> list_conversations(const ConversationQuery& query) = 0;
  virtual Result<std::optional<ConversationRecord>> find_conversation(const ConversationKey& key) = 0;
  // Hides the conversation from the list until its next message (delRelation).
  virtual Status hide_conversation(const ConversationKey& key) = 0;
  // Everything received up to read_ms is read; the unread count is recounted.
  virtual Status mark_conversation_read(const ConversationKey& key, int64_t read_ms) = 0;
  // Removes the owner's copies of these messages (delMsg); other users keep theirs.
  virtual Status delete_user_messages(const ConversationKey& key, const std::vector<std::string>& msg_uids) = 0;
  // Removes the owner's copies up to and including before_ms (cleanPMsg).
  virtual Status clear_user_history(const ConversationKey& key, int64_t up_to_ms) = 0;

  virtual Status set_conversation_state(const ConversationKey& key, const ConversationState& state) = 0;
  virtual Result<std::vector<ConversationState>> conversation_states_since(std::string_view app_key,
                                                                           std::string_view owner_id,
                                                                           int64_t after_version) = 0;

  virtual Result<SyncPosition> sync_position(std::string_view app_key, std::string_view user_id) = 0;
  // Moves the stored positions forward (never back).
  virtual Status advance_sync_position(std::string_view app_key, std::string_view user_id,
                                       const SyncPosition& position) = 0;

  // ---- messages by UID, recall ----
  virtual Result<std::optional<MessageRecord>> find_message(std::string_view app_key, std::string_view msg_uid) = 0;
  // Every user holding a copy of the message (its mailbox rows).
  virtual Result<std::vector<MailboxEntry>> message_audience(int64_t message_id) = 0;
  // Marks the message recalled (once: false when it already was). Its copies stop counting
  // as unread; the unread counts of the conversations holding it are recounted.
  virtual Result<bool> mark_recalled(int64_t message_id, int64_t recalled_ms) = 0;

  // ---- groups (RongCloud server API: create, join, quit, dismiss, query) ----
  // Creates the group or renames it (an empty name keeps the old one).
  virtual Status upsert_group(const GroupRecord& group) = 0;
  virtual Result<std::optional<GroupRecord>> find_group(std::string_view app_key, std::string_view group_id) = 0;
  // Adds members (already present ones keep their join time).
  virtual Status add_group_members(std::string_view app_key, std::string_view group_id,
                                   const std::vector<std::string>& user_ids, int64_t now_ms) = 0;
  virtual Status remove_group_members(std::string_view app_key, std::string_view group_id,
                                      const std::vector<std::string>& user_ids) = 0;
  // Dismiss: the group and its memberships go; members keep their history.
  virtual Status delete_group(std::string_view app_key, std::string_view group_id) = 0;
  // Members in join order.
  virtual Result<std::vector<GroupMember>> group_members(std::string_view app_key, std::string_view group_id) = 0;
  virtual Result<bool> is_group_member(std::string_view app_key, std::string_view group_id,
                                       std::string_view user_id) = 0;
  // Records that user read a group message; false when it had already.
  virtual Result<bool> add_group_read(int64_t message_id, std::string_view user_id, int64_t read_ms) = 0;
  virtual Result<std::vector<GroupRead>> group_reads(int64_t message_id) = 0;

  // ---- chatrooms: each room keeps its last `keep_last` messages ----
  virtual Status append_chatroom_message(const MessageRecord& message, int keep_last) = 0;
  virtual Result<ChatroomPage> fetch_chatroom(const ChatroomQuery& query) = 0;
  // History (qryCHMsg): persisted messages, newest first, like fetch_history.
  virtual Result<std::vector<MessageRecord>> chatroom_history(std::string_view app_key, std::string_view room_id,
                                                              int64_t boundary_ms, bool newer, int limit,
                                                              bool* has_more) = 0;

  // ---- blacklists: owner refuses private messages from the listed users ----
  virtual Status add_to_blacklist(std::string_view app_key, std::string_view owner_id,
                                  const std::vector<std::string>& user_ids, int64_t now_ms) = 0;
  virtual Status remove_from_blacklist(std::string_view app_key, std::string_view owner_id,
                                       const std::vector<std::string>& user_ids) = 0;
  virtual Result<std::vector<std::string>> blacklist(std::string_view app_key, std::string_view owner_id) = 0;
  virtual Result<bool> is_blacklisted(std::string_view app_key, std::string_view owner_id,
                                      std::string_view user_id) = 0;

  // ---- blocked users (/user/block.json): no connection until the time ----
  virtual Status block_user(std::string_view app_key, std::string_view user_id, int64_t until_ms) = 0;
  virtual Status unblock_user(std::string_view app_key, std::string_view user_id) = 0;
  // 0 when not blocked (or the block has run out by now_ms).
  virtual Result<int64_t> blocked_until(std::string_view app_key, std::string_view user_id, int64_t now_ms) = 0;
  virtual Result<std::vector<std::pair<std::string, int64_t>>> blocked_users(std::string_view app_key,
                                                                             int64_t now_ms) = 0;
};

}  // namespace parley::server::storage
