// SqliteStorage: schema and migrations, users, messages and mailboxes, sync pages and
// positions, history, conversations, and that a committed message survives a crash.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "storage/sqlite_storage.h"

namespace parley::server::storage {
namespace {

constexpr const char* kApp = "app";

std::unique_ptr<SqliteStorage> open_memory() {
  auto s = SqliteStorage::open({":memory:", true});
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return std::move(s.value());
}

// A private message from -> to at time t, with mailbox rows and conversation touches as
// the hub makes them.
NewMessage private_message(const std::string& from, const std::string& to, int64_t t, bool persisted = true,
                           bool counted = true, std::optional<int64_t> client_id = std::nullopt) {
  NewMessage nm;
  auto& m = nm.message;
  m.app_key = kApp;
  m.msg_uid = "UID-" + std::to_string(t);
  m.sent_ms = t;
  m.sender_id = from;
  m.target_id = to;
  m.classname = "RC:TxtMsg";
  m.content = "{\"content\":\"m" + std::to_string(t) + "\"}";
  m.status_flags = (persisted ? kStatusPersisted : 0) | (counted ? kStatusCounted : 0);
  m.client_unique_id = client_id;
  nm.mailboxes.push_back({from, Direction::kSent, ConversationType::kPrivate, to});
  nm.mailboxes.push_back({to, Direction::kReceived, ConversationType::kPrivate, from});
  if (persisted) {
    nm.conversations.push_back({from, ConversationType::kPrivate, to, false});
    nm.conversations.push_back({to, ConversationType::kPrivate, from, counted});
  }
  return nm;
}

ConversationKey conv(const std::string& owner, const std::string& target) {
  return {kApp, owner, ConversationType::kPrivate, target};
}

// A fresh temporary directory for database files, removed with its contents.
class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              ("parley-storage-test-" + std::to_string(::getpid()) + "-" + std::to_string(next_++))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int next_ = 0;
  std::filesystem::path path_;
};

TEST(SqliteStorage, CreatesCurrentSchemaInWalMode) {
  const TempDir dir;
  const auto path = dir.file("schema.db");
  auto s = SqliteStorage::open({path, true});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s.value()->schema_version(), SqliteStorage::kSchemaVersion);
  EXPECT_EQ(s.value()->journal_mode(), "wal");
}

TEST(SqliteStorage, ReopeningKeepsDataAndVersion) {
  const TempDir dir;
  const auto path = dir.file("reopen.db");
  {
    auto s = SqliteStorage::open({path, true});
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(s.value()->append_message(private_message("a", "b", 1000)).ok());
  }
  auto s = SqliteStorage::open({path, true});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value()->schema_version(), SqliteStorage::kSchemaVersion);
  EXPECT_EQ(s.value()->clock_high_water_mark().value(), 1000);
}

