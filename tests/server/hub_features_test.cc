// The hub beyond one-to-one messaging: groups (fan-out, membership, mentions, history,
// read receipts), chatrooms, recall, typing, blacklists, several devices and kicks,
// blocks, the send rate limit, comet requests, and messages published by the server API.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "hub_fixture.h"

namespace parley::server::im {
namespace {

using nlohmann::json;

// Same fixture, its own suite (a suite's tests must share one fixture class).
class HubFeaturesTest : public HubTest {};

pb::UpStreamMessage group_text(const std::string& content, int32_t flags = 3) {
  pb::UpStreamMessage up;
  up.set_sessionid(flags);
  up.set_classname("RC:TxtMsg");
  up.set_content(content);
  up.set_configflag(0);
  return up;
}

pb::UpStreamMessage recall_command(const ServerPubAck& original, int type, const std::string& target) {
  pb::UpStreamMessage up;
  up.set_sessionid(0);
  up.set_classname("RC:RcCmd");
  up.set_content(json{{"conversationType", type},
                      {"targetId", target},
                      {"messageUId", original.msg_uid},
                      {"sentTime", int64_t{original.date} * 1000 + original.millis}}
                     .dump());
  up.set_configflag(0);
  return up;
}

// ---- groups -------------------------------------------------------------------------------

TEST_F(HubFeaturesTest, GroupMessageFansOutToTheMembersAndNonMembersGet22406) {
  make_group("g1", {"userA", "userB", "userC"});
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  const ConnectionId c = connect("userC");
  const ConnectionId d = connect("userD");
  HubOutput out;
  const ServerPubAck ack = publish_ack(a, "pgMsgP", "g1", group_text("{\"content\":\"hi all\"}"), &out);
  ASSERT_EQ(ack.status, 0);
  EXPECT_EQ(notified(out), (std::set<ConnectionId>{b, c}));

  for (ConnectionId id : {b, c}) {
    const auto sync = pull(id, 0);
    ASSERT_EQ(sync.list_size(), 1);
    EXPECT_EQ(sync.list(0).type(), pb::GROUP);
    EXPECT_EQ(sync.list(0).groupid(), "g1");
    EXPECT_EQ(sync.list(0).fromuserid(), "userA");
    EXPECT_EQ(sync.list(0).msgid(), ack.msg_uid);
    EXPECT_EQ(sync.list(0).status() & storage::kStatusMentioned, 0);
  }
  EXPECT_EQ(publish_ack(d, "pgMsgP", "g1", group_text("{}")).status, status::kNotInGroup);
  EXPECT_EQ(publish_ack(d, "pgMsgP", "no-such-group", group_text("{}")).status, status::kNotInGroup);

  // The group conversation, with its unread count, and its history.
  pb::RelationQryInput rq;
  rq.set_type(pb::GROUP);
  rq.set_count(10);
  const auto list = query_ok<pb::RelationsOutput>(b, "qryRelationR", "userB", rq);
  ASSERT_EQ(list.info_size(), 1);
  EXPECT_EQ(list.info(0).type(), pb::GROUP);
  EXPECT_EQ(list.info(0).userid(), "g1");
  EXPECT_EQ(list.info(0).unreadcount(), 1);
  const auto h = history_of(c, "qryGMsg", "g1", 10);
  ASSERT_EQ(h.list_size(), 1);
  EXPECT_EQ(h.list(0).msgid(), ack.msg_uid);
  EXPECT_EQ(history_of(a, "qryGMsg", "g1", 10).list(0).direction(), 1);
  EXPECT_EQ(history_of(d, "qryGMsg", "g1", 10).list_size(), 0) << "not a member: no copy";
}

TEST_F(HubFeaturesTest, GroupMentionsFlagOnlyTheMentionedMembers) {
  make_group("g1", {"userA", "userB", "userC"});
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  const ConnectionId c = connect("userC");
  const auto mention = group_text(R"({"content":"@B","mentionedInfo":{"type":2,"userIdList":["userB","stranger"]}})", 7);
  ASSERT_EQ(publish_ack(a, "pgMsgP", "g1", mention).status, 0);
  EXPECT_NE(pull(b, 0).list(0).status() & storage::kStatusMentioned, 0);
  EXPECT_EQ(pull(c, 0).list(0).status() & storage::kStatusMentioned, 0);
  const auto all = group_text(R"({"content":"@all","mentionedInfo":{"type":1}})", 7);
  const ServerPubAck ack = publish_ack(a, "pgMsgP", "g1", all);
  for (ConnectionId id : {b, c}) {
    const auto h = history_of(id, "qryGMsg", "g1", 1);
    ASSERT_EQ(h.list(0).msgid(), ack.msg_uid);
    EXPECT_NE(h.list(0).status() & storage::kStatusMentioned, 0);
  }
  EXPECT_EQ(history_of(a, "qryGMsg", "g1", 1).list(0).status() & storage::kStatusMentioned, 0)
      << "the sender does not mention itself";
}

TEST_F(HubFeaturesTest, GroupReadReceiptsReachTheSenderAndListTheReaders) {
  make_group("g1", {"userA", "userB", "userC"});
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  const ServerPubAck ack = publish_ack(a, "pgMsgP", "g1", group_text("{\"content\":\"read me\"}"));
  const int64_t a_sync = pull(a, 0).synctime();

  pb::GrpReadReceiptMsg rr;
  rr.add_msgid(ack.msg_uid);
  HubOutput out;
  const QueryAck rr_ack = query(b, "rrMsg", "g1", rr.SerializeAsString(), &out);
  EXPECT_EQ(rr_ack.status, 0);
  EXPECT_EQ(notified(out), (std::set<ConnectionId>{a}));
  const auto got = pull(a, a_sync);
  ASSERT_EQ(got.list_size(), 1);
  EXPECT_EQ(got.list(0).classname(), "RC:RRMsg");
  EXPECT_EQ(got.list(0).fromuserid(), "userB");
  const json content = json::parse(got.list(0).content());
  EXPECT_EQ(content["ouid"], ack.msg_uid);
  EXPECT_EQ(content["readCount"], 1);
  EXPECT_EQ(content["totalCount"], 3);

  // Again: nothing new for the sender.
  query(b, "rrMsg", "g1", rr.SerializeAsString(), &out);
  EXPECT_TRUE(notified(out).empty());

  pb::GrpReadReceiptQryReq q;
  q.add_msgid(ack.msg_uid);
  const auto readers = query_ok<pb::GrpReadReceiptQryResp>(a, "rrList", "g1", q);
  EXPECT_EQ(readers.totalmembernum(), 3);
  ASSERT_EQ(readers.list_size(), 1);
  EXPECT_EQ(readers.list(0).userid(), "userB");
  EXPECT_EQ(readers.list(0).readtime(), now_);

  // The reader's group conversation is read.
  pb::RelationQryInput rq;
  rq.set_type(pb::GROUP);
  rq.set_count(10);
  EXPECT_EQ(query_ok<pb::RelationsOutput>(b, "qryRelationR", "userB", rq).info(0).unreadcount(), 0);
  const ConnectionId d = connect("userD");
  EXPECT_EQ(query(d, "rrList", "g1", q.SerializeAsString()).status, status::kNotInGroup);
}

// ---- chatrooms ----------------------------------------------------------------------------

TEST_F(HubFeaturesTest, ChatroomWithTwentyMembersFansOutAndOneWhoLeavesStopsReceiving) {
  std::vector<ConnectionId> members;
  for (int i = 0; i < 20; ++i) members.push_back(connect("member" + std::to_string(i)));
  int64_t join_time = 0;
  for (ConnectionId id : members) join_time = join(id, "room1").jointime();
  EXPECT_EQ(hub_->chatroom_user_count("K", "room1"), 20u);

  pb::QueryChatRoomInfoInput info_in;
  info_in.set_count(5);
  info_in.set_order(1);
  const auto info = query_ok<pb::QueryChatRoomInfoOutput>(members[3], "queryChrmI", "room1", info_in);
  EXPECT_EQ(info.usertotalnums(), 20);
  EXPECT_EQ(info.userinfos_size(), 5);

  now_ += 10;
  HubOutput out;
  const ServerPubAck ack = publish_ack(members[0], "chatMsg", "room1", group_text("{\"content\":\"hello room\"}"), &out);
  ASSERT_EQ(ack.status, 0);
  const auto ntf = notified(out, 2);
  EXPECT_EQ(ntf.size(), 19u);
  EXPECT_EQ(ntf.count(members[0]), 0u);
  const auto got = chatroom_pull(members[5], "room1", join_time, 10);
  ASSERT_EQ(got.list_size(), 1);
  EXPECT_EQ(got.list(0).type(), 4);
  EXPECT_EQ(got.list(0).groupid(), "room1");
  EXPECT_EQ(got.list(0).fromuserid(), "member0");
  EXPECT_EQ(got.list(0).msgid(), ack.msg_uid);
  EXPECT_GE(got.synctime(), time_of(ack));

  // member 7 leaves, member 8 drops: neither is told about the next message.
  pb::ChrmInput in;
  in.set_nothing(1);
  EXPECT_EQ(query(members[7], "exitChrm", "room1", in.SerializeAsString()).status, 0);
  hub_->disconnected(members[8]);
  EXPECT_EQ(hub_->chatroom_user_count("K", "room1"), 18u);
  publish_ack(members[1], "chatMsg", "room1", group_text("{\"content\":\"second\"}"), &out);
  const auto second = notified(out, 2);
  EXPECT_EQ(second.size(), 17u);
  EXPECT_EQ(second.count(members[7]), 0u);
  EXPECT_EQ(second.count(members[8]), 0u);
  pb::ChrmPullMsg pull_req;
  pull_req.set_synctime(join_time);
  pull_req.set_count(10);
  EXPECT_EQ(query(members[7], "chrmPull", "room1", pull_req.SerializeAsString()).status, status::kNotInChatroom);
  EXPECT_EQ(publish_ack(members[7], "chatMsg", "room1", group_text("{}")).status, status::kNotInChatroom);
}

TEST_F(HubFeaturesTest, ChatroomPullsGiveRecentHistoryThenWhatCameAfterWithoutOwnMessages) {
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  join(a, "room");
  join(b, "room");
  std::vector<std::string> uids;
  for (int i = 0; i < 12; ++i) {
    uids.push_back(publish_ack(i % 2 ? a : b, "chatMsg", "room", group_text("{\"n\":" + std::to_string(i) + "}")).msg_uid);
  }
  // syncTime 0: the newest `count` (0 means the client default, 10), oldest first.
  auto recent = chatroom_pull(a, "room", 0, 0);
  ASSERT_EQ(recent.list_size(), 10);
  EXPECT_EQ(recent.list(0).msgid(), uids[2]);
  EXPECT_EQ(recent.list(9).msgid(), uids[11]);
  EXPECT_EQ(recent.list(9).direction(), 1) << "own message in the history";
  EXPECT_TRUE(recent.finished());
  EXPECT_EQ(chatroom_pull(a, "room", 0, -1).list_size(), 0) << "count -1: no history";
  // After a position: pages of `count`, own messages left out.
  const int64_t after = recent.list(1).datatime();  // uids[3]
  auto page = chatroom_pull(a, "room", after, 4);
  EXPECT_FALSE(page.finished());
  std::vector<std::string> seen;
  for (const auto& m : page.list()) seen.push_back(m.msgid());
  EXPECT_EQ(seen, (std::vector<std::string>{uids[4], uids[6]}));  // 5 and 7 were A's own
  page = chatroom_pull(a, "room", page.synctime(), 4);
  EXPECT_TRUE(page.finished());
  ASSERT_EQ(page.list_size(), 2);
  EXPECT_EQ(page.list(1).msgid(), uids[10]);
}

TEST_F(HubFeaturesTest, ChatroomHistoryKeepsTheConfiguredNumberOfMessages) {
  HubOptions o = default_options();
  o.limits.chatroom_history_size = 5;
  make_hub(o);
  const ConnectionId a = connect("userA");
  join(a, "room");
  std::vector<std::string> uids;
  for (int i = 0; i < 8; ++i) uids.push_back(publish_ack(a, "chatMsg", "room", group_text("{}")).msg_uid);
  pb::HistoryMsgInput in;
  in.set_targetid("room");
  in.set_count(20);
  const auto h = query_ok<pb::HistoryMsgOuput>(a, "qryCHMsg", "userA", in);
  ASSERT_EQ(h.list_size(), 5);
  EXPECT_EQ(h.list(0).msgid(), uids[7]);
  EXPECT_EQ(h.list(4).msgid(), uids[3]);
  EXPECT_EQ(h.hasmsg(), 0);
  const ConnectionId outsider = connect("userZ");
  EXPECT_EQ(query(outsider, "qryCHMsg", "userZ", in.SerializeAsString()).status, status::kNotInChatroom);
}

// ---- recall ---------------------------------------------------------------------------------

TEST_F(HubFeaturesTest, SenderRecallsWithinTheWindowAndEveryoneElseIsRefused) {
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  const ServerPubAck sent = send_text(a, "userB", "{\"content\":\"oops\"}");
  const int64_t b_sync = pull(b, 0).synctime();

  // Not the sender: refused, nothing marked.
  EXPECT_EQ(publish_ack(b, "recallMsg", "userB", recall_command(sent, 1, "userA")).status, status::kRecallFailed);
  HubOutput out;
  const ServerPubAck recalled = publish_ack(a, "recallMsg", "userA", recall_command(sent, 1, "userB"), &out);
  ASSERT_EQ(recalled.status, 0);
  EXPECT_NE(recalled.msg_uid, sent.msg_uid);
  EXPECT_EQ(notified(out), (std::set<ConnectionId>{b}));
  const auto cmd = pull(b, b_sync);
  ASSERT_EQ(cmd.list_size(), 1);
  EXPECT_EQ(cmd.list(0).classname(), "RC:RcCmd");
  EXPECT_EQ(json::parse(cmd.list(0).content())["messageUId"], sent.msg_uid);
  EXPECT_EQ(cmd.list(0).msgid(), recalled.msg_uid);

  // History keeps the message as the recall notice; it no longer counts as unread.
  const auto h = history(b, "userA", 0, 10);
  ASSERT_EQ(h.list_size(), 1) << "the command is not in history";
  EXPECT_EQ(h.list(0).msgid(), sent.msg_uid);
  EXPECT_EQ(h.list(0).classname(), "RC:RcNtf");
  EXPECT_EQ(json::parse(h.list(0).content())["originalObjectName"], "RC:TxtMsg");
  EXPECT_EQ(conversations(b).info(0).unreadcount(), 0);
  EXPECT_EQ(metrics_.messages_recalled_total.load(), 1u);

  // Twice, or too late: refused.
  EXPECT_EQ(publish_ack(a, "recallMsg", "userA", recall_command(sent, 1, "userB")).status, status::kRecallFailed);
  const ServerPubAck old = send_text(a, "userB");
  now_ += default_options().limits.recall_window_ms + 1000;  // (the clock gave `old` a few ms past now_)
  EXPECT_EQ(publish_ack(a, "recallMsg", "userA", recall_command(old, 1, "userB")).status, status::kRecallFailed);
  pb::UpStreamMessage unknown = recall_command(old, 1, "userB");
  unknown.set_content("{\"messageUId\":\"NO-SUCH-UID\"}");
  EXPECT_EQ(publish_ack(a, "recallMsg", "userA", unknown).status, status::kRecallFailed);
}

TEST_F(HubFeaturesTest, RecallOfAGroupMessageReachesEveryMember) {
  make_group("g1", {"userA", "userB", "userC"});
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  const ConnectionId c = connect("userC");
  const ServerPubAck sent = publish_ack(a, "pgMsgP", "g1", group_text("{\"content\":\"x\"}"));
  HubOutput out;
  ASSERT_EQ(publish_ack(a, "recallMsg", "userA", recall_command(sent, 3, "g1"), &out).status, 0);
  EXPECT_EQ(notified(out), (std::set<ConnectionId>{b, c}));
  const auto got = pull(c, 0);
  ASSERT_EQ(got.list_size(), 2);
  EXPECT_EQ(got.list(0).classname(), "RC:RcNtf") << "the original, now the notice";
  EXPECT_EQ(got.list(1).classname(), "RC:RcCmd");
  EXPECT_EQ(got.list(1).type(), pb::GROUP);
  EXPECT_EQ(got.list(1).groupid(), "g1");
}

// ---- typing -----------------------------------------------------------------------------

TEST_F(HubFeaturesTest, TypingGoesToOnlineSessionsOnlyAndIsNeverStored) {
  const ConnectionId a = connect("userA");
  const ConnectionId b1 = connect("userB");
  const ConnectionId b2 = connect("userB");
  const int64_t b_sync = pull(b1, 0).synctime();
  pull(b2, 0);
  now_ += 100;  // (right after a pull's answer they would wait a moment: see below)
  const auto typing = text("{\"typingContentType\":\"RC:TxtMsg\"}", std::nullopt, "RC:TypSts", 0);
  HubOutput out = publish(a, "userB", typing, 0, "ppMsgS");
  EXPECT_TRUE(frames_to(out, a).empty()) << "no answer to a status message";
  for (ConnectionId id : {b1, b2}) {
    const auto got = all<ServerPublish>(out, id);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].topic, "s_msg");
    EXPECT_EQ(got[0].message_id, 0);
    pb::DownStreamMessage m;
    ASSERT_TRUE(m.ParseFromString(got[0].payload));
    EXPECT_EQ(m.classname(), "RC:TypSts");
    EXPECT_EQ(m.fromuserid(), "userA");
    EXPECT_FALSE(m.msgid().empty());
  }
  EXPECT_EQ(pull(b1, b_sync).list_size(), 0) << "nothing stored";
  EXPECT_EQ(conversations(b1).info_size(), 0) << "nothing counted";
  EXPECT_TRUE(publish(a, "userC", typing, 0, "ppMsgS").frames.empty()) << "offline: dropped";

