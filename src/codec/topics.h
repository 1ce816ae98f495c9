// Topic names and the protobuf message each one carries (PROTOCOL.md §4.2, §4.3): the one
// table used by the client core, the server, the bindings and tools/rmtp.
#pragma once

#include <string_view>

namespace parley::codec::topics {

// client -> server PUBLISH
inline constexpr std::string_view kPrivateMessage = "ppMsgP";
inline constexpr std::string_view kGroupMessage = "pgMsgP";
inline constexpr std::string_view kChatroomMessage = "chatMsg";
inline constexpr std::string_view kCustomerServiceMessage = "pcMsgP";
inline constexpr std::string_view kPrivateStatus = "ppMsgS";
inline constexpr std::string_view kGroupStatus = "pgMsgS";
inline constexpr std::string_view kChatroomStatus = "chatMsgS";
inline constexpr std::string_view kRecall = "recallMsg";

// client -> server QUERY
inline constexpr std::string_view kPullMessages = "pullMsg";
inline constexpr std::string_view kPullSessionStates = "pullSeAtts";
inline constexpr std::string_view kPullUserSettings = "pullUS";
inline constexpr std::string_view kReportSdk = "reportsdk";
inline constexpr std::string_view kQueryConversations = "qryRelationR";
inline constexpr std::string_view kDeleteConversation = "delRelation";
inline constexpr std::string_view kPrivateHistory = "qryPMsg";
inline constexpr std::string_view kGroupHistory = "qryGMsg";
inline constexpr std::string_view kChatroomHistory = "qryCHMsg";
inline constexpr std::string_view kCustomerServiceHistory = "qryCMsg";
inline constexpr std::string_view kSystemHistory = "qrySMsg";
inline constexpr std::string_view kDeleteMessages = "delMsg";
inline constexpr std::string_view kCleanPrivate = "cleanPMsg";
inline constexpr std::string_view kCleanGroup = "cleanGMsg";
inline constexpr std::string_view kCleanCustomerService = "cleanCMsg";
inline constexpr std::string_view kCleanSystem = "cleanSMsg";
inline constexpr std::string_view kSetSessionState = "setSeAtt";
inline constexpr std::string_view kJoinChatroom = "joinChrm";
inline constexpr std::string_view kRejoinChatroom = "joinChrmR";
inline constexpr std::string_view kExitChatroom = "exitChrm";
inline constexpr std::string_view kPullChatroom = "chrmPull";
inline constexpr std::string_view kChatroomInfo = "queryChrmI";
inline constexpr std::string_view kGroupReadReceipt = "rrMsg";
inline constexpr std::string_view kGroupReadReceiptList = "rrList";
inline constexpr std::string_view kPullChatroomKv = "pullKV";
inline constexpr std::string_view kSetChatroomKv = "setKV";
inline constexpr std::string_view kDeleteChatroomKv = "delKV";
inline constexpr std::string_view kAddBlacklist = "addBlack";
inline constexpr std::string_view kRemoveBlacklist = "rmBlack";
inline constexpr std::string_view kQueryBlacklist = "qryBlack";
inline constexpr std::string_view kBlacklistStatus = "blackStat";
// Marks a conversation read up to a time (SessionMsgReadInput). In the official enum but
// never sent by the official web client; Parley's SDK uses it so the server-kept unread
// count follows clearUnreadCount without sending a read receipt to the peer.
inline constexpr std::string_view kMarkRead = "updRRTime";

// server -> client PUBLISH
inline constexpr std::string_view kNotify = "s_ntf";
inline constexpr std::string_view kDirectMessage = "s_msg";
inline constexpr std::string_view kCommand = "s_cmd";
inline constexpr std::string_view kUserSettingNotify = "s_us";

// Payload message name ("UpStreamMessage") of a client->server PUBLISH or QUERY on
// `topic`, or nullptr when the topic is not known.
const char* request_type(std::string_view topic);

// Payload message name of the QUERYACK answering a QUERY on `topic`, or nullptr when the
// answer carries nothing we model (reportsdk, delRelation...: the client ignores it).
const char* response_type(std::string_view topic);

// Payload message name of a server->client PUBLISH. With `dup` (a sync copy of the
// user's own message from another device, §4.9) it is always UpStreamMessage.
const char* server_publish_type(std::string_view topic, bool dup);

// True for the status topics (typing): sent with messageId 0, never stored or counted.
bool is_status_topic(std::string_view topic);

}  // namespace parley::codec::topics