TEST(SqliteStorage, RefusesADatabaseFromANewerServer) {
  const TempDir dir;
  const auto path = dir.file("newer.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto s = SqliteStorage::open({path, true});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("newer"), std::string::npos);
}

TEST(SqliteStorage, UsersUpsertKeepsCreationTime) {
  auto s = open_memory();
  ASSERT_TRUE(s->upsert_user({kApp, "u1", "One", "http://p/1", 100, 100}).ok());
  ASSERT_TRUE(s->upsert_user({kApp, "u1", "Uno", "", 200, 200}).ok());
  ASSERT_TRUE(s->ensure_user(kApp, "u1", 300).ok());  // does not touch an existing user
  auto u = s->find_user(kApp, "u1");
  ASSERT_TRUE(u.ok() && u.value());
  EXPECT_EQ(u.value()->name, "Uno");
  EXPECT_EQ(u.value()->portrait_uri, "");
  EXPECT_EQ(u.value()->created_ms, 100);
  EXPECT_EQ(u.value()->updated_ms, 200);
  ASSERT_TRUE(s->ensure_user(kApp, "u2", 300).ok());
  EXPECT_TRUE(s->find_user(kApp, "u2").value().has_value());
  EXPECT_FALSE(s->find_user("other-app", "u1").value().has_value());
}

TEST(SqliteStorage, SyncReturnsReceivedAndSentInTimeOrder) {
  auto s = open_memory();
  ASSERT_TRUE(s->append_message(private_message("a", "b", 10)).ok());
  ASSERT_TRUE(s->append_message(private_message("b", "a", 20)).ok());
  ASSERT_TRUE(s->append_message(private_message("a", "b", 30)).ok());

  auto page = s->fetch_sync({kApp, "b", 0, true, 0, 10});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page.value().messages.size(), 3u);
  EXPECT_FALSE(page.value().has_more);
  const auto& m = page.value().messages;
  EXPECT_EQ(m[0].message.sent_ms, 10);
  EXPECT_EQ(m[0].direction, Direction::kReceived);
  EXPECT_EQ(m[0].peer_id, "a");
  EXPECT_EQ(m[1].message.sent_ms, 20);
  EXPECT_EQ(m[1].direction, Direction::kSent);
  EXPECT_EQ(m[1].peer_id, "a");
  EXPECT_EQ(m[2].message.content, "{\"content\":\"m30\"}");

  // Without the outbox, and from positions.
  page = s->fetch_sync({kApp, "b", 10, false, 0, 10});
  ASSERT_EQ(page.value().messages.size(), 1u);
  EXPECT_EQ(page.value().messages[0].message.sent_ms, 30);
  page = s->fetch_sync({kApp, "b", 10, true, 20, 10});
  ASSERT_EQ(page.value().messages.size(), 1u);
  EXPECT_EQ(page.value().messages[0].message.sent_ms, 30);
}

TEST(SqliteStorage, SyncPagesSayWhetherMoreRemain) {
  auto s = open_memory();
  for (int64_t t = 1; t <= 5; ++t) ASSERT_TRUE(s->append_message(private_message(t % 2 ? "a" : "b", t % 2 ? "b" : "a", t)).ok());
  std::vector<int64_t> seen;
  int64_t received_after = 0, sent_after = 0;
  for (int round = 0; round < 5; ++round) {
    auto page = s->fetch_sync({kApp, "b", received_after, true, sent_after, 2});
    ASSERT_TRUE(page.ok());
    for (const auto& um : page.value().messages) {
      seen.push_back(um.message.sent_ms);
      received_after = std::max(received_after, um.message.sent_ms);
      if (um.direction == Direction::kSent) sent_after = um.message.sent_ms;
    }
    // As the official client keeps them: inbox = the page's last time, outbox = the last
    // own message seen.
    if (!page.value().has_more) break;
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 3, 4, 5}));
}

TEST(SqliteStorage, SendingMovesTheSendersOutboxPosition) {
  auto s = open_memory();
  ASSERT_TRUE(s->append_message(private_message("a", "b", 10)).ok());
  EXPECT_EQ(s->sync_position(kApp, "a").value().outbox_ms, 10);
  EXPECT_EQ(s->sync_position(kApp, "a").value().inbox_ms, 0);
  EXPECT_EQ(s->sync_position(kApp, "b").value().outbox_ms, 0) << "the receiver has not seen it";
}

TEST(SqliteStorage, SyncPositionsOnlyMoveForward) {
  auto s = open_memory();
  EXPECT_EQ(s->sync_position(kApp, "u").value().inbox_ms, 0);
  ASSERT_TRUE(s->advance_sync_position(kApp, "u", {100, 50}).ok());
  ASSERT_TRUE(s->advance_sync_position(kApp, "u", {90, 70}).ok());
  const auto p = s->sync_position(kApp, "u").value();
  EXPECT_EQ(p.inbox_ms, 100);
  EXPECT_EQ(p.outbox_ms, 70);
  EXPECT_EQ(s->sync_position(kApp, "other").value().outbox_ms, 0);
}

