#include "storage/sqlite_storage.h"

#include <algorithm>

#include <sqlite3.h>

#include "status.h"

namespace parley::server::storage {
namespace {

// Forward-only migrations: entry i brings the schema from version i to i + 1. Never edit
// a shipped entry; append a new one.
constexpr const char* kMigrations[] = {
    // 0 -> 1: users, messages, per-user mailboxes, conversations, sync positions.
    R"sql(
CREATE TABLE users (
  app_key      TEXT NOT NULL,
  user_id      TEXT NOT NULL,
  name         TEXT NOT NULL DEFAULT '',
  portrait_uri TEXT NOT NULL DEFAULT '',
  created_ms   INTEGER NOT NULL,
  updated_ms   INTEGER NOT NULL,
  PRIMARY KEY (app_key, user_id)
) WITHOUT ROWID;

CREATE TABLE messages (
  id                INTEGER PRIMARY KEY,
  app_key           TEXT NOT NULL,
  msg_uid           TEXT NOT NULL UNIQUE,
  sent_ms           INTEGER NOT NULL,
  conversation_type INTEGER NOT NULL,
  sender_id         TEXT NOT NULL,
  target_id         TEXT NOT NULL,
  classname         TEXT NOT NULL,
  content           BLOB NOT NULL,
  status_flags      INTEGER NOT NULL,
  config_flag       INTEGER NOT NULL DEFAULT 0,
  push_content      TEXT NOT NULL DEFAULT '',
  app_data          TEXT NOT NULL DEFAULT '',
  extra_content     TEXT NOT NULL DEFAULT '',
  push_ext          BLOB NOT NULL DEFAULT x'',
  client_unique_id  INTEGER
);
CREATE INDEX messages_by_time ON messages (sent_ms);
CREATE UNIQUE INDEX messages_by_client_id ON messages (app_key, sender_id, client_unique_id)
  WHERE client_unique_id IS NOT NULL;

-- One row per user who sees a message. status_flags is copied from the message so unread
-- counts and history filters need no join.
CREATE TABLE mailbox (
  app_key           TEXT NOT NULL,
  user_id           TEXT NOT NULL,
  direction         INTEGER NOT NULL,
  sent_ms           INTEGER NOT NULL,
  message_id        INTEGER NOT NULL,
  conversation_type INTEGER NOT NULL,
  peer_id           TEXT NOT NULL,
  status_flags      INTEGER NOT NULL,
  PRIMARY KEY (app_key, user_id, direction, sent_ms)
) WITHOUT ROWID;
CREATE INDEX mailbox_by_conversation ON mailbox (app_key, user_id, conversation_type, peer_id, sent_ms);
CREATE INDEX mailbox_by_message ON mailbox (message_id);

CREATE TABLE conversations (
  app_key           TEXT NOT NULL,
  owner_id          TEXT NOT NULL,
  conversation_type INTEGER NOT NULL,
  target_id         TEXT NOT NULL,
  last_ms           INTEGER NOT NULL DEFAULT 0,
  unread_count      INTEGER NOT NULL DEFAULT 0,
  read_ms           INTEGER NOT NULL DEFAULT 0,
  hidden            INTEGER NOT NULL DEFAULT 0,
  is_top            INTEGER NOT NULL DEFAULT 0,
  is_silent         INTEGER NOT NULL DEFAULT 0,
  state_version     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (app_key, owner_id, conversation_type, target_id)
) WITHOUT ROWID;
CREATE INDEX conversations_by_last ON conversations (app_key, owner_id, last_ms);
CREATE INDEX conversations_by_state ON conversations (app_key, owner_id, state_version);

CREATE TABLE sync_positions (
  app_key   TEXT NOT NULL,
  user_id   TEXT NOT NULL,
  inbox_ms  INTEGER NOT NULL DEFAULT 0,
  outbox_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (app_key, user_id)
) WITHOUT ROWID;
)sql",
    // 1 -> 2: recall marks, chatroom history (messages of type 4 without mailboxes), groups
    // and their members, group read receipts, blacklists, blocked users.
    R"sql(
ALTER TABLE messages ADD COLUMN recalled_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_of_chatrooms ON messages (app_key, target_id, sent_ms) WHERE conversation_type = 4;

CREATE TABLE groups (
  app_key    TEXT NOT NULL,
  group_id   TEXT NOT NULL,
  name       TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (app_key, group_id)
) WITHOUT ROWID;

CREATE TABLE group_members (
  app_key   TEXT NOT NULL,
  group_id  TEXT NOT NULL,
  user_id   TEXT NOT NULL,
  joined_ms INTEGER NOT NULL,
  PRIMARY KEY (app_key, group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX group_members_by_user ON group_members (app_key, user_id);

CREATE TABLE group_reads (
  message_id INTEGER NOT NULL,
  user_id    TEXT NOT NULL,
  read_ms    INTEGER NOT NULL,
  PRIMARY KEY (message_id, user_id)
) WITHOUT ROWID;

CREATE TABLE blacklists (
  app_key    TEXT NOT NULL,
  owner_id   TEXT NOT NULL,
  blocked_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (app_key, owner_id, blocked_id)
) WITHOUT ROWID;

CREATE TABLE user_blocks (
  app_key  TEXT NOT NULL,
  user_id  TEXT NOT NULL,
  until_ms INTEGER NOT NULL,
  PRIMARY KEY (app_key, user_id)
) WITHOUT ROWID;
)sql",
};
static_assert(std::size(kMigrations) == SqliteStorage::kSchemaVersion);

// Columns of a message joined with a mailbox row; read_user_message reads them by index.
// The status bits are the mailbox row's: this user's view (mentions).
#define PARLEY_USER_MESSAGE_COLUMNS                                                        \
  "m.id, m.app_key, m.msg_uid, m.sent_ms, m.conversation_type, m.sender_id, m.target_id, " \
  "m.classname, m.content, mb.status_flags, m.config_flag, m.push_content, m.app_data, "   \
  "m.extra_content, m.push_ext, m.client_unique_id, m.recalled_ms, mb.direction, "         \
  "mb.conversation_type, mb.peer_id "

// Columns of a message alone, the first columns of PARLEY_USER_MESSAGE_COLUMNS too;
// read_message reads them by index.
#define PARLEY_MESSAGE_COLUMNS                                                          \
  "id, app_key, msg_uid, sent_ms, conversation_type, sender_id, target_id, classname, " \
  "content, status_flags, config_flag, push_content, app_data, extra_content, push_ext, " \
  "client_unique_id, recalled_ms "

// Keeps the first `limit` rows of a page fetched with one row more than that; true when
// there were more (the page has a next one).
template <typename Row>
bool trim_to(std::vector<Row>& rows, int64_t limit) {
  if (rows.size() <= static_cast<size_t>(limit)) return false;
  rows.resize(static_cast<size_t>(limit));
  return true;
}

}  // namespace

// A prepared statement in use: binds, steps and reads columns; resets on destruction so
// the cached statement is ready for the next user.
class SqliteStorage::Query {
 public:
  Query(SqliteStorage* owner, sqlite3_stmt* stmt) : owner_(owner), stmt_(stmt) {}
  Query(Query&& other) noexcept : owner_(other.owner_), stmt_(other.stmt_), bind_rc_(other.bind_rc_) {
    other.stmt_ = nullptr;
  }
  Query& operator=(Query&&) = delete;
  ~Query() {
    if (stmt_) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }

  Query& bind(int index, int64_t value) { return note(sqlite3_bind_int64(stmt_, index, value)); }
  Query& bind(int index, std::string_view text) {
    return note(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  Query& bind_blob(int index, std::string_view bytes) {
    return note(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
  }
  Query& bind_null(int index) { return note(sqlite3_bind_null(stmt_, index)); }
  Query& bind(int index, ConversationType type) { return bind(index, static_cast<int64_t>(type)); }
  // Binds a conversation as ?1 app_key, ?2 owner_id, ?3 conversation_type, ?4 target_id.
  Query& bind_key(const ConversationKey& k) {
    return bind(1, k.app_key).bind(2, k.owner_id).bind(3, k.conversation_type).bind(4, k.target_id);
  }

  // true: a row is available; false: done.
  Result<bool> step() {
    if (bind_rc_ != SQLITE_OK) return owner_->sqlite_error("bind");
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return owner_->sqlite_error("step");
  }
  // Runs a statement that returns no rows.
  Status run() {
    auto r = step();
    if (!r) return r.error();
    return ok_status();
  }

  // Steps to the end: read(*this) of every row, or the first failed step's error.
  template <typename Read>
  auto rows(Read read) -> Result<std::vector<decltype(read(*this))>> {
    std::vector<decltype(read(*this))> out;
    for (;;) {
      auto row = step();
      if (!row) return row.error();
      if (!row.value()) return out;
      out.push_back(read(*this));
    }
  }
  // read(*this) of the first row; nullopt when there is none.
  template <typename Read>
  auto first_row(Read read) -> Result<std::optional<decltype(read(*this))>> {
    using Row = decltype(read(*this));
    auto row = step();
    if (!row) return row.error();
    if (!row.value()) return std::optional<Row>();
    return std::optional<Row>(read(*this));
  }

  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  std::string blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }

 private:
  Query& note(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
  }
  SqliteStorage* owner_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

// BEGIN IMMEDIATE .. COMMIT; rolls back unless committed.
class SqliteStorage::Transaction {
 public:
  explicit Transaction(SqliteStorage* owner) : owner_(owner) {}
  Status begin() {
    PARLEY_TRY(owner_->exec("BEGIN IMMEDIATE"));
    open_ = true;
    return ok_status();
  }
  Status commit() {
    PARLEY_TRY(owner_->exec("COMMIT"));
    open_ = false;
    return ok_status();
  }
  ~Transaction() {
    if (open_) (void)owner_->exec("ROLLBACK");
  }

 private:
  SqliteStorage* owner_;
  bool open_ = false;
};

Error SqliteStorage::sqlite_error(const char* what) {
  return server_error(std::string("sqlite ") + what + ": " + sqlite3_errmsg(db_));
}

Result<std::unique_ptr<SqliteStorage>> SqliteStorage::open(const Options& options) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(options.path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return server_error("cannot open " + options.path + ": " + message);
  }
  std::unique_ptr<SqliteStorage> storage(new SqliteStorage(db));
  sqlite3_busy_timeout(db, 5000);
  PARLEY_TRY(storage->exec("PRAGMA journal_mode=WAL"));
  PARLEY_TRY(storage->exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  PARLEY_TRY(storage->exec("PRAGMA foreign_keys=ON"));
  PARLEY_TRY(storage->migrate());
  return storage;
}

SqliteStorage::~SqliteStorage() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  // Fold the WAL back into the database so a clean shutdown leaves one file.
  sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  sqlite3_close_v2(db_);
}

Status SqliteStorage::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return server_error(std::string("sqlite exec: ") + text);
  }
  return ok_status();
}

Result<SqliteStorage::Query> SqliteStorage::query(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      return sqlite_error("prepare");
    }
    it = statements_.emplace(sql, stmt).first;
  }
  return Query(this, it->second);
}

int SqliteStorage::schema_version() {
  auto q = query("PRAGMA user_version");
  if (!q) return -1;
  auto row = q.value().step();
  return row && row.value() ? static_cast<int>(q.value().int64(0)) : -1;
}

std::string SqliteStorage::journal_mode() {
  auto q = query("PRAGMA journal_mode");
  if (!q) return {};
  auto row = q.value().step();
  return row && row.value() ? q.value().text(0) : std::string();
}

Status SqliteStorage::migrate() {
  int version = schema_version();
  if (version < 0) return server_error("cannot read the schema version");
  if (version > kSchemaVersion) {
    return server_error("database schema version " + std::to_string(version) +
                        " is newer than this server's " + std::to_string(kSchemaVersion));
  }
  while (version < kSchemaVersion) {
    Transaction tx(this);
    PARLEY_TRY(tx.begin());
    PARLEY_TRY(exec(kMigrations[version]));
    ++version;
    PARLEY_TRY(exec(("PRAGMA user_version=" + std::to_string(version)).c_str()));
    PARLEY_TRY(tx.commit());
  }
  return ok_status();
}