  make_group("g1", {"userA", "userB", "userC"});
  const ConnectionId c = connect("userC");
  pull(c, 0);
  now_ += 100;
  out = publish(a, "g1", typing, 0, "pgMsgS");
  EXPECT_EQ(all<ServerPublish>(out, c).size(), 1u);
  EXPECT_EQ(all<ServerPublish>(out, b1).size(), 1u);
  EXPECT_TRUE(frames_to(out, a).empty());
}

TEST_F(HubFeaturesTest, TypingForASessionThatHasNotPulledYetWaitsForItsFirstPull) {
  // The official client drops an s_msg while its first pullMsg is in flight (§4.3).
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  const auto typing = text("{\"typingContentType\":\"RC:TxtMsg\"}", std::nullopt, "RC:TypSts", 0);
  EXPECT_TRUE(publish(a, "userB", typing, 0, "ppMsgS").frames.empty());
  pb::SyncRequestMsg req;
  req.set_synctime(0);
  req.set_ispolling(false);
  HubOutput out;
  query(b, "pullMsg", "userB", req.SerializeAsString(), &out);
  EXPECT_EQ(frames_to(out, b).size(), 1u) << "the pull's answer, alone";
  // A moment later (not in the same read as the answer), from tick().
  EXPECT_EQ(hub_->next_deadline(), now_ + 50);
  EXPECT_TRUE(frames_to(hub_->tick(now_ + 49), b).empty());
  const auto later = all<ServerPublish>(hub_->tick(now_ + 50), b);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].topic, "s_msg");
  now_ += 50;
  EXPECT_EQ(all<ServerPublish>(publish(a, "userB", typing, 0, "ppMsgS"), b).size(), 1u) << "then at once";
  // A stale one is not delivered.
  const ConnectionId c = connect("userC");
  publish(a, "userC", typing, 0, "ppMsgS");
  now_ += 6'000;
  query(c, "pullMsg", "userC", req.SerializeAsString());
  EXPECT_TRUE(frames_to(hub_->tick(now_ + 100), c).empty());
}

