// Storage on SQLite: WAL journal, one connection, prepared statements cached, schema
// versioned by PRAGMA user_version with forward-only migrations.
//
// Durability: append_message commits before it returns and the hub sends the PUBACK only
// after that. With synchronous=FULL (default) the WAL is fsynced at every commit; with
// NORMAL the commit is in the OS page cache, which survives kill -9 of the server but not
// a power loss. See Durability in config.h.
//
// Not thread-safe: the server calls it from its one I/O thread.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "storage/storage.h"

struct sqlite3;
struct sqlite3_stmt;

namespace parley::server::storage {

class SqliteStorage final : public Storage {
 public:
  struct Options {
    std::string path;              // a file, or ":memory:" (tests)
    bool synchronous_full = true;  // false: synchronous=NORMAL
  };

  // Opens (creating if needed) and migrates to the current schema version.
  static Result<std::unique_ptr<SqliteStorage>> open(const Options& options);
  static constexpr int kSchemaVersion = 2;

  ~SqliteStorage() override;
  SqliteStorage(const SqliteStorage&) = delete;
  SqliteStorage& operator=(const SqliteStorage&) = delete;

  int schema_version();
  std::string journal_mode();

  Result<int64_t> clock_high_water_mark() override;
  Status upsert_user(const UserRecord& user) override;
  Status ensure_user(std::string_view app_key, std::string_view user_id, int64_t now_ms) override;
  Result<std::optional<UserRecord>> find_user(std::string_view app_key, std::string_view user_id) override;
  Result<int64_t> append_message(const NewMessage& message) override;
  Result<std::optional<MessageRecord>> find_message_by_client_id(std::string_view app_key,
                                                                std::string_view sender_id,
                                                                int64_t client_unique_id) override;
  Result<SyncPage> fetch_sync(const SyncRequest& request) override;
  Result<HistoryPage> fetch_history(const HistoryRequest& request) override;
  Result<std::vector<ConversationRecord>> list_conversations(const ConversationQuery& query) override;
  Result<std::optional<ConversationRecord>> find_conversation(const ConversationKey& key) override;
  Status hide_conversation(const ConversationKey& key) override;
  Status mark_conversation_read(const ConversationKey& key, int64_t read_ms) override;
  Status delete_user_messages(const ConversationKey& key, const std::vector<std::string>& msg_uids) override;
  Status clear_user_history(const ConversationKey& key, int64_t up_to_ms) override;
  Status set_conversation_state(const ConversationKey& key, const ConversationState& state) override;
  Result<std::vector<ConversationState>> conversation_states_since(std::string_view app_key,
                                                                   std::string_view owner_id,
                                                                   int64_t after_version) override;
  Result<SyncPosition> sync_position(std::string_view app_key, std::string_view user_id) override;
  Status advance_sync_position(std::string_view app_key, std::string_view user_id,
                               const SyncPosition& position) override;

  Result<std::optional<MessageRecord>> find_message(std::string_view app_key, std::string_view msg_uid) override;
  Result<std::vector<MailboxEntry>> message_audience(int64_t message_id) override;
  Result<bool> mark_recalled(int64_t message_id, int64_t recalled_ms) override;

  Status upsert_group(const GroupRecord& group) override;
  Result<std::optional<GroupRecord>> find_group(std::string_view app_key, std::string_view group_id) override;
  Status add_group_members(std::string_view app_key, std::string_view group_id,
                           const std::vector<std::string>& user_ids, int64_t now_ms) override;
  Status remove_group_members(std::string_view app_key, std::string_view group_id,
                              const std::vector<std::string>& user_ids) override;
  Status delete_group(std::string_view app_key, std::string_view group_id) override;
  Result<std::vector<GroupMember>> group_members(std::string_view app_key, std::string_view group_id) override;
  Result<bool> is_group_member(std::string_view app_key, std::string_view group_id,
                               std::string_view user_id) override;
  Result<bool> add_group_read(int64_t message_id, std::string_view user_id, int64_t read_ms) override;
  Result<std::vector<GroupRead>> group_reads(int64_t message_id) override;

  Status append_chatroom_message(const MessageRecord& message, int keep_last) override;
  Result<ChatroomPage> fetch_chatroom(const ChatroomQuery& query) override;
  Result<std::vector<MessageRecord>> chatroom_history(std::string_view app_key, std::string_view room_id,
                                                      int64_t boundary_ms, bool newer, int limit,
                                                      bool* has_more) override;

  Status add_to_blacklist(std::string_view app_key, std::string_view owner_id,
                          const std::vector<std::string>& user_ids, int64_t now_ms) override;
  Status remove_from_blacklist(std::string_view app_key, std::string_view owner_id,
                               const std::vector<std::string>& user_ids) override;
  Result<std::vector<std::string>> blacklist(std::string_view app_key, std::string_view owner_id) override;
  Result<bool> is_blacklisted(std::string_view app_key, std::string_view owner_id, std::string_view user_id) override;

  Status block_user(std::string_view app_key, std::string_view user_id, int64_t until_ms) override;
  Status unblock_user(std::string_view app_key, std::string_view user_id) override;
  Result<int64_t> blocked_until(std::string_view app_key, std::string_view user_id, int64_t now_ms) override;
  Result<std::vector<std::pair<std::string, int64_t>>> blocked_users(std::string_view app_key,
                                                                     int64_t now_ms) override;

 private:
  class Query;
  class Transaction;

  explicit SqliteStorage(sqlite3* db) : db_(db) {}
  Status exec(const char* sql);
  Status migrate();
  Result<Query> query(const char* sql);
  // Row readers: the columns of PARLEY_MESSAGE_COLUMNS / PARLEY_USER_MESSAGE_COLUMNS, by index.
  static MessageRecord read_message(const Query& row);
  static UserMessage read_user_message(const Query& row);
  // Inserts the message row, as a message of this conversation type; returns its id.
  Result<int64_t> insert_message(const MessageRecord& message, ConversationType type);
  // One transaction: sql per user id (?1 app_key, ?2 owner_id, ?3 the user, ?4 now_ms if given).
  Status for_each_user(const char* sql, std::string_view app_key, std::string_view owner_id,
                       const std::vector<std::string>& user_ids, std::optional<int64_t> now_ms = std::nullopt);
  // One transaction: sql per value (?1..?4 the key, ?5 the value), then refresh_conversation.
  template <typename Value>
  Status change_conversation(const ConversationKey& key, const char* sql, const std::vector<Value>& values);
  Status refresh_conversation(const ConversationKey& key);
  // mark_recalled inside the caller's transaction.
  Result<bool> mark_recalled_locked(int64_t message_id, int64_t recalled_ms);
  Result<std::optional<UserMessage>> latest_message(const ConversationKey& key);
  Error sqlite_error(const char* what);

  sqlite3* db_;
  // Keyed by the SQL literal's address: every statement text is a string literal.
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace parley::server::storage