Result<int64_t> SqliteStorage::clock_high_water_mark() {
  auto q = query(
      "SELECT MAX(COALESCE((SELECT MAX(sent_ms) FROM messages), 0),"
      "           COALESCE((SELECT MAX(state_version) FROM conversations), 0))");
  if (!q) return q.error();
  auto row = q.value().step();
  if (!row) return row.error();
  return row.value() ? q.value().int64(0) : int64_t{0};
}

Status SqliteStorage::upsert_user(const UserRecord& user) {
  auto q = query(
      "INSERT INTO users (app_key, user_id, name, portrait_uri, created_ms, updated_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
      "ON CONFLICT (app_key, user_id) DO UPDATE SET name = excluded.name, "
      "portrait_uri = excluded.portrait_uri, updated_ms = excluded.updated_ms");
  if (!q) return q.error();
  return q.value()
      .bind(1, user.app_key)
      .bind(2, user.user_id)
      .bind(3, user.name)
      .bind(4, user.portrait_uri)
      .bind(5, user.updated_ms)
      .run();
}

Status SqliteStorage::ensure_user(std::string_view app_key, std::string_view user_id, int64_t now_ms) {
  auto q = query(
      "INSERT OR IGNORE INTO users (app_key, user_id, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?3)");
  if (!q) return q.error();
  return q.value().bind(1, app_key).bind(2, user_id).bind(3, now_ms).run();
}

Result<std::optional<UserRecord>> SqliteStorage::find_user(std::string_view app_key, std::string_view user_id) {
  auto q = query(
      "SELECT name, portrait_uri, created_ms, updated_ms FROM users WHERE app_key = ?1 AND user_id = ?2");
  if (!q) return q.error();
  return q.value().bind(1, app_key).bind(2, user_id).first_row([&](const Query& s) {
    return UserRecord{std::string(app_key), std::string(user_id), s.text(0), s.text(1), s.int64(2), s.int64(3)};
  });
}

