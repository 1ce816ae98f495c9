#include "im/server_api.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <set>

#include "auth/token.h"
#include "log.h"
#include "status.h"

namespace parley::server::im {
namespace {

using nlohmann::json;
using storage::ConversationType;

constexpr size_t kMaxUsersPerCall = 1000;    // toUserId / userId / blackUserId per request
constexpr size_t kMaxGroupsPerCall = 3;      // toGroupId per request (RongCloud's limit)
constexpr int64_t kMaxBlockMinutes = 43200;  // 30 days
constexpr size_t kMaxNameBytes = 128;
constexpr size_t kMaxClassnameBytes = 32;

ApiReply ok(json extra = json::object()) {
  json body = {{"code", status::kApiOk}};
  for (auto& [k, v] : extra.items()) body[k] = std::move(v);
  return {200, std::move(body)};
}

ApiReply bad(std::string message, int code = status::kApiBadParameter) {
  return {400, json{{"code", code}, {"errorMessage", std::move(message)}}};
}

ApiReply storage_error(const Error& e) {
  log_error("storage.failed", {{"op", "server_api"}, {"error", e.message}});
  return {500, json{{"code", status::kApiInternalError}, {"errorMessage", "storage error"}}};
}

std::string field(const Form& form, std::string_view key) {
  for (const auto& [k, v] : form)
    if (k == key) return v;
  return {};
}

bool has_field(const Form& form, std::string_view key) {
  return std::any_of(form.begin(), form.end(), [&](const auto& kv) { return kv.first == key; });
}

// Every value of a repeated key, in order, without duplicates.
std::vector<std::string> fields(const Form& form, std::string_view key) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& [k, v] : form)
    if (k == key && seen.insert(v).second) out.push_back(v);
  return out;
}

// "1"/"0" flags; absent: `fallback`.
std::optional<bool> flag(const Form& form, std::string_view key) {
  if (!has_field(form, key)) return std::nullopt;
  return field(form, key) == "1" || field(form, key) == "true";
}

// Checks a list of user (or group) ids: 1..max of them, each valid. "" when fine.
std::string check_ids(const std::vector<std::string>& ids, const char* name, size_t max) {
  if (ids.empty()) return std::string(name) + " required";
  if (ids.size() > max) return std::string("at most ") + std::to_string(max) + " " + name;
  for (const auto& id : ids) {
    if (!auth::is_valid_user_id(id)) return std::string(name) + ": 1-64 characters of letters, digits, + | = - _";
  }
  return {};
}

