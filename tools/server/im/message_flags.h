// How a message is kept and counted: the persist/count table of PROTOCOL.md §4.4 for the
// built-in classnames, the sender's sessionId flag bits for the others, and the mapping to
// the DownStreamMessage.status bits the receiver reads (§4.6).
#pragma once

#include <cstdint>
#include <string_view>

namespace parley::server::im {

// UpStreamMessage.sessionId bits (§4.4).
inline constexpr int32_t kUpPersisted = 1;
inline constexpr int32_t kUpCounted = 2;
inline constexpr int32_t kUpMentioned = 4;
inline constexpr int32_t kUpDisableNotification = 32;
inline constexpr int32_t kUpCanIncludeExpansion = 64;

struct StoragePolicy {
  bool persisted = false;  // kept in history and in the conversation list
  bool counted = false;    // adds to the receiver's unread count
};

// The built-in table wins for RongCloud's own classnames; custom ones (registerMessageType)
// follow the sender's flags.
StoragePolicy storage_policy(std::string_view classname, int32_t session_flags);

// DownStreamMessage.status for a message sent with these sessionId flags and policy.
int64_t status_flags_for(int32_t session_flags, StoragePolicy policy);

}  // namespace parley::server::im
