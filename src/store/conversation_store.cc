#include "store/conversation_store.h"

#include "common/json_util.h"

#include <algorithm>

namespace parley::store {

Json Conversation::to_json() const {
  return Json()  // keys in byte order: each one is appended
      .set("conversationType", type)
      .set("countedThrough", counted_through)
      .set("draft", draft)
      .set("hasMentioned", mentioned > 0)
      .set("isTop", top)
      .set("latestMessage", latest_message)
      .set("mentionedCount", mentioned)
      .set("notificationStatus", notification_status)
      .set("objectName", latest_message.is_object() ? jtext(latest_message, "objectName") : "")
      .set("readTime", read_time)
      .set("sentTime", sent_time)
      .set("targetId", target_id)
      .set("unreadMessageCount", unread);
}

std::optional<Conversation> Conversation::from_json(const Json& j) {
  if (!j.is_object() || !j.contains("conversationType") || !j.contains("targetId") ||
      !j["conversationType"].is_number_integer() || !j["targetId"].is_string())
    return std::nullopt;
  Conversation c;
  c.type = j["conversationType"].get<int>();
  c.target_id = j["targetId"].get<std::string>();
  c.latest_message = jget(j, "latestMessage", Json());
  c.sent_time = jget(j, "sentTime", int64_t{0});
  c.unread = jget(j, "unreadMessageCount", int64_t{0});
  c.read_time = jget(j, "readTime", int64_t{0});
  c.mentioned = jget(j, "mentionedCount", int64_t{0});
  c.counted_through = jget(j, "countedThrough", int64_t{0});
  c.top = jget(j, "isTop", false);
  c.notification_status = jget(j, "notificationStatus", 2) == 1 ? 1 : 2;
  c.draft = jtext(j, "draft");
  return c;
}

Conversation& ConversationStore::upsert(int type, const std::string& target) {
  auto& c = items_[{type, target}];
  c.type = type;
  c.target_id = target;
  return c;
}

const Conversation* ConversationStore::find(int type, const std::string& target) const {
  auto it = items_.find({type, target});
  return it == items_.end() ? nullptr : &it->second;
}

std::optional<ConversationKey> ConversationStore::on_message(const Json& m) {
  if (!jget(m, "isPersited", true) && !jget(m, "isCounted", false)) return std::nullopt;
  const int type = jget(m, "conversationType", 1);
  const std::string& target = jtext(m, "targetId");
  if (target.empty()) return std::nullopt;
  Conversation& c = upsert(type, target);
  const int64_t t = jget(m, "sentTime", int64_t{0});
  if (jget(m, "isPersited", true) && t >= c.sent_time) {
    c.latest_message = m;
    c.sent_time = t;
  }
  const bool received = jget(m, "messageDirection", 2) == 2;
  if (received && jget(m, "isCounted", false) && t > c.read_time && t > c.counted_through) {
    ++c.unread;
    if (jget(m, "isMentioned", false)) ++c.mentioned;
  }
  return ConversationKey{type, target};
}

void ConversationStore::on_server_relation(int type, const std::string& target,
                                           const Json& latest, int64_t unread,
                                           int64_t read_time, int64_t snapshot_time) {
  Conversation& c = upsert(type, target);
  if (latest.is_object()) {
    const int64_t t = jget(latest, "sentTime", int64_t{0});
    if (t >= c.sent_time) {
      c.latest_message = latest;
      c.sent_time = t;
    }
  }
  if (read_time < c.read_time) {
    // We marked read later than the server knows (the mark is on its way): its count
    // predates our clear. Ours is exact since the clear; keep it.
    return;
  }
  c.unread = unread;
  c.read_time = read_time;
  c.counted_through = std::max(c.counted_through, snapshot_time);
  if (unread == 0) c.mentioned = 0;
}

std::optional<ConversationKey> ConversationStore::on_recall(int type, const std::string& target,
                                                            const std::string& uid, int64_t sent_time,
                                                            const Json& recall_message,
                                                            bool from_peer) {
  auto it = items_.find({type, target});
  if (it == items_.end()) return std::nullopt;
  Conversation& c = it->second;
  if (c.latest_message.is_object() && jtext(c.latest_message, "messageUId") == uid) {
    c.latest_message = recall_message;
  }
  if (from_peer && sent_time > c.read_time && c.unread > 0) --c.unread;
  return ConversationKey{type, target};
}

bool ConversationStore::clear_unread(int type, const std::string& target, int64_t time) {
  auto it = items_.find({type, target});
  if (it == items_.end()) return false;
  Conversation& c = it->second;
  c.read_time = std::max(c.read_time, time ? time : c.sent_time);
  c.unread = 0;
  c.mentioned = 0;
  return true;
}

bool ConversationStore::remove(int type, const std::string& target) {
  return items_.erase({type, target}) != 0;
}

void ConversationStore::clear() { items_.clear(); }

namespace {

// Known only from a read mark or a status call: nothing to show yet.
bool listed(const Conversation& c, const std::vector<int>& types) {
  if (!types.empty() && std::find(types.begin(), types.end(), c.type) == types.end()) return false;
  return c.sent_time != 0 || !c.draft.empty() || c.top || c.unread != 0;
}

}  // namespace

std::vector<const Conversation*> ConversationStore::list(const std::vector<int>& types) const {
  // Pinned first, then newest first; ties in key order: the map is walked in key order and
  // upper_bound inserts after the equal ones. (A binary insertion: a fraction of the wasm
  // code of std::sort, and lists are short.)
  const auto before = [](const Conversation* a, const Conversation* b) {
    if (a->top != b->top) return a->top;
    return a->sent_time > b->sent_time;
  };
  std::vector<const Conversation*> out;
  for (const auto& [key, c] : items_)
    if (listed(c, types)) out.insert(std::upper_bound(out.begin(), out.end(), &c, before), &c);
  return out;
}

int64_t ConversationStore::total_unread(const std::vector<int>& types, bool include_silent) const {
  int64_t n = 0;
  for (const auto& [key, c] : items_)
    if (listed(c, types) && (include_silent || c.notification_status != 1)) n += c.unread;
  return n;
}

}  // namespace parley::store
