// Helpers shared by the hub's source files (hub.cc, hub_messages.cc, hub_chatrooms.cc);
// not part of the hub's interface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <google/protobuf/message_lite.h>

#include "rongcloud.pb.h"
#include "storage/storage.h"

namespace parley::server::im::detail {

inline uint32_t date_of(int64_t ms) { return static_cast<uint32_t>(ms / 1000); }

// Every required field must be set: the official decoder drops a payload that misses one
// (PROTOCOL.md §4). A miss here is a server bug, logged loudly.
std::string serialize(const google::protobuf::MessageLite& message);

// Decodes a client payload; a missing required field is a decode failure.
bool parse(google::protobuf::MessageLite& message, const std::string& payload);

inline bool is_grouped(storage::ConversationType type) {
  return type == storage::ConversationType::kGroup || type == storage::ConversationType::kChatroom ||
         type == storage::ConversationType::kDiscussion;
}

// A stored message as one user receives it (§4.6): for one-to-one conversations the peer
// goes in fromUserId whichever way it went, and `direction` says who sent it. A recalled
// message reads as the recall notice (RC:RcNtf) that replaced it.
pb::DownStreamMessage to_downstream(const storage::UserMessage& um);

// A chatroom message (no mailbox rows) as `viewer` sees it.
storage::UserMessage chatroom_view(const storage::MessageRecord& m, const std::string& viewer);

inline bool valid_conversation_type(int type) { return type >= 1 && type <= 6; }

}  // namespace parley::server::im::detail

// Parses the QUERY's payload into `var` or answers "bad payload" and returns.
#define PARLEY_PARSE_OR_FAIL(type, var)                                                          \
  type var;                                                                                      \
  if (!::parley::server::im::detail::parse(var, q.payload)) {                                    \
    metrics_.count_error(Metrics::Error::kBadPayload);                                           \
    return fail_query(r, q, status::from_error(ErrorCode::kBadProtobuf), #type " does not decode"); \
  }