TEST(SqliteStorage, HistoryIsNewestFirstWithPagingAndSkipsUnpersisted) {
  auto s = open_memory();
  for (int64_t t = 1; t <= 5; ++t) ASSERT_TRUE(s->append_message(private_message("a", "b", t * 10)).ok());
  ASSERT_TRUE(s->append_message(private_message("a", "b", 60, /*persisted=*/false, false)).ok());

  auto page = s->fetch_history({conv("b", "a"), 0, false, 2});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page.value().messages.size(), 2u);
  EXPECT_EQ(page.value().messages[0].message.sent_ms, 50);
  EXPECT_EQ(page.value().messages[1].message.sent_ms, 40);
  EXPECT_TRUE(page.value().has_more);

  page = s->fetch_history({conv("b", "a"), 40, false, 2});
  ASSERT_EQ(page.value().messages.size(), 2u);
  EXPECT_EQ(page.value().messages[0].message.sent_ms, 30);
  EXPECT_TRUE(page.value().has_more);
  page = s->fetch_history({conv("b", "a"), 20, false, 2});
  ASSERT_EQ(page.value().messages.size(), 1u);
  EXPECT_FALSE(page.value().has_more);

  // Forward from a time: still newest first, the oldest ones after the boundary.
  page = s->fetch_history({conv("a", "b"), 10, true, 2});
  ASSERT_EQ(page.value().messages.size(), 2u);
  EXPECT_EQ(page.value().messages[0].message.sent_ms, 30);
  EXPECT_EQ(page.value().messages[1].message.sent_ms, 20);
  EXPECT_TRUE(page.value().has_more);
}

TEST(SqliteStorage, ConversationsCountUnreadAndRecountOnRead) {
  auto s = open_memory();
  ASSERT_TRUE(s->append_message(private_message("a", "b", 10)).ok());
  ASSERT_TRUE(s->append_message(private_message("a", "b", 20)).ok());
  ASSERT_TRUE(s->append_message(private_message("c", "b", 25)).ok());
  ASSERT_TRUE(s->append_message(private_message("a", "b", 30, true, /*counted=*/false)).ok());
  ASSERT_TRUE(s->append_message(private_message("b", "a", 40)).ok());  // own message: not unread

  auto list = s->list_conversations({kApp, "b", 0, 10});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list.value().size(), 2u);
  EXPECT_EQ(list.value()[0].target_id, "a");  // most recent first
  EXPECT_EQ(list.value()[0].unread_count, 2);
  EXPECT_EQ(list.value()[0].last_ms, 40);
  ASSERT_TRUE(list.value()[0].latest.has_value());
  EXPECT_EQ(list.value()[0].latest->message.sent_ms, 40);
  EXPECT_EQ(list.value()[0].latest->direction, Direction::kSent);
  EXPECT_EQ(list.value()[1].target_id, "c");
  EXPECT_EQ(list.value()[1].unread_count, 1);

  ASSERT_TRUE(s->mark_conversation_read(conv("b", "a"), 10).ok());
  EXPECT_EQ(s->find_conversation(conv("b", "a")).value()->unread_count, 1);
  EXPECT_EQ(s->find_conversation(conv("b", "a")).value()->read_ms, 10);
  ASSERT_TRUE(s->mark_conversation_read(conv("b", "a"), 5).ok());  // never backwards
  EXPECT_EQ(s->find_conversation(conv("b", "a")).value()->read_ms, 10);
  ASSERT_TRUE(s->mark_conversation_read(conv("b", "a"), 40).ok());
  EXPECT_EQ(s->find_conversation(conv("b", "a")).value()->unread_count, 0);

  // Paging by time.
  list = s->list_conversations({kApp, "b", 40, 10});
  ASSERT_EQ(list.value().size(), 1u);
  EXPECT_EQ(list.value()[0].target_id, "c");
}

TEST(SqliteStorage, HiddenConversationComesBackWithTheNextMessage) {
  auto s = open_memory();
  ASSERT_TRUE(s->append_message(private_message("a", "b", 10)).ok());
  ASSERT_TRUE(s->hide_conversation(conv("b", "a")).ok());
  EXPECT_TRUE(s->list_conversations({kApp, "b", 0, 10}).value().empty());
  EXPECT_FALSE(s->find_conversation(conv("b", "a")).value().has_value());
  EXPECT_EQ(s->list_conversations({kApp, "a", 0, 10}).value().size(), 1u);  // a's view untouched
  ASSERT_TRUE(s->append_message(private_message("a", "b", 20)).ok());
  auto list = s->list_conversations({kApp, "b", 0, 10}).value();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].unread_count, 2);
}

