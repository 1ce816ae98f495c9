// The v2 `Message` model (RongIMLib's shape) built from wire messages, and the tables the
// protocol keys on: persist/count flags per object name (PROTOCOL.md §4.4), topics per
// conversation type (§4.2), flag words (§4.4, §4.6).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/json.h"

namespace parley::session {

// ConversationType values of the v2 API (= ChannelType on the wire).
enum ConversationType : int {
  kPrivate = 1, kDiscussion = 2, kGroup = 3, kChatroom = 4, kCustomerService = 5, kSystem = 6,
  kAppPublicService = 7, kPublicService = 8, kRtcRoom = 12,
};
// MessageDirection.
enum Direction : int { kSend = 1, kReceive = 2 };
// SentStatus.
enum SentStatus : int { kSending = 10, kFailed = 20, kSent = 30, kReceived = 40, kRead = 50 };
// ReceivedStatus bits.
enum ReceivedStatus : int { kUnread = 0, kReadStatus = 1, kRetrieved = 8 };
// SessionStateType on the wire (setSeAtt, pullSeAtts): which conversation setting an item holds.
enum SessionStateType : int { kStateIsSilent = 1, kStateIsTop = 2 };

struct MessageFlags {
  bool persisted = true;
  bool counted = true;
};

// Built-in persist/count of an object name; unknown names (custom messages registered
// by the app) default to persisted+counted unless the app says otherwise.
MessageFlags builtin_flags(std::string_view object_name, bool* known = nullptr);
// Status messages (typing) go on the *S topics with messageId 0 and are never stored.
bool is_status_object(std::string_view object_name);

// Topic for sending to a conversation type (ppMsgP, pgMsgP, ...), or "" if unsupported.
std::string_view send_topic(int conversation_type, bool status_message);
// History topic (qryPMsg...) of a conversation type.
std::string_view history_topic(int conversation_type);
// Clear-history topic (cleanPMsg...).
std::string_view clean_topic(int conversation_type);
// Conversation type of a send topic, for sync copies (§4.9); PRIVATE for others.
int conversation_type_of_topic(std::string_view topic);

// UpStreamMessage.sessionId flag word (§4.4).
int32_t upstream_flag_word(const MessageFlags& flags, bool mentioned, bool disable_notification);

// Context for turning wire messages into API messages.
struct MessageContext {
  std::string self_user_id;
  int64_t connected_time_ms = 0;  // CONNACK timestamp: earlier messages are offline ones
  int64_t now_ms = 0;
};

// DownStreamMessage (as decode_payload reads it) -> Message JSON (§4.6). targetId is the
// group for group-like types, else fromUserId (which is the peer for own messages,
// direction 1). `local_id` becomes messageId (a local integer, never on the wire).
Json message_from_downstream(const Json& m, const MessageContext& ctx,
                                       int64_t local_id);

// Content bytes -> JSON: parsed when it is JSON text, else the raw string (as the
// official client does).
Json content_to_json(const std::string& bytes);

}  // namespace parley::session
