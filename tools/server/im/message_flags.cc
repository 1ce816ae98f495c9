#include "im/message_flags.h"

#include "storage/storage.h"

namespace parley::server::im {
namespace {

constexpr std::string_view kPersistedCounted[] = {
    "RC:TxtMsg",    "RC:ImgMsg",       "RC:VcMsg",     "RC:ImgTextMsg",  "RC:FileMsg",
    "RC:HQVCMsg",   "RC:LBSMsg",       "RC:PSImgTxtMsg", "RC:PSMultiImgTxtMsg", "RCJrmf:RpMsg",
    "RCJrmf:RpOpendMsg", "RC:CombineMsg", "RC:ReferenceMsg", "RC:SightMsg", "RC:GIFMsg",
};
constexpr std::string_view kPersistedOnly[] = {
    "RC:InfoNtf", "RC:ContactNtf", "RC:ProfileNtf", "RC:CmdNtf", "RC:GrpNtf", "RC:RcCmd",
};
constexpr std::string_view kNeither[] = {
    "RC:CmdMsg",   "RC:TypSts",    "RC:PSCmd",     "RC:SRSMsg",       "RC:RRReqMsg",
    "RC:RRRspMsg", "RC:CsChaR",    "RC:CSCha",     "RC:CsEva",        "RC:CsContact",
    "RC:CsHs",     "RC:CsHsR",     "RC:CsSp",      "RC:CsEnd",        "RC:CsUpdate",
    "RC:ReadNtf",  "RC:chrmKVNotiMsg", "RC:VCAccept", "RC:VCRinging", "RC:VCSummary",
    "RC:VCHangup", "RC:VCInvite",  "RC:VCModifyMedia", "RC:VCModifyMem", "RC:MsgExMsg",
    "RC:RRMsg",
};

template <size_t N>
bool contains(const std::string_view (&list)[N], std::string_view name) {
  for (auto n : list)
    if (n == name) return true;
  return false;
}

}  // namespace

StoragePolicy storage_policy(std::string_view classname, int32_t session_flags) {
  if (contains(kPersistedCounted, classname)) return {true, true};
  if (contains(kPersistedOnly, classname)) return {true, false};
  if (contains(kNeither, classname)) return {false, false};
  const bool persisted = (session_flags & kUpPersisted) != 0;
  // Counting something that is not kept would leave an unread count with nothing to read.
  return {persisted, persisted && (session_flags & kUpCounted) != 0};
}

int64_t status_flags_for(int32_t session_flags, StoragePolicy policy) {
  int64_t status = 0;
  if (policy.persisted) status |= storage::kStatusPersisted;
  if (policy.counted) status |= storage::kStatusCounted;
  if (session_flags & kUpMentioned) status |= storage::kStatusMentioned;
  if (session_flags & kUpDisableNotification) status |= storage::kStatusDisableNotification;
  if (session_flags & kUpCanIncludeExpansion) status |= storage::kStatusCanIncludeExpansion;
  return status;
}

}  // namespace parley::server::im
