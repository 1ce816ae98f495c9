#include "codec/topics.h"

namespace parley::codec::topics {
namespace {

struct Entry {
  std::string_view topic;
  const char* request;
  const char* response;
};

// Request and QUERYACK payload types per topic. nullptr: none modelled (ignored answer).
constexpr Entry kTable[] = {
    {kPrivateMessage, "UpStreamMessage", nullptr},
    {kGroupMessage, "UpStreamMessage", nullptr},
    {kChatroomMessage, "UpStreamMessage", nullptr},
    {kCustomerServiceMessage, "UpStreamMessage", nullptr},
    {kPrivateStatus, "UpStreamMessage", nullptr},
    {kGroupStatus, "UpStreamMessage", nullptr},
    {kChatroomStatus, "UpStreamMessage", nullptr},
    {kRecall, "UpStreamMessage", nullptr},
    {kPullMessages, "SyncRequestMsg", "DownStreamMessages"},
    {kPullSessionStates, "SessionReq", "SessionStates"},
    {kPullUserSettings, "PullUserSettingInput", "PullUserSettingOutput"},
    {kReportSdk, "ReportSDKInput", "ReportSDKOutput"},
    {kQueryConversations, "RelationQryInput", "RelationsOutput"},
    {kDeleteConversation, "RelationQryInput", nullptr},
    {kPrivateHistory, "HistoryMsgInput", "HistoryMsgOuput"},
    {kGroupHistory, "HistoryMsgInput", "HistoryMsgOuput"},
    {kChatroomHistory, "HistoryMsgInput", "HistoryMsgOuput"},
    {kCustomerServiceHistory, "HistoryMsgInput", "HistoryMsgOuput"},
    {kSystemHistory, "HistoryMsgInput", "HistoryMsgOuput"},
    {kDeleteMessages, "DeleteMsgInput", nullptr},
    {kCleanPrivate, "CleanHisMsgInput", nullptr},
    {kCleanGroup, "CleanHisMsgInput", nullptr},
    {kCleanCustomerService, "CleanHisMsgInput", nullptr},
    {kCleanSystem, "CleanHisMsgInput", nullptr},
    {kSetSessionState, "SessionStateModifyReq", "SessionStateModifyResp"},
    {kJoinChatroom, "ChrmInput", "ChrmOutput"},
    {kRejoinChatroom, "ChrmInput", "ChrmOutput"},
    {kExitChatroom, "ChrmInput", nullptr},
    {kPullChatroom, "ChrmPullMsg", "DownStreamMessages"},
    {kChatroomInfo, "QueryChatRoomInfoInput", "QueryChatRoomInfoOutput"},
    {kGroupReadReceipt, "GrpReadReceiptMsg", nullptr},
    {kGroupReadReceiptList, "GrpReadReceiptQryReq", "GrpReadReceiptQryResp"},
    {kPullChatroomKv, "QueryChrmKV", "ChrmKVOutput"},
    {kSetChatroomKv, "SetChrmKV", nullptr},
    {kDeleteChatroomKv, "SetChrmKV", nullptr},
    {kAddBlacklist, "Add2BlackListInput", nullptr},
    {kRemoveBlacklist, "RemoveFromBlackListInput", nullptr},
    {kQueryBlacklist, "QueryBlackListInput", "QueryBlackListOutput"},
    // Status answer: the list holds the userId when it is blacklisted, else it is empty.
    {kBlacklistStatus, "BlackListStatusInput", "QueryBlackListOutput"},
    {kMarkRead, "SessionMsgReadInput", "SessionMsgReadOutput"},
};

const Entry* find(std::string_view topic) {
  for (const auto& e : kTable)
    if (e.topic == topic) return &e;
  return nullptr;
}

}  // namespace

const char* request_type(std::string_view topic) {
  const Entry* e = find(topic);
  return e ? e->request : nullptr;
}

const char* response_type(std::string_view topic) {
  const Entry* e = find(topic);
  return e ? e->response : nullptr;
}

const char* server_publish_type(std::string_view topic, bool dup) {
  if (dup) return "UpStreamMessage";
  if (topic == kNotify || topic == kCommand) return "NotifyMsg";
  if (topic == kDirectMessage) return "DownStreamMessage";
  if (topic == kUserSettingNotify) return "UserSettingNotification";
  return nullptr;
}

bool is_status_topic(std::string_view topic) {
  return topic == kPrivateStatus || topic == kGroupStatus || topic == kChatroomStatus;
}

}  // namespace parley::codec::topics