std::string utc_time(int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace

bool ServerApi::handles(std::string_view path) {
  static constexpr std::string_view kPaths[] = {
      "/user/block.json",           "/user/unblock.json",          "/user/block/query.json",
      "/user/checkOnline.json",     "/user/blacklist/add.json",    "/user/blacklist/remove.json",
      "/user/blacklist/query.json", "/group/create.json",          "/group/join.json",
      "/group/quit.json",           "/group/dismiss.json",         "/group/refresh.json",
      "/group/user/query.json",     "/message/private/publish.json", "/message/group/publish.json",
      "/message/system/publish.json",
  };
  return std::find(std::begin(kPaths), std::end(kPaths), path) != std::end(kPaths);
}

ApiReply ServerApi::handle(std::string_view path, const std::string& app, const Form& form, int64_t now_ms,
                           HubOutput& out) {
  if (path == "/user/block.json") return block(app, form, now_ms, out);
  if (path == "/user/unblock.json") return unblock(app, form);
  if (path == "/user/block/query.json") return block_query(app, now_ms);
  if (path == "/user/checkOnline.json") return check_online(app, form);
  if (path.rfind("/user/blacklist/", 0) == 0) return blacklist(path, app, form, now_ms);
  if (path.rfind("/group/", 0) == 0) return group(path, app, form, now_ms);
  if (path.rfind("/message/", 0) == 0) return publish(path, app, form, now_ms, out);
  return {404, json{{"code", 404}, {"errorMessage", "not found"}}};
}

// ---- users ------------------------------------------------------------------------------

ApiReply ServerApi::block(const std::string& app, const Form& form, int64_t now_ms, HubOutput& out) {
  const auto users = fields(form, "userId");
  if (auto e = check_ids(users, "userId", kMaxUsersPerCall); !e.empty()) return bad(e);
  int64_t minutes = 0;
  const std::string text = field(form, "minute");
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), minutes);
  if (ec != std::errc() || end != text.data() + text.size() || minutes < 1 || minutes > kMaxBlockMinutes) {
    return bad("minute: 1-43200 expected");
  }
  for (const auto& user : users) {
    if (auto st = storage_.block_user(app, user, now_ms + minutes * 60'000); !st) return storage_error(st.error());
    hub_.kick_user(app, user, status::kDisconnectBlocked, out);
    log_info("api.block", {{"app", app}, {"user", user}, {"minutes", minutes}});
  }
  return ok();
}

ApiReply ServerApi::unblock(const std::string& app, const Form& form) {
  const auto users = fields(form, "userId");
  if (auto e = check_ids(users, "userId", kMaxUsersPerCall); !e.empty()) return bad(e);
  for (const auto& user : users) {
    if (auto st = storage_.unblock_user(app, user); !st) return storage_error(st.error());
  }
  return ok();
}

ApiReply ServerApi::block_query(const std::string& app, int64_t now_ms) {
  auto list = storage_.blocked_users(app, now_ms);
  if (!list) return storage_error(list.error());
  json users = json::array();
  for (const auto& [user, until] : list.value()) {
    users.push_back({{"userId", user}, {"blockEndTime", utc_time(until)}, {"blockEndTimeMs", until}});
  }
  return ok({{"users", std::move(users)}});
}

ApiReply ServerApi::check_online(const std::string& app, const Form& form) {
  const std::string user = field(form, "userId");
  if (!auth::is_valid_user_id(user)) return bad("userId required");
  return ok({{"status", hub_.is_online(app, user) ? "1" : "0"}});
}

ApiReply ServerApi::blacklist(std::string_view path, const std::string& app, const Form& form, int64_t now_ms) {
  const std::string owner = field(form, "userId");
  if (!auth::is_valid_user_id(owner)) return bad("userId required");
  if (path == "/user/blacklist/query.json") {
    auto list = storage_.blacklist(app, owner);
    if (!list) return storage_error(list.error());
    return ok({{"users", list.value()}});
  }
  const auto users = fields(form, "blackUserId");
  if (auto e = check_ids(users, "blackUserId", kMaxUsersPerCall); !e.empty()) return bad(e);
  if (path == "/user/blacklist/add.json") {
    if (std::find(users.begin(), users.end(), owner) != users.end()) return bad("a user cannot blacklist itself");
    if (auto st = storage_.add_to_blacklist(app, owner, users, now_ms); !st) return storage_error(st.error());
  } else if (path == "/user/blacklist/remove.json") {
    if (auto st = storage_.remove_from_blacklist(app, owner, users); !st) return storage_error(st.error());
  } else {
    return {404, json{{"code", 404}, {"errorMessage", "not found"}}};
  }
  return ok();
}

// ---- groups -----------------------------------------------------------------------------

ApiReply ServerApi::group(std::string_view path, const std::string& app, const Form& form, int64_t now_ms) {
  const std::string group_id = field(form, "groupId");
  if (!auth::is_valid_user_id(group_id)) return bad("groupId: 1-64 characters of letters, digits, + | = - _");
  const std::string name = field(form, "groupName");
  if (name.size() > kMaxNameBytes) return bad("groupName too long", status::kApiParameterTooLong);

  if (path == "/group/user/query.json") {
    auto group = storage_.find_group(app, group_id);
    if (!group) return storage_error(group.error());
    if (!group.value()) return bad("no such group");
    auto members = storage_.group_members(app, group_id);
    if (!members) return storage_error(members.error());
    json users = json::array();
    for (const auto& m : members.value()) users.push_back({{"id", m.user_id}});
    return ok({{"id", group_id}, {"users", std::move(users)}});
  }
  if (path == "/group/refresh.json") {
    if (name.empty()) return bad("groupName required");
    auto group = storage_.find_group(app, group_id);
    if (!group) return storage_error(group.error());
    if (!group.value()) return bad("no such group");
    if (auto st = storage_.upsert_group({app, group_id, name, now_ms}); !st) return storage_error(st.error());
    return ok();
  }
  if (path == "/group/dismiss.json") {
    if (auto st = storage_.delete_group(app, group_id); !st) return storage_error(st.error());
    log_info("api.group_dismissed", {{"app", app}, {"group", group_id}});
    return ok();
  }

  const auto users = fields(form, "userId");
  if (auto e = check_ids(users, "userId", kMaxUsersPerCall); !e.empty()) return bad(e);
  if (path == "/group/quit.json") {
    if (auto st = storage_.remove_group_members(app, group_id, users); !st) return storage_error(st.error());
    return ok();
  }
  if (path != "/group/create.json" && path != "/group/join.json") {
    return {404, json{{"code", 404}, {"errorMessage", "not found"}}};
  }
  if (path == "/group/create.json" && name.empty()) return bad("groupName required");
  auto members = storage_.group_members(app, group_id);
  if (!members) return storage_error(members.error());
  std::set<std::string> all;
  for (const auto& m : members.value()) all.insert(m.user_id);
  all.insert(users.begin(), users.end());
  if (all.size() > limits_.max_group_members) {
    return bad("a group has at most " + std::to_string(limits_.max_group_members) + " members");
  }
  if (auto st = storage_.upsert_group({app, group_id, name, now_ms}); !st) return storage_error(st.error());
  if (auto st = storage_.add_group_members(app, group_id, users, now_ms); !st) return storage_error(st.error());
  log_info("api.group_members", {{"app", app}, {"group", group_id}, {"added", users.size()}, {"members", all.size()}});
  return ok();
}

// ---- messages ---------------------------------------------------------------------------

ApiReply ServerApi::publish(std::string_view path, const std::string& app, const Form& form, int64_t now_ms,
                            HubOutput& out) {
  ServerMessage m;
  m.app_key = app;
  m.from_user_id = field(form, "fromUserId");
  if (!auth::is_valid_user_id(m.from_user_id)) return bad("fromUserId required");
  m.classname = field(form, "objectName");
  if (m.classname.empty() || m.classname.size() > kMaxClassnameBytes) return bad("objectName required");
  m.content = field(form, "content");
  if (m.content.size() > limits_.max_content_bytes) return bad("content too long", status::kApiParameterTooLong);
  if (json::parse(m.content, nullptr, /*allow_exceptions=*/false).is_discarded()) return bad("content must be JSON");
  m.push_content = field(form, "pushContent");
  m.push_data = field(form, "pushData");
  m.persisted = flag(form, "isPersisted");
  m.counted = flag(form, "isCounted");
  m.include_sender = flag(form, "isIncludeSender").value_or(false);
  const char* key = "userId";
  if (path == "/message/private/publish.json") {
    m.conversation_type = ConversationType::kPrivate;
    m.check_blacklist = flag(form, "verifyBlacklist").value_or(false);
    m.targets = fields(form, "toUserId");
    if (auto e = check_ids(m.targets, "toUserId", kMaxUsersPerCall); !e.empty()) return bad(e);
  } else if (path == "/message/system/publish.json") {
    m.conversation_type = ConversationType::kSystem;
    m.targets = fields(form, "toUserId");
    if (auto e = check_ids(m.targets, "toUserId", kMaxUsersPerCall); !e.empty()) return bad(e);
  } else if (path == "/message/group/publish.json") {
    m.conversation_type = ConversationType::kGroup;
    key = "groupId";
    m.targets = fields(form, "toGroupId");
    if (auto e = check_ids(m.targets, "toGroupId", kMaxGroupsPerCall); !e.empty()) return bad(e);
  } else {
    return {404, json{{"code", 404}, {"errorMessage", "not found"}}};
  }
  auto published = hub_.publish(m, now_ms, out);
  if (!published) return storage_error(published.error());
  json uids = json::array();
  for (const auto& p : published.value()) {
    if (!p.msg_uid.empty()) uids.push_back({{key, p.target_id}, {"messageUID", p.msg_uid}});
  }
  log_info("api.publish", {{"app", app}, {"path", path}, {"from", m.from_user_id}, {"class", m.classname},
                           {"targets", m.targets.size()}, {"stored", uids.size()}});
  return ok({{"messageUIDs", std::move(uids)}});
}

}  // namespace parley::server::im