Result<int64_t> SqliteStorage::append_message(const NewMessage& nm) {
  const MessageRecord& m = nm.message;
  Transaction tx(this);
  PARLEY_TRY(tx.begin());
  if (nm.recalls_message_id != 0) {
    auto marked = mark_recalled_locked(nm.recalls_message_id, m.sent_ms);
    if (!marked) return marked.error();
    if (!marked.value()) return int64_t{0};  // already recalled: roll back, store nothing
  }
  auto inserted = insert_message(m, m.conversation_type);
  if (!inserted) return inserted.error();
  const int64_t message_id = inserted.value();
  for (const MailboxEntry& e : nm.mailboxes) {
    auto q = query(
        "INSERT INTO mailbox (app_key, user_id, direction, sent_ms, message_id, conversation_type, "
        "peer_id, status_flags) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!q) return q.error();
    PARLEY_TRY(q.value()
                   .bind(1, m.app_key)
                   .bind(2, e.user_id)
                   .bind(3, static_cast<int64_t>(e.direction))
                   .bind(4, m.sent_ms)
                   .bind(5, message_id)
                   .bind(6, e.conversation_type)
                   .bind(7, e.peer_id)
                   .bind(8, e.status_flags.value_or(m.status_flags))
                   .run());
  }
  // The sender has seen what it sends: a new device of the sender starts after it (see
  // SyncPosition). Same transaction, so the position never runs ahead of the store.
  for (const MailboxEntry& e : nm.mailboxes) {
    if (e.direction != Direction::kSent) continue;
    auto q = query(
        "INSERT INTO sync_positions (app_key, user_id, inbox_ms, outbox_ms) VALUES (?1, ?2, 0, ?3) "
        "ON CONFLICT (app_key, user_id) DO UPDATE SET outbox_ms = MAX(outbox_ms, excluded.outbox_ms)");
    if (!q) return q.error();
    PARLEY_TRY(q.value().bind(1, m.app_key).bind(2, e.user_id).bind(3, m.sent_ms).run());
  }
  for (const ConversationTouch& c : nm.conversations) {
    auto q = query(
        "INSERT INTO conversations (app_key, owner_id, conversation_type, target_id, last_ms, unread_count) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT (app_key, owner_id, conversation_type, target_id) DO UPDATE SET "
        "last_ms = MAX(last_ms, excluded.last_ms), unread_count = unread_count + excluded.unread_count, "
        "hidden = 0");
    if (!q) return q.error();
    PARLEY_TRY(q.value()
                   .bind(1, m.app_key)
                   .bind(2, c.owner_id)
                   .bind(3, c.conversation_type)
                   .bind(4, c.target_id)
                   .bind(5, m.sent_ms)
                   .bind(6, int64_t{c.add_unread ? 1 : 0})
                   .run());
  }
  PARLEY_TRY(tx.commit());
  return message_id;
}

Result<int64_t> SqliteStorage::insert_message(const MessageRecord& m, ConversationType type) {
  auto q = query(
      "INSERT INTO messages (app_key, msg_uid, sent_ms, conversation_type, sender_id, target_id, "
      "classname, content, status_flags, config_flag, push_content, app_data, extra_content, "
      "push_ext, client_unique_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
  if (!q) return q.error();
  auto& s = q.value();
  s.bind(1, m.app_key).bind(2, m.msg_uid).bind(3, m.sent_ms).bind(4, type);
  s.bind(5, m.sender_id).bind(6, m.target_id).bind(7, m.classname).bind_blob(8, m.content);
  s.bind(9, m.status_flags).bind(10, int64_t{m.config_flag}).bind(11, m.push_content);
  s.bind(12, m.app_data).bind(13, m.extra_content).bind_blob(14, m.push_ext);
  if (m.client_unique_id) s.bind(15, *m.client_unique_id); else s.bind_null(15);
  PARLEY_TRY(s.run());
  return sqlite3_last_insert_rowid(db_);
}

Result<std::optional<MessageRecord>> SqliteStorage::find_message_by_client_id(std::string_view app_key,
                                                                             std::string_view sender_id,
                                                                             int64_t client_unique_id) {
  auto q = query(
      "SELECT id, msg_uid, sent_ms, conversation_type, target_id, classname, status_flags FROM messages "
      "WHERE app_key = ?1 AND sender_id = ?2 AND client_unique_id = ?3");
  if (!q) return q.error();
  return q.value().bind(1, app_key).bind(2, sender_id).bind(3, client_unique_id).first_row([&](const Query& s) {
    MessageRecord m;
    m.id = s.int64(0);
    m.app_key = std::string(app_key);
    m.msg_uid = s.text(1);
    m.sent_ms = s.int64(2);
    m.conversation_type = static_cast<ConversationType>(s.int64(3));
    m.sender_id = std::string(sender_id);
    m.target_id = s.text(4);
    m.classname = s.text(5);
    m.status_flags = s.int64(6);
    m.client_unique_id = client_unique_id;
    return m;
  });
}

MessageRecord SqliteStorage::read_message(const Query& s) {
  MessageRecord m;
  m.id = s.int64(0);
  m.app_key = s.text(1);
  m.msg_uid = s.text(2);
  m.sent_ms = s.int64(3);
  m.conversation_type = static_cast<ConversationType>(s.int64(4));
  m.sender_id = s.text(5);
  m.target_id = s.text(6);
  m.classname = s.text(7);
  m.content = s.blob(8);
  m.status_flags = s.int64(9);
  m.config_flag = static_cast<int32_t>(s.int64(10));
  m.push_content = s.text(11);
  m.app_data = s.text(12);
  m.extra_content = s.text(13);
  m.push_ext = s.blob(14);
  if (!s.is_null(15)) m.client_unique_id = s.int64(15);
  m.recalled_ms = s.int64(16);
  return m;
}

UserMessage SqliteStorage::read_user_message(const Query& s) {
  UserMessage um;
  um.message = read_message(s);
  um.direction = static_cast<Direction>(s.int64(17));
  um.conversation_type = static_cast<ConversationType>(s.int64(18));
  um.peer_id = s.text(19);
  return um;
}

Result<SyncPage> SqliteStorage::fetch_sync(const SyncRequest& r) {
  // Received and sent copies are read separately, each along its own index range, then
  // merged by time: one OR-query would scan a user's whole mailbox.
  const int64_t limit = std::max(1, r.limit);
  auto fetch = [&](Direction direction, int64_t after) -> Result<std::vector<UserMessage>> {
    auto q = query(
        "SELECT " PARLEY_USER_MESSAGE_COLUMNS
        "FROM mailbox mb JOIN messages m ON m.id = mb.message_id "
        "WHERE mb.app_key = ?1 AND mb.user_id = ?2 AND mb.direction = ?3 AND mb.sent_ms > ?4 "
        "ORDER BY mb.sent_ms LIMIT ?5");
    if (!q) return q.error();
    auto& s = q.value().bind(1, r.app_key).bind(2, r.user_id).bind(3, static_cast<int64_t>(direction));
    s.bind(4, after).bind(5, limit + 1);
    return s.rows(read_user_message);
  };
  auto received = fetch(Direction::kReceived, r.received_after_ms);
  if (!received) return received.error();
  std::vector<UserMessage> sent;
  if (r.include_sent) {
    auto s = fetch(Direction::kSent, r.sent_after_ms);
    if (!s) return s.error();
    sent = std::move(s.value());
  }
  SyncPage page;
  auto& in = received.value();
  page.messages.reserve(std::min<size_t>(static_cast<size_t>(limit), in.size() + sent.size()));
  std::merge(std::make_move_iterator(in.begin()), std::make_move_iterator(in.end()),
             std::make_move_iterator(sent.begin()), std::make_move_iterator(sent.end()),
             std::back_inserter(page.messages),
             [](const UserMessage& a, const UserMessage& b) { return a.message.sent_ms < b.message.sent_ms; });
  page.has_more = trim_to(page.messages, limit);
  return page;
}

Result<HistoryPage> SqliteStorage::fetch_history(const HistoryRequest& r) {
  const ConversationKey& k = r.conversation;
  const int64_t limit = std::max(1, r.limit);
  Result<Query> q = r.newer
      ? query("SELECT " PARLEY_USER_MESSAGE_COLUMNS
              "FROM mailbox mb JOIN messages m ON m.id = mb.message_id "
              "WHERE mb.app_key = ?1 AND mb.user_id = ?2 AND mb.conversation_type = ?3 AND mb.peer_id = ?4 "
              "AND mb.sent_ms > ?5 AND (mb.status_flags & 16) != 0 ORDER BY mb.sent_ms ASC LIMIT ?6")
      : query("SELECT " PARLEY_USER_MESSAGE_COLUMNS
              "FROM mailbox mb JOIN messages m ON m.id = mb.message_id "
              "WHERE mb.app_key = ?1 AND mb.user_id = ?2 AND mb.conversation_type = ?3 AND mb.peer_id = ?4 "
              "AND mb.sent_ms < ?5 AND (mb.status_flags & 16) != 0 ORDER BY mb.sent_ms DESC LIMIT ?6");
  if (!q) return q.error();
  const int64_t boundary = (!r.newer && r.boundary_ms <= 0) ? INT64_MAX : r.boundary_ms;
  auto& s = q.value().bind_key(k).bind(5, boundary).bind(6, limit + 1);
  auto rows = s.rows(read_user_message);
  if (!rows) return rows.error();
  HistoryPage page;
  page.messages = std::move(rows.value());
  page.has_more = trim_to(page.messages, limit);
  if (r.newer) std::reverse(page.messages.begin(), page.messages.end());  // newest first, always
  return page;
}

Result<std::optional<UserMessage>> SqliteStorage::latest_message(const ConversationKey& key) {
  auto page = fetch_history(HistoryRequest{key, 0, false, 1});
  if (!page) return page.error();
  if (page.value().messages.empty()) return std::optional<UserMessage>();
  return std::optional<UserMessage>(std::move(page.value().messages.front()));
}

Result<std::vector<ConversationRecord>> SqliteStorage::list_conversations(const ConversationQuery& r) {
  std::vector<ConversationRecord> out;
  {
    auto q = query(
        "SELECT conversation_type, target_id, last_ms, unread_count, read_ms, is_top, is_silent, state_version "
        "FROM conversations WHERE app_key = ?1 AND owner_id = ?2 AND hidden = 0 AND last_ms > 0 "
        "AND last_ms < ?3 ORDER BY last_ms DESC LIMIT ?4");
    if (!q) return q.error();
    auto& bound = q.value().bind(1, r.app_key).bind(2, r.owner_id);
    bound.bind(3, r.before_ms > 0 ? r.before_ms : INT64_MAX).bind(4, int64_t{std::max(1, r.limit)});
    auto rows = bound.rows([](const Query& s) {
      ConversationRecord c;
      c.conversation_type = static_cast<ConversationType>(s.int64(0));
      c.target_id = s.text(1);
      c.last_ms = s.int64(2);
      c.unread_count = s.int64(3);
      c.read_ms = s.int64(4);
      c.is_top = s.int64(5) != 0;
      c.is_silent = s.int64(6) != 0;
      c.state_version = s.int64(7);
      return c;
    });
    if (!rows) return rows.error();
    out = std::move(rows.value());
  }
  for (auto& c : out) {
    auto latest = latest_message({r.app_key, r.owner_id, c.conversation_type, c.target_id});
    if (!latest) return latest.error();
    c.latest = std::move(latest.value());
  }
  return out;
}

Result<std::optional<ConversationRecord>> SqliteStorage::find_conversation(const ConversationKey& k) {
  ConversationRecord c;
  {
    auto q = query(
        "SELECT last_ms, unread_count, read_ms, is_top, is_silent, state_version, hidden FROM conversations "
        "WHERE app_key = ?1 AND owner_id = ?2 AND conversation_type = ?3 AND target_id = ?4");
    if (!q) return q.error();
    auto& s = q.value().bind_key(k);
    auto row = s.step();
    if (!row) return row.error();
    if (!row.value() || s.int64(6) != 0) return std::optional<ConversationRecord>();
    c.conversation_type = k.conversation_type;
    c.target_id = k.target_id;
    c.last_ms = s.int64(0);
    c.unread_count = s.int64(1);
    c.read_ms = s.int64(2);
    c.is_top = s.int64(3) != 0;
    c.is_silent = s.int64(4) != 0;
    c.state_version = s.int64(5);
  }
  auto latest = latest_message(k);
  if (!latest) return latest.error();
  c.latest = std::move(latest.value());
  return std::optional<ConversationRecord>(std::move(c));
}

Status SqliteStorage::hide_conversation(const ConversationKey& k) {
  auto q = query(
      "UPDATE conversations SET hidden = 1 "
      "WHERE app_key = ?1 AND owner_id = ?2 AND conversation_type = ?3 AND target_id = ?4");
  if (!q) return q.error();
  return q.value().bind_key(k).run();
}

// Recomputes a conversation's unread count and last message time from the owner's
// mailbox, after reads, deletions or clears.
Status SqliteStorage::refresh_conversation(const ConversationKey& k) {
  auto q = query(
      "UPDATE conversations SET "
      "unread_count = (SELECT COUNT(*) FROM mailbox mb WHERE mb.app_key = ?1 AND mb.user_id = ?2 "
      "  AND mb.conversation_type = ?3 AND mb.peer_id = ?4 AND mb.direction = 2 "
      "  AND (mb.status_flags & 32) != 0 AND mb.sent_ms > conversations.read_ms), "
      "last_ms = COALESCE((SELECT MAX(mb.sent_ms) FROM mailbox mb WHERE mb.app_key = ?1 AND mb.user_id = ?2 "
      "  AND mb.conversation_type = ?3 AND mb.peer_id = ?4 AND (mb.status_flags & 16) != 0), 0) "
      "WHERE app_key = ?1 AND owner_id = ?2 AND conversation_type = ?3 AND target_id = ?4");
  if (!q) return q.error();
  return q.value().bind_key(k).run();
}

// One transaction: sql once for each of values (the conversation as ?1..?4, the value as
// ?5), then the conversation's counts recomputed.
template <typename Value>
Status SqliteStorage::change_conversation(const ConversationKey& k, const char* sql, const std::vector<Value>& values) {
  Transaction tx(this);
  PARLEY_TRY(tx.begin());
  for (const Value& value : values) {
    auto q = query(sql);
    if (!q) return q.error();
    PARLEY_TRY(q.value().bind_key(k).bind(5, value).run());
  }
  PARLEY_TRY(refresh_conversation(k));
  return tx.commit();
}

Status SqliteStorage::mark_conversation_read(const ConversationKey& k, int64_t read_ms) {
  return change_conversation(
      k,
      "INSERT INTO conversations (app_key, owner_id, conversation_type, target_id, read_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (app_key, owner_id, conversation_type, target_id) "
      "DO UPDATE SET read_ms = MAX(read_ms, excluded.read_ms)",
      std::vector<int64_t>{read_ms});
}

Status SqliteStorage::delete_user_messages(const ConversationKey& k, const std::vector<std::string>& msg_uids) {
  return change_conversation(
      k,
      "DELETE FROM mailbox WHERE app_key = ?1 AND user_id = ?2 AND conversation_type = ?3 AND peer_id = ?4 "
      "AND message_id = (SELECT id FROM messages WHERE msg_uid = ?5)",
      msg_uids);
}

Status SqliteStorage::clear_user_history(const ConversationKey& k, int64_t up_to_ms) {
  return change_conversation(
      k,
      "DELETE FROM mailbox WHERE app_key = ?1 AND user_id = ?2 AND conversation_type = ?3 "
      "AND peer_id = ?4 AND sent_ms <= ?5",
      std::vector<int64_t>{up_to_ms});
}

Status SqliteStorage::set_conversation_state(const ConversationKey& k, const ConversationState& st) {
  auto q = query(
      "INSERT INTO conversations (app_key, owner_id, conversation_type, target_id, is_top, is_silent, state_version) "
      "VALUES (?1, ?2, ?3, ?4, COALESCE(?5, 0), COALESCE(?6, 0), ?7) "
      "ON CONFLICT (app_key, owner_id, conversation_type, target_id) DO UPDATE SET "
      "is_top = COALESCE(?5, is_top), is_silent = COALESCE(?6, is_silent), "
      "state_version = MAX(state_version, ?7)");
  if (!q) return q.error();
  auto& s = q.value().bind_key(k);
  if (st.is_top) s.bind(5, int64_t{*st.is_top ? 1 : 0}); else s.bind_null(5);
  if (st.is_silent) s.bind(6, int64_t{*st.is_silent ? 1 : 0}); else s.bind_null(6);
  s.bind(7, st.version);
  return s.run();
}

Result<std::vector<ConversationState>> SqliteStorage::conversation_states_since(std::string_view app_key,
                                                                                std::string_view owner_id,
                                                                                int64_t after_version) {
  auto q = query(
      "SELECT conversation_type, target_id, is_top, is_silent, state_version FROM conversations "
      "WHERE app_key = ?1 AND owner_id = ?2 AND state_version > ?3 ORDER BY state_version");
  if (!q) return q.error();
  return q.value().bind(1, app_key).bind(2, owner_id).bind(3, after_version).rows([](const Query& s) {
    return ConversationState{static_cast<ConversationType>(s.int64(0)), s.text(1), s.int64(2) != 0, s.int64(3) != 0,
                             s.int64(4)};
  });
}

Result<SyncPosition> SqliteStorage::sync_position(std::string_view app_key, std::string_view user_id) {
  auto q = query("SELECT inbox_ms, outbox_ms FROM sync_positions WHERE app_key = ?1 AND user_id = ?2");
  if (!q) return q.error();
  auto& s = q.value().bind(1, app_key).bind(2, user_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!row.value()) return SyncPosition{};
  return SyncPosition{s.int64(0), s.int64(1)};
}

Status SqliteStorage::advance_sync_position(std::string_view app_key, std::string_view user_id,
                                            const SyncPosition& p) {
  auto q = query(
      "INSERT INTO sync_positions (app_key, user_id, inbox_ms, outbox_ms) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (app_key, user_id) DO UPDATE SET inbox_ms = MAX(inbox_ms, excluded.inbox_ms), "
      "outbox_ms = MAX(outbox_ms, excluded.outbox_ms)");
  if (!q) return q.error();
  return q.value().bind(1, app_key).bind(2, user_id).bind(3, p.inbox_ms).bind(4, p.outbox_ms).run();
}

// ---- messages by UID, recall ----------------------------------------------------------

Result<std::optional<MessageRecord>> SqliteStorage::find_message(std::string_view app_key, std::string_view msg_uid) {
  auto q = query("SELECT " PARLEY_MESSAGE_COLUMNS "FROM messages WHERE msg_uid = ?1 AND app_key = ?2");
  if (!q) return q.error();
  auto& s = q.value().bind(1, msg_uid).bind(2, app_key);
  auto rows = s.rows(read_message);
  if (!rows) return rows.error();
  if (rows.value().empty()) return std::optional<MessageRecord>();
  return std::optional<MessageRecord>(std::move(rows.value().front()));
}

Result<std::vector<MailboxEntry>> SqliteStorage::message_audience(int64_t message_id) {
  auto q = query(
      "SELECT user_id, direction, conversation_type, peer_id, status_flags FROM mailbox WHERE message_id = ?1");
  if (!q) return q.error();
  return q.value().bind(1, message_id).rows([](const Query& s) {
    return MailboxEntry{s.text(0), static_cast<Direction>(s.int64(1)), static_cast<ConversationType>(s.int64(2)),
                        s.text(3), s.int64(4)};
  });
}

Result<bool> SqliteStorage::mark_recalled(int64_t message_id, int64_t recalled_ms) {
  Transaction tx(this);
  PARLEY_TRY(tx.begin());
  auto marked = mark_recalled_locked(message_id, recalled_ms);
  if (!marked) return marked.error();
  if (marked.value()) PARLEY_TRY(tx.commit());
  return marked.value();
}

Result<bool> SqliteStorage::mark_recalled_locked(int64_t message_id, int64_t recalled_ms) {
  {
    auto q = query("UPDATE messages SET recalled_ms = ?2 WHERE id = ?1 AND recalled_ms = 0");
    if (!q) return q.error();
    PARLEY_TRY(q.value().bind(1, message_id).bind(2, recalled_ms).run());
    if (sqlite3_changes(db_) == 0) return false;
  }
  {
    auto q = query("UPDATE mailbox SET status_flags = status_flags & ~32 WHERE message_id = ?1");
    if (!q) return q.error();
    PARLEY_TRY(q.value().bind(1, message_id).run());
  }
  auto audience = message_audience(message_id);
  if (!audience) return audience.error();
  auto app = query("SELECT app_key FROM messages WHERE id = ?1");
  if (!app) return app.error();
  auto& a = app.value().bind(1, message_id);
  auto row = a.step();
  if (!row) return row.error();
  const std::string app_key = row.value() ? a.text(0) : std::string();
  for (const MailboxEntry& e : audience.value()) {
    PARLEY_TRY(refresh_conversation({app_key, e.user_id, e.conversation_type, e.peer_id}));
  }
  return true;
}

// ---- groups ------------------------------------------------------------------------------

Status SqliteStorage::upsert_group(const GroupRecord& g) {
  auto q = query(
      "INSERT INTO groups (app_key, group_id, name, created_ms) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (app_key, group_id) DO UPDATE SET name = CASE WHEN excluded.name = '' THEN name "
      "ELSE excluded.name END");
  if (!q) return q.error();
  return q.value().bind(1, g.app_key).bind(2, g.group_id).bind(3, g.name).bind(4, g.created_ms).run();
}

Result<std::optional<GroupRecord>> SqliteStorage::find_group(std::string_view app_key, std::string_view group_id) {
  auto q = query("SELECT name, created_ms FROM groups WHERE app_key = ?1 AND group_id = ?2");
  if (!q) return q.error();
  return q.value().bind(1, app_key).bind(2, group_id).first_row([&](const Query& s) {
    return GroupRecord{std::string(app_key), std::string(group_id), s.text(0), s.int64(1)};
  });
}

// One transaction: sql once for each of user_ids, with ?1 app_key, ?2 owner_id (a group,
// a blacklist's owner), ?3 the user and, when given, ?4 now_ms.
Status SqliteStorage::for_each_user(const char* sql, std::string_view app_key, std::string_view owner_id,
                                    const std::vector<std::string>& user_ids, std::optional<int64_t> now_ms) {
  Transaction tx(this);
  PARLEY_TRY(tx.begin());
  for (const std::string& user : user_ids) {
    auto q = query(sql);
    if (!q) return q.error();
    auto& s = q.value().bind(1, app_key).bind(2, owner_id).bind(3, user);
    if (now_ms) s.bind(4, *now_ms);
    PARLEY_TRY(s.run());
  }
  return tx.commit();
}

Status SqliteStorage::add_group_members(std::string_view app_key, std::string_view group_id,
                                        const std::vector<std::string>& user_ids, int64_t now_ms) {
  return for_each_user(
      "INSERT OR IGNORE INTO group_members (app_key, group_id, user_id, joined_ms) VALUES (?1, ?2, ?3, ?4)", app_key,
      group_id, user_ids, now_ms);
}

Status SqliteStorage::remove_group_members(std::string_view app_key, std::string_view group_id,
                                           const std::vector<std::string>& user_ids) {
  return for_each_user("DELETE FROM group_members WHERE app_key = ?1 AND group_id = ?2 AND user_id = ?3", app_key,
                       group_id, user_ids);
}

Status SqliteStorage::delete_group(std::string_view app_key, std::string_view group_id) {
  Transaction tx(this);
  PARLEY_TRY(tx.begin());
  {
    auto q = query("DELETE FROM group_members WHERE app_key = ?1 AND group_id = ?2");
    if (!q) return q.error();
    PARLEY_TRY(q.value().bind(1, app_key).bind(2, group_id).run());
  }
  {
    auto q = query("DELETE FROM groups WHERE app_key = ?1 AND group_id = ?2");
    if (!q) return q.error();
    PARLEY_TRY(q.value().bind(1, app_key).bind(2, group_id).run());
  }
  return tx.commit();
}

Result<std::vector<GroupMember>> SqliteStorage::group_members(std::string_view app_key, std::string_view group_id) {
  auto q = query(
      "SELECT user_id, joined_ms FROM group_members WHERE app_key = ?1 AND group_id = ?2 "
      "ORDER BY joined_ms, user_id");
  if (!q) return q.error();
  return q.value().bind(1, app_key).bind(2, group_id).rows([](const Query& s) {
    return GroupMember{s.text(0), s.int64(1)};
  });
}

Result<bool> SqliteStorage::is_group_member(std::string_view app_key, std::string_view group_id,
                                            std::string_view user_id) {
  auto q = query("SELECT 1 FROM group_members WHERE app_key = ?1 AND group_id = ?2 AND user_id = ?3");
  if (!q) return q.error();
  return q.value().bind(1, app_key).bind(2, group_id).bind(3, user_id).step();
}

Result<bool> SqliteStorage::add_group_read(int64_t message_id, std::string_view user_id, int64_t read_ms) {
  auto q = query("INSERT OR IGNORE INTO group_reads (message_id, user_id, read_ms) VALUES (?1, ?2, ?3)");
  if (!q) return q.error();
  PARLEY_TRY(q.value().bind(1, message_id).bind(2, user_id).bind(3, read_ms).run());
  return sqlite3_changes(db_) > 0;
}

Result<std::vector<GroupRead>> SqliteStorage::group_reads(int64_t message_id) {
  auto q = query("SELECT user_id, read_ms FROM group_reads WHERE message_id = ?1 ORDER BY read_ms, user_id");
  if (!q) return q.error();
  return q.value().bind(1, message_id).rows([](const Query& s) { return GroupRead{s.text(0), s.int64(1)}; });
}

// ---- chatrooms -----------------------------------------------------------------------------

Status SqliteStorage::append_chatroom_message(const MessageRecord& m, int keep_last) {
  Transaction tx(this);
  PARLEY_TRY(tx.begin());
  PARLEY_TRY(insert_message(m, ConversationType::kChatroom));
  {
    // The room keeps its newest keep_last messages: everything older than the keep_last-th
    // newest goes (nothing when the room holds fewer).
    auto q = query(
        "DELETE FROM messages WHERE conversation_type = 4 AND app_key = ?1 AND target_id = ?2 AND sent_ms < "
        "(SELECT sent_ms FROM messages WHERE conversation_type = 4 AND app_key = ?1 AND target_id = ?2 "
        " ORDER BY sent_ms DESC LIMIT 1 OFFSET ?3)");
    if (!q) return q.error();
    PARLEY_TRY(q.value().bind(1, m.app_key).bind(2, m.target_id).bind(3, int64_t{std::max(1, keep_last) - 1}).run());
  }
  return tx.commit();
}

Result<ChatroomPage> SqliteStorage::fetch_chatroom(const ChatroomQuery& r) {
  const int64_t limit = std::max(1, r.limit);
  ChatroomPage page;
  if (r.latest) {
    auto q = query("SELECT " PARLEY_MESSAGE_COLUMNS
                   "FROM messages WHERE conversation_type = 4 AND app_key = ?1 AND target_id = ?2 "
                   "ORDER BY sent_ms DESC LIMIT ?3");
    if (!q) return q.error();
    auto& s = q.value().bind(1, r.app_key).bind(2, r.room_id).bind(3, limit);
    auto rows = s.rows(read_message);
    if (!rows) return rows.error();
    page.messages = std::move(rows.value());
    std::reverse(page.messages.begin(), page.messages.end());
    return page;
  }
  auto q = query("SELECT " PARLEY_MESSAGE_COLUMNS
                 "FROM messages WHERE conversation_type = 4 AND app_key = ?1 AND target_id = ?2 AND sent_ms > ?3 "
                 "ORDER BY sent_ms ASC LIMIT ?4");
  if (!q) return q.error();
  auto& s = q.value().bind(1, r.app_key).bind(2, r.room_id).bind(3, r.after_ms).bind(4, limit + 1);
  auto rows = s.rows(read_message);
  if (!rows) return rows.error();
  page.messages = std::move(rows.value());
  page.has_more = trim_to(page.messages, limit);
  return page;
}

Result<std::vector<MessageRecord>> SqliteStorage::chatroom_history(std::string_view app_key, std::string_view room_id,
                                                                   int64_t boundary_ms, bool newer, int limit,
                                                                   bool* has_more) {
  const int64_t n = std::max(1, limit);
  Result<Query> q = newer
      ? query("SELECT " PARLEY_MESSAGE_COLUMNS
              "FROM messages WHERE conversation_type = 4 AND app_key = ?1 AND target_id = ?2 AND sent_ms > ?3 "
              "AND (status_flags & 16) != 0 ORDER BY sent_ms ASC LIMIT ?4")
      : query("SELECT " PARLEY_MESSAGE_COLUMNS
              "FROM messages WHERE conversation_type = 4 AND app_key = ?1 AND target_id = ?2 AND sent_ms < ?3 "
              "AND (status_flags & 16) != 0 ORDER BY sent_ms DESC LIMIT ?4");
  if (!q) return q.error();
  const int64_t boundary = (!newer && boundary_ms <= 0) ? INT64_MAX : boundary_ms;
  auto& s = q.value().bind(1, app_key).bind(2, room_id).bind(3, boundary).bind(4, n + 1);
  auto rows = s.rows(read_message);
  if (!rows) return rows.error();
  auto& list = rows.value();
  const bool more = trim_to(list, n);
  if (newer) std::reverse(list.begin(), list.end());  // newest first, always
  if (has_more) *has_more = more;
  return std::move(list);
}

// ---- blacklists ----------------------------------------------------------------------------

Status SqliteStorage::add_to_blacklist(std::string_view app_key, std::string_view owner_id,
                                       const std::vector<std::string>& user_ids, int64_t now_ms) {
  return for_each_user(
      "INSERT OR IGNORE INTO blacklists (app_key, owner_id, blocked_id, created_ms) VALUES (?1, ?2, ?3, ?4)", app_key,
      owner_id, user_ids, now_ms);
}

Status SqliteStorage::remove_from_blacklist(std::string_view app_key, std::string_view owner_id,
                                            const std::vector<std::string>& user_ids) {
  return for_each_user("DELETE FROM blacklists WHERE app_key = ?1 AND owner_id = ?2 AND blocked_id = ?3", app_key,
                       owner_id, user_ids);
}

Result<std::vector<std::string>> SqliteStorage::blacklist(std::string_view app_key, std::string_view owner_id) {
  auto q = query(
      "SELECT blocked_id FROM blacklists WHERE app_key = ?1 AND owner_id = ?2 ORDER BY created_ms, blocked_id");
  if (!q) return q.error();
  return q.value().bind(1, app_key).bind(2, owner_id).rows([](const Query& s) { return s.text(0); });
}

Result<bool> SqliteStorage::is_blacklisted(std::string_view app_key, std::string_view owner_id,
                                           std::string_view user_id) {
  auto q = query("SELECT 1 FROM blacklists WHERE app_key = ?1 AND owner_id = ?2 AND blocked_id = ?3");
  if (!q) return q.error();
  return q.value().bind(1, app_key).bind(2, owner_id).bind(3, user_id).step();
}

// ---- blocked users -------------------------------------------------------------------------

Status SqliteStorage::block_user(std::string_view app_key, std::string_view user_id, int64_t until_ms) {
  auto q = query(
      "INSERT INTO user_blocks (app_key, user_id, until_ms) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (app_key, user_id) DO UPDATE SET until_ms = excluded.until_ms");
  if (!q) return q.error();
  return q.value().bind(1, app_key).bind(2, user_id).bind(3, until_ms).run();
}

Status SqliteStorage::unblock_user(std::string_view app_key, std::string_view user_id) {
  auto q = query("DELETE FROM user_blocks WHERE app_key = ?1 AND user_id = ?2");
  if (!q) return q.error();
  return q.value().bind(1, app_key).bind(2, user_id).run();
}

Result<int64_t> SqliteStorage::blocked_until(std::string_view app_key, std::string_view user_id, int64_t now_ms) {
  auto q = query("SELECT until_ms FROM user_blocks WHERE app_key = ?1 AND user_id = ?2 AND until_ms > ?3");
  if (!q) return q.error();
  auto& s = q.value().bind(1, app_key).bind(2, user_id).bind(3, now_ms);
  auto row = s.step();
  if (!row) return row.error();
  return row.value() ? s.int64(0) : int64_t{0};
}

Result<std::vector<std::pair<std::string, int64_t>>> SqliteStorage::blocked_users(std::string_view app_key,
                                                                                  int64_t now_ms) {
  auto q = query("SELECT user_id, until_ms FROM user_blocks WHERE app_key = ?1 AND until_ms > ?2 ORDER BY user_id");
  if (!q) return q.error();
  return q.value().bind(1, app_key).bind(2, now_ms).rows([](const Query& s) {
    return std::pair<std::string, int64_t>(s.text(0), s.int64(1));
  });
}

}  // namespace parley::server::storage