TEST(SqliteStorage, DeletingAndClearingTouchOnlyTheOwnersCopies) {
  auto s = open_memory();
  for (int64_t t = 1; t <= 4; ++t) ASSERT_TRUE(s->append_message(private_message("a", "b", t * 10)).ok());
  ASSERT_TRUE(s->delete_user_messages(conv("b", "a"), {"UID-40", "UID-nonexistent"}).ok());
  auto b_view = s->fetch_history({conv("b", "a"), 0, false, 10}).value();
  ASSERT_EQ(b_view.messages.size(), 3u);
  EXPECT_EQ(b_view.messages[0].message.sent_ms, 30);
  EXPECT_EQ(s->find_conversation(conv("b", "a")).value()->unread_count, 3);
  EXPECT_EQ(s->find_conversation(conv("b", "a")).value()->last_ms, 30);
  EXPECT_EQ(s->fetch_history({conv("a", "b"), 0, false, 10}).value().messages.size(), 4u);

  ASSERT_TRUE(s->clear_user_history(conv("b", "a"), 20).ok());
  b_view = s->fetch_history({conv("b", "a"), 0, false, 10}).value();
  ASSERT_EQ(b_view.messages.size(), 1u);
  EXPECT_EQ(b_view.messages[0].message.sent_ms, 30);
  EXPECT_EQ(s->find_conversation(conv("b", "a")).value()->unread_count, 1);
  EXPECT_EQ(s->fetch_history({conv("a", "b"), 0, false, 10}).value().messages.size(), 4u);
}

TEST(SqliteStorage, ConversationStatesSinceAVersion) {
  auto s = open_memory();
  ASSERT_TRUE(s->set_conversation_state(conv("u", "x"), {ConversationType::kPrivate, "x", true, std::nullopt, 100}).ok());
  ASSERT_TRUE(s->set_conversation_state(conv("u", "y"), {ConversationType::kPrivate, "y", std::nullopt, true, 200}).ok());
  ASSERT_TRUE(s->set_conversation_state(conv("u", "x"), {ConversationType::kPrivate, "x", std::nullopt, true, 300}).ok());
  auto states = s->conversation_states_since(kApp, "u", 150).value();
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].target_id, "y");
  EXPECT_EQ(states[1].target_id, "x");
  EXPECT_TRUE(*states[1].is_top);     // kept from version 100
  EXPECT_TRUE(*states[1].is_silent);  // set at 300
  EXPECT_EQ(states[1].version, 300);
  EXPECT_TRUE(s->conversation_states_since(kApp, "u", 300).value().empty());
  EXPECT_EQ(s->clock_high_water_mark().value(), 300);
}

TEST(SqliteStorage, ClientUniqueIdFindsTheFirstSendAndIsUniquePerSender) {
  auto s = open_memory();
  ASSERT_TRUE(s->append_message(private_message("a", "b", 10, true, true, 777)).ok());
  auto found = s->find_message_by_client_id(kApp, "a", 777);
  ASSERT_TRUE(found.ok() && found.value());
  EXPECT_EQ(found.value()->msg_uid, "UID-10");
  EXPECT_EQ(found.value()->sent_ms, 10);
  EXPECT_FALSE(s->find_message_by_client_id(kApp, "c", 777).value().has_value());
  // The same id from the same sender cannot be stored twice, and nothing of it remains.
  EXPECT_FALSE(s->append_message(private_message("a", "b", 20, true, true, 777)).ok());
  EXPECT_EQ(s->fetch_sync({kApp, "b", 0, true, 0, 10}).value().messages.size(), 1u);
  // Another sender may use the same number.
  EXPECT_TRUE(s->append_message(private_message("c", "b", 30, true, true, 777)).ok());
}

