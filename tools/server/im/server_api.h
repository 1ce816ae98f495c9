// The RongCloud server API endpoints beyond getToken, sans-I/O: an authenticated request
// (the HTTP layer checked App-Key, Nonce, Timestamp, Signature) as a path and its form
// fields, answered with RongCloud's JSON shapes ({"code":200,...}, errors
// {"code":N,"errorMessage":".."}). What it does to live sessions (messages published,
// users kicked) comes back in the HubOutput for the transport to send.
//
//   /user/block.json             userId (repeatable), minute     block; sessions get DISCONNECT 2
//   /user/unblock.json           userId (repeatable)
//   /user/block/query.json                                       {"users":[{"userId","blockEndTime"}]}
//   /user/checkOnline.json       userId                          {"status":"1"|"0"}
//   /user/blacklist/add.json     userId, blackUserId (repeatable)
//   /user/blacklist/remove.json  userId, blackUserId (repeatable)
//   /user/blacklist/query.json   userId                          {"users":[..]}
//   /group/create.json           userId (repeatable), groupId, groupName
//   /group/join.json             userId (repeatable), groupId[, groupName]
//   /group/quit.json             userId (repeatable), groupId
//   /group/dismiss.json          userId, groupId
//   /group/refresh.json          groupId, groupName
//   /group/user/query.json       groupId                         {"users":[{"id"}]}
//   /message/private/publish.json  fromUserId, toUserId (repeatable), objectName, content,
//                                  [pushContent, pushData, isPersisted, isCounted,
//                                   isIncludeSender, verifyBlacklist]
//   /message/group/publish.json    fromUserId, toGroupId (repeatable, up to 3), objectName,
//                                  content, [pushContent, pushData, isPersisted, isCounted,
//                                  isIncludeSender]
//   /message/system/publish.json   fromUserId, toUserId (repeatable), objectName, content,
//                                  [pushContent, pushData, isPersisted, isCounted]
// The publish endpoints answer {"code":200,"messageUIDs":[{"userId"|"groupId","messageUID"}]}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.h"
#include "im/hub.h"
#include "storage/storage.h"

namespace parley::server::im {

// Form fields in order, repeated keys kept.
using Form = std::vector<std::pair<std::string, std::string>>;

struct ApiReply {
  int http_status = 200;
  nlohmann::json body;
};

class ServerApi {
 public:
  ServerApi(Hub& hub, storage::Storage& storage, const Limits& limits)
      : hub_(hub), storage_(storage), limits_(limits) {}

  // True for the paths handled here (all POST).
  static bool handles(std::string_view path);

  // One request of app `app_key`. Never throws for bad input: every failure is a reply.
  ApiReply handle(std::string_view path, const std::string& app_key, const Form& form, int64_t now_ms,
                  HubOutput& out);

 private:
  ApiReply block(const std::string& app, const Form& form, int64_t now_ms, HubOutput& out);
  ApiReply unblock(const std::string& app, const Form& form);
  ApiReply block_query(const std::string& app, int64_t now_ms);
  ApiReply check_online(const std::string& app, const Form& form);
  ApiReply blacklist(std::string_view path, const std::string& app, const Form& form, int64_t now_ms);
  ApiReply group(std::string_view path, const std::string& app, const Form& form, int64_t now_ms);
  ApiReply publish(std::string_view path, const std::string& app, const Form& form, int64_t now_ms,
                   HubOutput& out);

  Hub& hub_;
  storage::Storage& storage_;
  const Limits& limits_;
};

}  // namespace parley::server::im
