// Conversations and unread counts, kept the way users of IM apps expect: sorted by top
// flag then latest message, unread = counted messages from others newer than the last
// read time. Fed by pulls, sends and qryRelationR; when the server's counts arrive they
// win (the server sees every device's reads). Persisted per conversation by the session.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"

namespace parley::store {

struct Conversation {
  int type = 1;
  std::string target_id;
  Json latest_message;  // Message JSON, or null
  int64_t sent_time = 0;          // of latest_message (0: none)
  int64_t unread = 0;
  int64_t read_time = 0;          // messages at or before this time are read
  int64_t mentioned = 0;          // unread messages mentioning the user
  // The server's last unread count covered every message up to this time: a message at
  // or before it that arrives later (a pull racing the count) is already counted.
  int64_t counted_through = 0;
  bool top = false;
  int notification_status = 2;    // v2 NotificationStatus: 1 DO_NOT_DISTURB, 2 NOTIFY
  std::string draft;

  Json to_json() const;  // the v2 Conversation shape (+ fields to restore)
  static std::optional<Conversation> from_json(const Json& j);
};

using ConversationKey = std::pair<int, std::string>;

class ConversationStore {
 public:
  // A message delivered to the app. Counts it as unread when counted, received, newer
  // than read_time. Returns the conversation key it touched (status messages touch none).
  std::optional<ConversationKey> on_message(const Json& message);
  // The server's view of one conversation (RelationInfo): unread count and read time win.
  // `snapshot_time` is the newest message time the count covers.
  void on_server_relation(int type, const std::string& target, const Json& latest,
                          int64_t unread, int64_t read_time, int64_t snapshot_time);
  // A recalled message: replaces latest_message when it is that one; a recalled message
  // from the peer that was still unread no longer counts (`from_peer`; our own recalls
  // never counted).
  std::optional<ConversationKey> on_recall(int type, const std::string& target,
                                           const std::string& message_uid, int64_t sent_time,
                                           const Json& recall_message, bool from_peer);

  // Marks read up to `time` (0: up to the latest message). Returns false if absent.
  bool clear_unread(int type, const std::string& target, int64_t time = 0);
  bool remove(int type, const std::string& target);
  void clear();
  Conversation& upsert(int type, const std::string& target);
  const Conversation* find(int type, const std::string& target) const;

  // Sorted: top first, then latest sentTime, newest first. `types` empty: all types.
  std::vector<const Conversation*> list(const std::vector<int>& types = {}) const;
  int64_t total_unread(const std::vector<int>& types = {}, bool include_silent = true) const;
  size_t size() const { return items_.size(); }

  void load(const Conversation& c) { items_[{c.type, c.target_id}] = c; }

 private:
  std::map<ConversationKey, Conversation> items_;
};

}  // namespace parley::store