// ---- blacklist ----------------------------------------------------------------------------

TEST_F(HubFeaturesTest, BlacklistTopicsAndA405ForTheBlockedSender) {
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  pb::Add2BlackListInput add;
  add.set_userid("userA");
  EXPECT_EQ(query(b, "addBlack", "userB", add.SerializeAsString()).status, 0);
  pb::QueryBlackListInput qi;
  qi.set_nothing(1);
  const auto list = query_ok<pb::QueryBlackListOutput>(b, "qryBlack", "userB", qi);
  ASSERT_EQ(list.userids_size(), 1);
  EXPECT_EQ(list.userids(0), "userA");
  pb::BlackListStatusInput st;
  st.set_userid("userA");
  EXPECT_EQ(query_ok<pb::QueryBlackListOutput>(b, "blackStat", "userB", st).userids_size(), 1);
  st.set_userid("userC");
  EXPECT_EQ(query_ok<pb::QueryBlackListOutput>(b, "blackStat", "userB", st).userids_size(), 0);

  HubOutput out;
  EXPECT_EQ(send_text(a, "userB", "{}", std::nullopt, &out).status, status::kRejectedByBlacklist);
  EXPECT_TRUE(frames_to(out, b).empty());
  EXPECT_EQ(pull(b, 0).list_size(), 0);
  EXPECT_EQ(history(a, "userB", 0, 10).list_size(), 0) << "not stored for the sender either";
  EXPECT_EQ(send_text(b, "userA").status, 0) << "the other way is open";

  pb::RemoveFromBlackListInput rm;
  rm.set_userid("userA");
  EXPECT_EQ(query(b, "rmBlack", "userB", rm.SerializeAsString()).status, 0);
  EXPECT_EQ(send_text(a, "userB").status, 0);
}

