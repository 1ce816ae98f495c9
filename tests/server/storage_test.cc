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

}  // namespace
}  // namespace parley::server::storage