// An acknowledged message is committed before append_message returns: a process that dies
// right after (no destructor, no checkpoint: like kill -9) leaves it in the WAL, and the
// next open finds it.
TEST(SqliteStorage, CommittedMessageSurvivesACrash) {
  const TempDir dir;
  const auto path = dir.file("crash.db");
  for (const bool full : {true, false}) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto s = SqliteStorage::open({path, full});
      if (!s.ok() || !s.value()->append_message(private_message("a", "b", 1234)).ok()) ::_exit(1);
      s.value().release();  // leak: no close, no checkpoint
      ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
    auto s = SqliteStorage::open({path, true});
    ASSERT_TRUE(s.ok());
    auto page = s.value()->fetch_sync({kApp, "b", 0, true, 0, 10});
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page.value().messages.size(), 1u) << "synchronous=" << (full ? "FULL" : "NORMAL");
    EXPECT_EQ(page.value().messages[0].message.sent_ms, 1234);
  }
}

// ---- schema 1 -> 2 ------------------------------------------------------------------------

// A database written by the issue-3 server (schema 1) opens, migrates and keeps its data.
TEST(SqliteStorage, MigratesASchema1Database) {
  const TempDir dir;
  const auto path = dir.file("v1.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* v1 = R"sql(
CREATE TABLE messages (id INTEGER PRIMARY KEY, app_key TEXT NOT NULL, msg_uid TEXT NOT NULL UNIQUE,
  sent_ms INTEGER NOT NULL, conversation_type INTEGER NOT NULL, sender_id TEXT NOT NULL,
  target_id TEXT NOT NULL, classname TEXT NOT NULL, content BLOB NOT NULL, status_flags INTEGER NOT NULL,
  config_flag INTEGER NOT NULL DEFAULT 0, push_content TEXT NOT NULL DEFAULT '',
  app_data TEXT NOT NULL DEFAULT '', extra_content TEXT NOT NULL DEFAULT '',
  push_ext BLOB NOT NULL DEFAULT x'', client_unique_id INTEGER);
INSERT INTO messages (app_key, msg_uid, sent_ms, conversation_type, sender_id, target_id, classname,
  content, status_flags) VALUES ('app', 'OLD-UID', 500, 1, 'a', 'b', 'RC:TxtMsg', '{}', 48);
PRAGMA user_version=1;)sql";
    ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto s = SqliteStorage::open({path, true});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s.value()->schema_version(), 2);
  auto m = s.value()->find_message(kApp, "OLD-UID");
  ASSERT_TRUE(m.ok() && m.value());
  EXPECT_EQ(m.value()->recalled_ms, 0);
  EXPECT_TRUE(s.value()->upsert_group({kApp, "g", "G", 1}).ok()) << "the new tables exist";
}

// ---- per-user flags, recall ------------------------------------------------------------------

TEST(SqliteStorage, MailboxFlagsAreEachUsersView) {
  auto s = open_memory();
  NewMessage nm = private_message("a", "b", 1000);
  nm.mailboxes[1].status_flags = nm.message.status_flags | kStatusMentioned;
  ASSERT_TRUE(s->append_message(nm).ok());
  EXPECT_EQ(s->fetch_sync({kApp, "b", 0, true, 0, 10}).value().messages[0].message.status_flags & kStatusMentioned,
            kStatusMentioned);
  EXPECT_EQ(s->fetch_sync({kApp, "a", 0, true, 0, 10}).value().messages[0].message.status_flags & kStatusMentioned, 0);
}