// ---- devices, kicks, blocks -------------------------------------------------------------------

TEST_F(HubFeaturesTest, MultiDeviceSendsASyncCopyToTheSendersOtherSessions) {
  const ConnectionId a1 = connect("userA");
  const ConnectionId a2 = connect("userA");
  // a2 has requests in flight around id 41: the copy's id must be far from it.
  ClientQuery q;
  q.topic = "reportsdk";
  q.target_id = "userA";
  q.message_id = 41;
  pb::ReportSDKInput sdk;
  sdk.set_sdkinfo("{}");
  q.payload = sdk.SerializeAsString();
  send(a2, q);
  HubOutput out;
  const ServerPubAck ack = send_text(a1, "userB", "{\"content\":\"from a1\"}", std::nullopt, &out);
  const auto to_a2 = frames_to(out, a2);
  ASSERT_EQ(to_a2.size(), 2u);
  const auto* copy = as<ServerPublish>(to_a2[0]);
  const auto* copy_ack = as<ServerPubAck>(to_a2[1]);
  ASSERT_TRUE(copy && copy_ack);
  EXPECT_TRUE(copy->flags.dup);
  EXPECT_EQ(copy->flags.qos, 1);
  EXPECT_EQ(copy->topic, "ppMsgP");
  EXPECT_EQ(copy->target_id, "userB");
  pb::UpStreamMessage up;
  ASSERT_TRUE(up.ParseFromString(copy->payload));
  EXPECT_EQ(up.content(), "{\"content\":\"from a1\"}");
  EXPECT_NE(copy->message_id, 0);
  EXPECT_GT(std::abs(int{copy->message_id} - 41), 1000);
  EXPECT_EQ(copy_ack->message_id, copy->message_id);
  EXPECT_EQ(copy_ack->msg_uid, ack.msg_uid);
  EXPECT_EQ(time_of(*copy_ack), time_of(ack));
  EXPECT_TRUE(frames_to(out, a1).size() == 1u) << "the sender gets its PUBACK only";
}

