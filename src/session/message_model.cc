#include "session/message_model.h"

#include <array>

#include "codec/topics.h"
#include "common/json_util.h"

namespace parley::session {
namespace {

struct FlagEntry {
  std::string_view name;
  bool persisted;
  bool counted;
};

// PROTOCOL.md §4.4, the official SEND_MESSAGE_TYPE_OPTION table.
constexpr FlagEntry kFlagTable[] = {
    {"RC:TxtMsg", true, true},      {"RC:ImgMsg", true, true},
    {"RC:VcMsg", true, true},       {"RC:ImgTextMsg", true, true},
    {"RC:FileMsg", true, true},     {"RC:HQVCMsg", true, true},
    {"RC:LBSMsg", true, true},      {"RC:PSImgTxtMsg", true, true},
    {"RC:PSMultiImgTxtMsg", true, true}, {"RCJrmf:RpMsg", true, true},
    {"RCJrmf:RpOpendMsg", true, true}, {"RC:CombineMsg", true, true},
    {"RC:ReferenceMsg", true, true}, {"RC:SightMsg", true, true},
    {"RC:GIFMsg", true, true},
    {"RC:InfoNtf", true, false},    {"RC:ContactNtf", true, false},
    {"RC:ProfileNtf", true, false}, {"RC:CmdNtf", true, false},
    {"RC:GrpNtf", true, false},     {"RC:RcCmd", true, false},
    {"RC:CmdMsg", false, false},    {"RC:TypSts", false, false},
    {"RC:PSCmd", false, false},     {"RC:SRSMsg", false, false},
    {"RC:RRReqMsg", false, false},  {"RC:RRRspMsg", false, false},
    {"RC:CsChaR", false, false},    {"RC:CSCha", false, false},
    {"RC:CsEva", false, false},     {"RC:CsContact", false, false},
    {"RC:CsHs", false, false},      {"RC:CsHsR", false, false},
    {"RC:CsSp", false, false},      {"RC:CsEnd", false, false},
    {"RC:CsUpdate", false, false},  {"RC:ReadNtf", false, false},
    {"RC:chrmKVNotiMsg", false, false}, {"RC:VCAccept", false, false},
    {"RC:VCRinging", false, false}, {"RC:VCSummary", false, false},
    {"RC:VCHangup", false, false},  {"RC:VCInvite", false, false},
    {"RC:VCModifyMedia", false, false}, {"RC:VCModifyMem", false, false},
    {"RC:MsgExMsg", false, false},  {"RC:RRMsg", false, false},
};

}  // namespace

MessageFlags builtin_flags(std::string_view object_name, bool* known) {
  for (const auto& e : kFlagTable) {
    if (e.name == object_name) {
      if (known) *known = true;
      return MessageFlags{e.persisted, e.counted};
    }
  }
  if (known) *known = false;
  return MessageFlags{true, true};
}

bool is_status_object(std::string_view object_name) { return object_name == "RC:TypSts"; }

std::string_view send_topic(int type, bool status) {
  switch (type) {
    case kPrivate: return status ? codec::topics::kPrivateStatus : codec::topics::kPrivateMessage;
    case kGroup: return status ? codec::topics::kGroupStatus : codec::topics::kGroupMessage;
    case kChatroom: return status ? codec::topics::kChatroomStatus : codec::topics::kChatroomMessage;
    case kCustomerService: return codec::topics::kCustomerServiceMessage;
    default: return {};
  }
}

std::string_view history_topic(int type) {
  switch (type) {
    case kGroup: return codec::topics::kGroupHistory;
    case kChatroom: return codec::topics::kChatroomHistory;
    case kCustomerService: return codec::topics::kCustomerServiceHistory;
    case kSystem: return codec::topics::kSystemHistory;
    default: return codec::topics::kPrivateHistory;
  }
}

std::string_view clean_topic(int type) {
  switch (type) {
    case kGroup: return codec::topics::kCleanGroup;
    case kCustomerService: return codec::topics::kCleanCustomerService;
    case kSystem: return codec::topics::kCleanSystem;
    default: return codec::topics::kCleanPrivate;
  }
}

int conversation_type_of_topic(std::string_view topic) {
  if (topic == codec::topics::kGroupMessage || topic == codec::topics::kGroupStatus) return kGroup;
  if (topic == codec::topics::kChatroomMessage || topic == codec::topics::kChatroomStatus)
    return kChatroom;
  if (topic == codec::topics::kCustomerServiceMessage) return kCustomerService;
  return kPrivate;
}

int32_t upstream_flag_word(const MessageFlags& flags, bool mentioned, bool disable_notification) {
  int32_t w = 0;
  if (flags.persisted) w |= 1;
  if (flags.counted) w |= 2;
  if (mentioned) w |= 4;
  if (disable_notification) w |= 32;
  return w;
}

Json content_to_json(const std::string& bytes) {
  auto j = Json::parse(bytes, nullptr, false);
  if (j.is_discarded()) return bytes;
  return j;
}

Json message_from_downstream(const Json& m, const MessageContext& ctx,
                                       int64_t local_id) {
  const int type = jget(m, "type", 1);
  const std::string& from = jtext(m, "fromUserId");
  const std::string& classname = jtext(m, "classname");
  const int64_t data_time = jget(m, "dataTime", int64_t{0});
  const bool group_like = type == kGroup || type == kChatroom || type == kRtcRoom;
  int direction = m.contains("direction") ? jget(m, "direction", 0) : kReceive;
  if (type == kChatroom && from == ctx.self_user_id) direction = kSend;
  const bool send = direction == kSend;
  const int64_t status = jget(m, "status", int64_t{0});
  bool known = false;
  MessageFlags flags = builtin_flags(classname, &known);
  if (!known) flags = MessageFlags{(status & 16) != 0, (status & 32) != 0};
  // Keys in byte order: each one is appended, none moved into place (a hot path).
  Json msg = Json().set("canIncludeExpansion", (status & 1024) != 0);
  if (m.contains("clientUniqueId")) msg.set("clientUniqueId", jget(m, "clientUniqueId", int64_t{0}));
  msg.set("content", content_to_json(jtext(m, "content")))
      .set("conversationType", type)
      .set("disableNotification", (status & 512) != 0)
      .set("isCounted", flags.counted)
      .set("isMentioned", (status & 64) != 0)
      .set("isPersited", flags.persisted)
      .set("messageDirection", direction)
      .set("messageId", local_id)
      .set("messageType", classname)
      .set("messageUId", jtext(m, "msgId"))
      .set("objectName", classname)
      .set("offLineMessage", data_time < ctx.connected_time_ms);
  if (m.contains("pushContent")) msg.set("pushContent", jtext(m, "pushContent"));
  // The sender of a received group message is fromUserId; targetId is the group.
  msg.set("receivedStatus", (status & 2) ? kRetrieved : kUnread)
      .set("receivedTime", ctx.now_ms)
      .set("senderUserId", send ? ctx.self_user_id : from)
      .set("sentStatus", send ? kSent : kReceived)
      .set("sentTime", data_time)
      .set("targetId", group_like ? jtext(m, "groupId") : from);
  return msg;
}

}  // namespace parley::session