TEST(SqliteStorage, RecallMarksTheMessageAndRecountsUnread) {
  auto s = open_memory();
  ASSERT_TRUE(s->append_message(private_message("a", "b", 1000)).ok());
  ASSERT_TRUE(s->append_message(private_message("a", "b", 1001)).ok());
  EXPECT_EQ(s->find_conversation(conv("b", "a")).value()->unread_count, 2);
  const auto m = s->find_message(kApp, "UID-1000").value();
  ASSERT_TRUE(m);
  EXPECT_FALSE(s->find_message("other-app", "UID-1000").value().has_value());
  const auto audience = s->message_audience(m->id).value();
  ASSERT_EQ(audience.size(), 2u);

  // The recall command stored with recalls_message_id marks it in the same transaction.
  NewMessage cmd = private_message("a", "b", 1002, /*persisted=*/false, /*counted=*/false);
  cmd.message.classname = "RC:RcCmd";
  cmd.recalls_message_id = m->id;
  auto id = s->append_message(cmd);
  ASSERT_TRUE(id.ok());
  EXPECT_GT(id.value(), 0);
  EXPECT_EQ(s->find_message(kApp, "UID-1000").value()->recalled_ms, 1002);
  EXPECT_EQ(s->find_conversation(conv("b", "a")).value()->unread_count, 1);
  const auto h = s->fetch_history({conv("b", "a"), 0, false, 10}).value();
  ASSERT_EQ(h.messages.size(), 2u) << "still in history (shown as recalled)";
  EXPECT_EQ(h.messages[1].message.recalled_ms, 1002);

  // Recalled already: nothing stored, nothing changed.
  NewMessage again = private_message("a", "b", 1003, false, false);
  again.recalls_message_id = m->id;
  EXPECT_EQ(s->append_message(again).value(), 0);
  EXPECT_FALSE(s->find_message(kApp, "UID-1003").value().has_value());
  EXPECT_FALSE(s->mark_recalled(m->id, 2000).value());
  const auto other = s->find_message(kApp, "UID-1001").value();
  EXPECT_TRUE(s->mark_recalled(other->id, 2000).value());
  EXPECT_EQ(s->find_conversation(conv("b", "a")).value()->unread_count, 0);
}

// ---- groups -----------------------------------------------------------------------------------

TEST(SqliteStorage, GroupsAndMembers) {
  auto s = open_memory();
  ASSERT_TRUE(s->upsert_group({kApp, "g1", "Team", 100}).ok());
  ASSERT_TRUE(s->upsert_group({kApp, "g1", "", 200}).ok());  // empty name keeps the old one
  auto g = s->find_group(kApp, "g1").value();
  ASSERT_TRUE(g);
  EXPECT_EQ(g->name, "Team");
  EXPECT_EQ(g->created_ms, 100);
  ASSERT_TRUE(s->add_group_members(kApp, "g1", {"a", "b"}, 100).ok());
  ASSERT_TRUE(s->add_group_members(kApp, "g1", {"c", "a"}, 200).ok());  // a keeps its join time
  auto members = s->group_members(kApp, "g1").value();
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0].user_id, "a");
  EXPECT_EQ(members[0].joined_ms, 100);
  EXPECT_EQ(members[2].user_id, "c");
  EXPECT_TRUE(s->is_group_member(kApp, "g1", "b").value());
  EXPECT_FALSE(s->is_group_member("other-app", "g1", "b").value());
  ASSERT_TRUE(s->remove_group_members(kApp, "g1", {"b", "nobody"}).ok());
  EXPECT_FALSE(s->is_group_member(kApp, "g1", "b").value());
  ASSERT_TRUE(s->delete_group(kApp, "g1").ok());
  EXPECT_FALSE(s->find_group(kApp, "g1").value());
  EXPECT_TRUE(s->group_members(kApp, "g1").value().empty());
}

TEST(SqliteStorage, GroupReadsAreRecordedOncePerUser) {
  auto s = open_memory();
  EXPECT_TRUE(s->add_group_read(7, "b", 100).value());
  EXPECT_FALSE(s->add_group_read(7, "b", 200).value());
  EXPECT_TRUE(s->add_group_read(7, "c", 150).value());
  const auto reads = s->group_reads(7).value();
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].user_id, "b");
  EXPECT_EQ(reads[0].read_ms, 100);
  EXPECT_TRUE(s->group_reads(8).value().empty());
}

// ---- chatrooms --------------------------------------------------------------------------------

MessageRecord room_message(const std::string& room, const std::string& from, int64_t t, bool persisted = true) {
  MessageRecord m;
  m.app_key = kApp;
  m.msg_uid = "R-" + room + "-" + std::to_string(t);
  m.sent_ms = t;
  m.conversation_type = ConversationType::kChatroom;
  m.sender_id = from;
  m.target_id = room;
  m.classname = "RC:TxtMsg";
  m.content = "{}";
  m.status_flags = persisted ? kStatusPersisted : 0;
  return m;
}