TEST_F(HubFeaturesTest, SingleSessionAppKicksTheOldSessionWithDisconnect1) {
  const ConnectionId old_session = connect_app("userA", "KS", "SS");
  HubOutput out;
  const ConnectionId fresh = connect_app("userA", "KS", "SS", &out);
  const auto kicked = all<Disconnect>(out, old_session);
  ASSERT_EQ(kicked.size(), 1u);
  EXPECT_EQ(kicked[0].status, status::kDisconnectOtherLogin);
  EXPECT_TRUE(closes(out, old_session, CloseReason::kKicked));
  EXPECT_EQ(all<ConnAck>(out, fresh).at(0).status, 0);
  EXPECT_EQ(hub_->session_count(), 1u);
  EXPECT_EQ(hub_->user_of(fresh), "userA");
  EXPECT_EQ(metrics_.sessions_kicked_total.load(), 1u);
}

TEST_F(HubFeaturesTest, MultiDeviceAppKeepsMaxSessionsPerUserAndKicksTheOldest) {
  HubOptions o = default_options();
  o.limits.max_sessions_per_user = 2;
  make_hub(o);
  const ConnectionId first = connect("userA");
  now_ += 1;
  const ConnectionId second = connect("userA");
  now_ += 1;
  HubOutput out;
  const ConnectionId third = connect_app("userA", "K", "S", &out);
  EXPECT_EQ(all<Disconnect>(out, first).size(), 1u);
  EXPECT_TRUE(frames_to(out, second).empty());
  EXPECT_EQ(hub_->session_count(), 2u);
  (void)third;
}