TEST(SqliteStorage, ChatroomsKeepTheirLastMessagesAndPage) {
  auto s = open_memory();
  for (int64_t t = 1; t <= 8; ++t) ASSERT_TRUE(s->append_chatroom_message(room_message("r1", "a", t), 5).ok());
  ASSERT_TRUE(s->append_chatroom_message(room_message("r2", "a", 100), 5).ok());
  auto latest = s->fetch_chatroom({kApp, "r1", 0, true, 3}).value();
  ASSERT_EQ(latest.messages.size(), 3u);
  EXPECT_EQ(latest.messages[0].sent_ms, 6);
  EXPECT_EQ(latest.messages[2].sent_ms, 8);
  auto after = s->fetch_chatroom({kApp, "r1", 0, false, 10}).value();
  ASSERT_EQ(after.messages.size(), 5u) << "kept: the last 5";
  EXPECT_EQ(after.messages[0].sent_ms, 4);
  EXPECT_FALSE(after.has_more);
  after = s->fetch_chatroom({kApp, "r1", 4, false, 2}).value();
  ASSERT_EQ(after.messages.size(), 2u);
  EXPECT_EQ(after.messages[0].sent_ms, 5);
  EXPECT_TRUE(after.has_more);
  EXPECT_EQ(s->find_message(kApp, "R-r1-8").value()->conversation_type, ConversationType::kChatroom);
  EXPECT_FALSE(s->find_message(kApp, "R-r1-1").value().has_value()) << "trimmed";
  // Chatroom messages are nobody's mailbox: no sync, no conversation.
  EXPECT_TRUE(s->fetch_sync({kApp, "a", 0, true, 0, 10}).value().messages.empty());
  EXPECT_TRUE(s->list_conversations({kApp, "a", 0, 10}).value().empty());
}

TEST(SqliteStorage, ChatroomHistoryIsPersistedOnesNewestFirst) {
  auto s = open_memory();
  for (int64_t t = 1; t <= 6; ++t) {
    ASSERT_TRUE(s->append_chatroom_message(room_message("r", "a", t, /*persisted=*/t != 3), 100).ok());
  }
  bool more = false;
  auto h = s->chatroom_history(kApp, "r", 0, false, 3, &more).value();
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].sent_ms, 6);
  EXPECT_EQ(h[2].sent_ms, 4);
  EXPECT_TRUE(more);
  h = s->chatroom_history(kApp, "r", 4, false, 3, &more).value();
  ASSERT_EQ(h.size(), 2u) << "3 is not persisted";
  EXPECT_EQ(h[0].sent_ms, 2);
  EXPECT_FALSE(more);
  h = s->chatroom_history(kApp, "r", 4, true, 10, &more).value();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].sent_ms, 6);
}

// ---- blacklists, blocks ---------------------------------------------------------------------

TEST(SqliteStorage, BlacklistsArePerOwner) {
  auto s = open_memory();
  ASSERT_TRUE(s->add_to_blacklist(kApp, "a", {"b", "c"}, 100).ok());
  ASSERT_TRUE(s->add_to_blacklist(kApp, "a", {"b"}, 200).ok());
  EXPECT_EQ(s->blacklist(kApp, "a").value(), (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(s->is_blacklisted(kApp, "a", "b").value());
  EXPECT_FALSE(s->is_blacklisted(kApp, "b", "a").value()) << "one way";
  ASSERT_TRUE(s->remove_from_blacklist(kApp, "a", {"b"}).ok());
  EXPECT_EQ(s->blacklist(kApp, "a").value(), (std::vector<std::string>{"c"}));
}

TEST(SqliteStorage, BlocksRunOut) {
  auto s = open_memory();
  ASSERT_TRUE(s->block_user(kApp, "a", 1000).ok());
  ASSERT_TRUE(s->block_user(kApp, "b", 5000).ok());
  EXPECT_EQ(s->blocked_until(kApp, "a", 999).value(), 1000);
  EXPECT_EQ(s->blocked_until(kApp, "a", 1000).value(), 0) << "over";
  EXPECT_EQ(s->blocked_users(kApp, 2000).value().size(), 1u);
  ASSERT_TRUE(s->unblock_user(kApp, "b").ok());
  EXPECT_EQ(s->blocked_until(kApp, "b", 2000).value(), 0);
}

}  // namespace
}  // namespace parley::server::storage