TEST_F(HubFeaturesTest, BlockedUsersAreKickedWithStatus2AndRefusedUntilTheBlockEnds) {
  const ConnectionId a = connect("userA");
  ASSERT_TRUE(storage_->block_user("K", "userA", now_ + 60'000).ok());
  HubOutput out;
  hub_->kick_user("K", "userA", status::kDisconnectBlocked, out);
  ASSERT_EQ(all<Disconnect>(out, a).size(), 1u);
  EXPECT_EQ(all<Disconnect>(out, a)[0].status, status::kDisconnectBlocked);
  EXPECT_FALSE(hub_->is_online("K", "userA"));
  HubOutput refused;
  const ConnectionId again = connect_app("userA", "K", "S", &refused);
  EXPECT_EQ(all<ConnAck>(refused, again).at(0).status, status::kConnUserBlocked);
  EXPECT_TRUE(closes(refused, again, CloseReason::kAuthRejected));
  now_ += 60'001;
  HubOutput later;
  const ConnectionId after = connect_app("userA", "K", "S", &later);
  EXPECT_EQ(all<ConnAck>(later, after).at(0).status, 0);
}

// ---- limits -------------------------------------------------------------------------------

TEST_F(HubFeaturesTest, SendsOverTheRateAreAnswered20604) {
  HubOptions o = default_options();
  o.limits.send_rate_per_second = 2;
  o.limits.send_burst = 3;
  make_hub(o);
  const ConnectionId a = connect("userA");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(send_text(a, "userB").status, 0) << i;
  EXPECT_EQ(send_text(a, "userB").status, status::kSendTooFast);
  EXPECT_EQ(metrics_.errors(Metrics::Error::kRateLimited), 1u);
  now_ += 500;  // one token back
  EXPECT_EQ(send_text(a, "userB").status, 0);
  EXPECT_EQ(send_text(a, "userB").status, status::kSendTooFast);
  const ConnectionId other = connect("userA");
  EXPECT_EQ(send_text(other, "userB").status, 0) << "per session";
}

// ---- comet ---------------------------------------------------------------------------------

TEST_F(HubFeaturesTest, CometPostsAreFramesAndBadBodiesGetAnErrorStatus) {
  const ConnectionId a = next_connection_++;
  ConnectRequest request;
  request.app_key = "K";
  request.token = token("userA");
  request.transport = Transport::kComet;
  ASSERT_EQ(all<ConnAck>(hub_->connect(a, request, now_), a).at(0).status, 0);

  CometRequest post;
  post.header = 0x32;
  post.message_id = 9;
  post.has_topic = true;
  post.topic = "ppMsgP";
  post.target_id = "userB";
  post.body = R"({"sessionId":3,"configFlag":0,"classname":"RC:TxtMsg","content":"{\"content\":\"hi\"}"})";
  HubOutput out = hub_->receive_comet(a, post, now_);
  auto acks = all<ServerPubAck>(out, a);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].status, 0);
  EXPECT_EQ(acks[0].message_id, 9);

  post.message_id = 10;
  post.body = "{not json";
  out = hub_->receive_comet(a, post, now_);
  ASSERT_EQ(all<ServerPubAck>(out, a).size(), 1u);
  EXPECT_EQ(all<ServerPubAck>(out, a)[0].status, status::from_error(ErrorCode::kBadProtobuf));
  post.topic = "noSuchTopic";
  out = hub_->receive_comet(a, post, now_);
  EXPECT_EQ(all<ServerPubAck>(out, a)[0].status, status::from_error(ErrorCode::kUnknownTopic));
  EXPECT_TRUE(out.closes.empty());

  // A scalar for a repeated field is a one-element list, as ProtoBuf.js encodes it (the
  // official client's getMessageReader sends rrList {"msgId":"<uid>"}).
  make_group("g1", {"userA"});
  const ServerPubAck sent = publish_ack(a, "pgMsgP", "g1", group_text("{}"));
  CometRequest readers;
  readers.header = 0x50;
  readers.message_id = 11;
  readers.has_topic = true;
  readers.topic = "rrList";
  readers.target_id = "g1";
  readers.body = "{\"msgId\":\"" + sent.msg_uid + "\"}";
  out = hub_->receive_comet(a, readers, now_);
  ASSERT_EQ(all<QueryAck>(out, a).size(), 1u);
  EXPECT_EQ(all<QueryAck>(out, a)[0].status, 0);

  // A comet client never pings: its polls keep the session alive.
  now_ += 40'000;
  hub_->keep_alive(a, now_);
  EXPECT_TRUE(hub_->tick(now_ + 10'000).closes.empty());
  CometRequest junk;
  junk.header = 0x10;  // CONNECT is not a client frame here
  EXPECT_TRUE(closes(hub_->receive_comet(a, junk, now_), a, CloseReason::kProtocolError));
}

// ---- server API messages --------------------------------------------------------------------

TEST_F(HubFeaturesTest, ServerPublishedMessagesAreDeliveredLikeUserOnes) {
  const ConnectionId b = connect("userB");
  const ConnectionId admin = connect("admin");
  ServerMessage m;
  m.app_key = "K";
  m.from_user_id = "admin";
  m.conversation_type = storage::ConversationType::kSystem;
  m.targets = {"userB", "userC"};
  m.classname = "RC:TxtMsg";
  m.content = "{\"content\":\"maintenance at 2am\"}";
  HubOutput out;
  auto published = hub_->publish(m, now_, out);
  ASSERT_TRUE(published.ok());
  ASSERT_EQ(published.value().size(), 2u);
  EXPECT_FALSE(published.value()[0].msg_uid.empty());
  EXPECT_EQ(notified(out), (std::set<ConnectionId>{b}));
  const auto got = pull(b, 0);
  ASSERT_EQ(got.list_size(), 1);
  EXPECT_EQ(got.list(0).type(), pb::NOTIFY);
  EXPECT_EQ(got.list(0).fromuserid(), "admin");
  EXPECT_EQ(history_of(b, "qrySMsg", "admin", 10).list_size(), 1);
  const int64_t admin_sync = pull(admin, 0).synctime();
  EXPECT_EQ(pull(admin, admin_sync).list_size(), 0) << "not included for the sender";

  // Private, including the sender; skipped where the sender is blacklisted.
  ASSERT_TRUE(storage_->add_to_blacklist("K", "userC", {"admin"}, now_).ok());
  m.conversation_type = storage::ConversationType::kPrivate;
  m.include_sender = true;
  m.check_blacklist = true;
  published = hub_->publish(m, now_, out);
  ASSERT_TRUE(published.ok());
  EXPECT_FALSE(published.value()[0].msg_uid.empty());
  EXPECT_TRUE(published.value()[1].msg_uid.empty()) << "userC blacklisted admin";
  const auto own = pull(admin, admin_sync, admin_sync);
  ASSERT_EQ(own.list_size(), 1);
  EXPECT_EQ(own.list(0).direction(), 1);

  // Group.
  make_group("g1", {"userB", "userC"});
  m.conversation_type = storage::ConversationType::kGroup;
  m.targets = {"g1", "no-such-group"};
  m.include_sender = false;
  published = hub_->publish(m, now_, out);
  ASSERT_TRUE(published.ok());
  EXPECT_FALSE(published.value()[0].msg_uid.empty());
  EXPECT_TRUE(published.value()[1].msg_uid.empty());
  EXPECT_EQ(history_of(b, "qryGMsg", "g1", 10).list(0).fromuserid(), "admin");
}

}  // namespace
}  // namespace parley::server::im
