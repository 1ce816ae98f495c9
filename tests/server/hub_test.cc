// The hub, frames in -> frames out, with an in-memory SQLite store: connect and refusals,
// sending, delivery notifications, sync, history, conversations, read state, and how bad
// input is answered without disturbing other sessions.
#include "hub_fixture.h"

namespace parley::server::im {
namespace {

// ---- connect ----------------------------------------------------------------------------

TEST_F(HubTest, ConnectAnswersWithUserSessionAndTime) {
  const HubOutput out = hub_->connect(7, {"K", token("userA") + "@", "2.9.2", "test"}, now_);
  ASSERT_EQ(out.frames.size(), 1u);
  const auto* ack = as<ConnAck>(out.frames[0]);
  ASSERT_NE(ack, nullptr);
  EXPECT_EQ(out.frames[0].connection, 7u);
  EXPECT_EQ(ack->status, 0);
  EXPECT_TRUE(ack->has_identity);
  EXPECT_EQ(ack->user_id, "userA");
  EXPECT_EQ(ack->session_id.size(), 16u);
  EXPECT_EQ(ack->timestamp_ms, static_cast<uint64_t>(now_));
  EXPECT_EQ(hub_->session_count(), 1u);
  EXPECT_EQ(hub_->user_of(7), "userA");
}

TEST_F(HubTest, BadTokensAndAppsGetANonZeroConnAckAndAClose) {
  struct Case {
    std::string app, token;
    uint8_t status;
  };
  const std::string other_app_token = token("userA", "K2", "S2");
  std::string tampered = token("userA");
  tampered.back() = tampered.back() == 'x' ? 'y' : 'x';
  const std::vector<Case> cases = {
      {"K", "garbage", status::kConnTokenIncorrect},
      {"K", "", status::kConnTokenIncorrect},
      {"K", tampered, status::kConnTokenIncorrect},
      {"K", token("userA", "K", "wrong-secret"), status::kConnTokenIncorrect},
      {"K", other_app_token, status::kConnTokenIncorrect},  // signed by K2, presented to K
      {"nope", token("userA"), status::kConnIdentifierRejected},
  };
  ConnectionId id = 100;
  for (const auto& c : cases) {
    const HubOutput out = hub_->connect(++id, {c.app, c.token, "2.9.2", "test"}, now_);
    ASSERT_EQ(out.frames.size(), 1u);
    const auto* ack = as<ConnAck>(out.frames[0]);
    ASSERT_NE(ack, nullptr);
    EXPECT_EQ(ack->status, c.status) << c.token;
    EXPECT_FALSE(ack->has_identity);
    EXPECT_TRUE(closes(out, id, CloseReason::kAuthRejected));
    EXPECT_TRUE(encode_server_frame(out.frames[0].frame).ok());
  }
  EXPECT_EQ(hub_->session_count(), 0u);
  EXPECT_EQ(metrics_.errors(Metrics::Error::kAuthRejected), cases.size());
}

TEST_F(HubTest, ExpiredTokenGetsStatus10) {
  HubOptions o = default_options();
  o.token_ttl_ms = 60'000;
  make_hub(o);
  const HubOutput out = hub_->connect(1, {"K", token("u", "K", "S", now_ - 60'001), "", ""}, now_);
  ASSERT_EQ(out.frames.size(), 1u);
  EXPECT_EQ(as<ConnAck>(out.frames[0])->status, status::kConnTokenExpired);
}

TEST_F(HubTest, StorageDownAtConnectIsServerUnavailable) {
  storage_->fail_writes = true;
  const HubOutput out = hub_->connect(1, {"K", token("u"), "", ""}, now_);
  ASSERT_EQ(out.frames.size(), 1u);
  EXPECT_EQ(as<ConnAck>(out.frames[0])->status, status::kConnServerUnavailable);
  EXPECT_EQ(hub_->session_count(), 0u);
}

TEST_F(HubTest, PingGetsPong) {
  const ConnectionId a = connect("userA");
  const HubOutput out = send(a, PingReq{});
  ASSERT_EQ(out.frames.size(), 1u);
  EXPECT_NE(as<PingResp>(out.frames[0]), nullptr);
}

TEST_F(HubTest, ConnectSequenceQueriesGetValidAnswers) {
  const ConnectionId a = connect("userA");
  pb::SessionReq se;
  se.set_time(0);
  const auto states = query_ok<pb::SessionStates>(a, "pullSeAtts", "userA", se);
  EXPECT_EQ(states.state_size(), 0);
  pb::PullUserSettingInput us;
  us.set_version(0);
  const auto settings = query_ok<pb::PullUserSettingOutput>(a, "pullUS", "userA", us);
  EXPECT_EQ(settings.version(), 0);
  const auto sync = pull(a, 0);
  EXPECT_EQ(sync.list_size(), 0);
  EXPECT_TRUE(sync.finished());
  pb::ReportSDKInput sdk;
  sdk.set_sdkinfo(R"({"engine":"4.4.2","imlib":"2.9.2"})");
  const QueryAck ack = query(a, "reportsdk", "userA", sdk.SerializeAsString());
  EXPECT_EQ(ack.status, 0);
  // PUBACK and QUERYCON from the client are accepted silently.
  EXPECT_TRUE(send(a, ClientPubAck{{}, 1}).frames.empty());
  EXPECT_TRUE(send(a, ClientQueryCon{{}, 1}).frames.empty());
}

// ---- sending and delivery ----------------------------------------------------------------

TEST_F(HubTest, PrivateMessageIsAcknowledgedAndThePeerNotified) {
  const ConnectionId a1 = connect("userA");
  const ConnectionId a2 = connect("userA");
  const ConnectionId b1 = connect("userB");
  const ConnectionId b2 = connect("userB");
  const ConnectionId c = connect("userC");
  now_ += 5;
  HubOutput out;
  const ServerPubAck ack = send_text(a1, "userB", "{\"content\":\"hello\"}", std::nullopt, &out);
  EXPECT_EQ(ack.status, 0);
  EXPECT_TRUE(is_message_uid_shape(ack.msg_uid)) << ack.msg_uid;
  const int64_t sent_ms = int64_t{ack.date} * 1000 + ack.millis;
  EXPECT_EQ(sent_ms, now_);

  // s_ntf{type 1, time} to both of B's sessions; A's other session gets a sync copy
  // (tested in MultiDevice...); nothing to C or A1.
  std::set<ConnectionId> notified;
  for (const auto& f : out.frames) {
    const auto* p = as<ServerPublish>(f);
    if (!p || p->flags.dup) continue;
    EXPECT_EQ(p->topic, "s_ntf");
    EXPECT_EQ(p->message_id, 0);
    EXPECT_EQ(p->flags.qos, 0);
    pb::NotifyMsg n;
    ASSERT_TRUE(n.ParseFromString(p->payload));
    EXPECT_EQ(n.type(), 1);
    EXPECT_EQ(n.time(), sent_ms);
    notified.insert(f.connection);
  }
  EXPECT_EQ(notified, (std::set<ConnectionId>{b1, b2}));
  EXPECT_FALSE(frames_to(out, a2).empty());
  (void)c;
  EXPECT_EQ(metrics_.messages_stored_total.load(), 1u);
}

TEST_F(HubTest, PeerPullsTheMessageAndTheSyncTimeCoversTheNotification) {
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  const ServerPubAck ack = send_text(a, "userB", "{\"content\":\"hello\"}");
  const int64_t sent_ms = int64_t{ack.date} * 1000 + ack.millis;

  const auto sync = pull(b, 0);
  ASSERT_EQ(sync.list_size(), 1);
  const auto& m = sync.list(0);
  EXPECT_EQ(m.fromuserid(), "userA");
  EXPECT_EQ(m.type(), pb::PERSON);
  EXPECT_EQ(m.classname(), "RC:TxtMsg");
  EXPECT_EQ(m.content(), "{\"content\":\"hello\"}");
  EXPECT_EQ(m.datatime(), sent_ms);
  EXPECT_EQ(m.status(), storage::kStatusPersisted | storage::kStatusCounted);
  EXPECT_EQ(m.msgid(), ack.msg_uid);
  EXPECT_EQ(m.direction(), 2);
  EXPECT_GE(sync.synctime(), sent_ms);
  EXPECT_TRUE(sync.finished());

  // From that position, nothing more.
  const auto again = pull(b, sync.synctime());
  EXPECT_EQ(again.list_size(), 0);
  EXPECT_GE(again.synctime(), sync.synctime());
}

TEST_F(HubTest, OwnMessagesFromAnotherSessionComeWithDirectionSentAndThePeerAsFrom) {
  const ConnectionId a1 = connect("userA");
  const ConnectionId a2 = connect("userA");
  const auto first = pull(a2, 0);  // every client pulls right after CONNACK
  EXPECT_EQ(first.list_size(), 0);
  EXPECT_GT(first.synctime(), 0) << "a position, even on an empty server";
  const ServerPubAck ack = send_text(a1, "userB");
  // The client's outbox position stays 0 until it has seen an own message.
  const auto sync = pull(a2, first.synctime(), 0);
  ASSERT_EQ(sync.list_size(), 1);
  EXPECT_EQ(sync.list(0).direction(), 1);
  EXPECT_EQ(sync.list(0).fromuserid(), "userB");
  EXPECT_EQ(sync.list(0).msgid(), ack.msg_uid);
}

TEST_F(HubTest, OfflinePeerGetsEverythingOnceInOrderInBatches) {
  HubOptions o = default_options();
  o.limits.sync_batch_size = 2;
  make_hub(o);
  const ConnectionId a = connect("userA");
  std::vector<std::string> uids;
  for (int i = 0; i < 5; ++i) uids.push_back(send_text(a, "userB", "{\"content\":\"" + std::to_string(i) + "\"}").msg_uid);

  const ConnectionId b = connect("userB");
  std::vector<std::string> got;
  std::vector<bool> finished;
  int64_t inbox = 0, outbox = 0;
  for (int round = 0; round < 10; ++round) {
    const auto sync = pull(b, inbox, outbox);
    for (const auto& m : sync.list()) got.push_back(m.msgid());
    inbox = sync.synctime();  // as the client: inbox = syncTime
    finished.push_back(sync.finished());
    if (sync.finished()) break;
  }
  EXPECT_EQ(got, uids);
  EXPECT_EQ(finished, (std::vector<bool>{false, false, true}));
}

TEST_F(HubTest, TimesAreStrictlyIncreasingAndUidsSortInTimeOrder) {
  const ConnectionId a = connect("userA");
  int64_t last = 0;
  std::string last_uid;
  for (int i = 0; i < 50; ++i) {  // all at the same wall-clock ms
    const ServerPubAck ack = send_text(a, "userB");
    const int64_t t = int64_t{ack.date} * 1000 + ack.millis;
    EXPECT_GT(t, last);
    EXPECT_GT(ack.msg_uid, last_uid);
    last = t;
    last_uid = ack.msg_uid;
  }
  // A restarted hub (same store) starts above what is stored, even if the clock went back.
  now_ -= 10'000;
  make_hub(default_options());
  const ConnectionId a2 = connect("userA");
  const ServerPubAck ack = send_text(a2, "userB");
  EXPECT_GT(int64_t{ack.date} * 1000 + ack.millis, last);
}

TEST_F(HubTest, RepeatedClientUniqueIdGetsTheFirstPubAckAndIsNotDeliveredAgain) {
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  HubOutput first_out, second_out;
  const ServerPubAck first = send_text(a, "userB", "{\"content\":\"once\"}", 99, &first_out);
  now_ += 1000;
  const ServerPubAck second = send_text(a, "userB", "{\"content\":\"once\"}", 99, &second_out);
  EXPECT_EQ(second.msg_uid, first.msg_uid);
  EXPECT_EQ(second.date, first.date);
  EXPECT_EQ(second.millis, first.millis);
  EXPECT_TRUE(frames_to(second_out, b).empty()) << "no second notification";
  EXPECT_EQ(pull(b, 0).list_size(), 1);
  EXPECT_EQ(metrics_.messages_deduplicated_total.load(), 1u);
  // The id is per sender: another user's 99 is a new message.
  const ConnectionId c = connect("userC");
  EXPECT_NE(send_text(c, "userB", "{}", 99).msg_uid, first.msg_uid);
}

TEST_F(HubTest, ANewDeviceStartsWhereTheUsersDevicesHaveBeen) {
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  const ServerPubAck received = send_text(a, "userB");
  send_text(b, "userA");
  // B's first pull: what it received; its own message is known to the session that sent it.
  const auto first = pull(b, 0);
  ASSERT_EQ(first.list_size(), 1);
  EXPECT_EQ(first.list(0).msgid(), received.msg_uid);
  const ServerPubAck later = send_text(a, "userB");
  // A new browser (no stored positions: syncTime 0, sendBoxSyncTime 0) gets only what is new.
  const ConnectionId b_new = connect("userB");
  const auto fresh = pull(b_new, 0, 0);
  ASSERT_EQ(fresh.list_size(), 1);
  EXPECT_EQ(fresh.list(0).msgid(), later.msg_uid);
}

// A new device that confirms (Parley) leaves the user's position where it was until its
// next pull shows the answer arrived: an answer lost with a closed page is handed to the
// next new device again, instead of to none.
TEST_F(HubTest, AConfirmingNewDeviceMovesThePositionOnlyOnceConfirmed) {
  HubOptions o = default_options();
  o.limits.sync_batch_size = 2;
  make_hub(o);
  const ConnectionId a = connect("userA");
  std::vector<std::string> uids;
  for (int i = 0; i < 3; ++i) uids.push_back(send_text(a, "userB").msg_uid);
  auto uids_of = [](const pb::DownStreamMessages& m) {
    std::vector<std::string> out;
    for (const auto& x : m.list()) out.push_back(x.msgid());
    return out;
  };

  // The page closes after the first batch reached the server's side of the wire.
  const ConnectionId lost = connect("userB");
  const auto first = pull(lost, 0, 0, true);
  EXPECT_EQ(uids_of(first), (std::vector<std::string>{uids[0], uids[1]}));
  hub_->disconnected(lost);

  // The next new device gets everything; its continuation batches wait for confirmation too.
  const ConnectionId b = connect("userB");
  auto batch = pull(b, 0, 0, true);
  EXPECT_EQ(uids_of(batch), (std::vector<std::string>{uids[0], uids[1]}));
  ASSERT_FALSE(batch.finished());
  // Meanwhile another new device starts from the same place.
  const ConnectionId other = connect("userB");
  EXPECT_EQ(pull(other, 0, 0, true).list_size(), 2);
  hub_->disconnected(other);
  batch = pull(b, batch.synctime(), 0, true);  // confirms the first batch
  EXPECT_EQ(uids_of(batch), (std::vector<std::string>{uids[2]}));
  ASSERT_TRUE(batch.finished());
  const ConnectionId after_first = connect("userB");
  EXPECT_EQ(uids_of(pull(after_first, 0, 0, true)), (std::vector<std::string>{uids[2]}))
      << "the first batch is confirmed, the last one not yet";
  hub_->disconnected(after_first);

  // The confirming pull (no flag) moves the position: new devices get nothing old.
  EXPECT_EQ(pull(b, batch.synctime()).list_size(), 0);
  const ConnectionId fresh = connect("userB");
  EXPECT_EQ(pull(fresh, 0, 0, true).list_size(), 0);
  // A device that does not confirm (the official client) moves it at once, as before.
  const std::string later = send_text(a, "userB").msg_uid;
  const ConnectionId official = connect("userB");
  EXPECT_EQ(uids_of(pull(official, 0)), (std::vector<std::string>{later}));
  hub_->disconnected(official);
  const ConnectionId next = connect("userB");
  EXPECT_EQ(pull(next, 0).list_size(), 0);
}

TEST_F(HubTest, UnpersistedMessagesAreDeliveredButNotKeptOrCounted) {
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  publish(a, "userB", text("{}", std::nullopt, "RC:CmdMsg", 0), 1);
  // A custom type with the sender's flags: persisted, not counted.
  publish(a, "userB", text("{}", std::nullopt, "App:Custom", 1), 2);
  const auto sync = pull(b, 0);
  ASSERT_EQ(sync.list_size(), 2);
  EXPECT_EQ(sync.list(0).status(), 0);
  EXPECT_EQ(sync.list(1).status(), storage::kStatusPersisted);
  EXPECT_EQ(history(b, "userA", 0, 10).list_size(), 1);
  const auto list = conversations(b);
  ASSERT_EQ(list.info_size(), 1);
  EXPECT_EQ(list.info(0).unreadcount(), 0);
}

// ---- history and conversations ---------------------------------------------------------

TEST_F(HubTest, HistoryPagesNewestFirstWithHasMsg) {
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  std::vector<int64_t> times;
  for (int i = 0; i < 5; ++i) {
    const ServerPubAck ack = send_text(i % 2 ? b : a, i % 2 ? "userA" : "userB");
    times.push_back(int64_t{ack.date} * 1000 + ack.millis);
  }
  auto page = history(b, "userA", 0, 2);
  ASSERT_EQ(page.list_size(), 2);
  EXPECT_EQ(page.list(0).datatime(), times[4]);
  EXPECT_EQ(page.list(1).datatime(), times[3]);
  EXPECT_EQ(page.list(1).direction(), 1);  // B's own message
  EXPECT_EQ(page.list(1).fromuserid(), "userA");
  EXPECT_EQ(page.hasmsg(), 1);
  page = history(b, "userA", page.list(1).datatime(), 2);
  ASSERT_EQ(page.list_size(), 2);
  EXPECT_EQ(page.list(0).datatime(), times[2]);
  EXPECT_EQ(page.hasmsg(), 1);
  page = history(b, "userA", page.list(1).datatime(), 2);
  ASSERT_EQ(page.list_size(), 1);
  EXPECT_EQ(page.list(0).datatime(), times[0]);
  EXPECT_EQ(page.hasmsg(), 0);
  // order 1: newer than the time, still newest first.
  page = history(b, "userA", times[1], 2, 1);
  ASSERT_EQ(page.list_size(), 2);
  EXPECT_EQ(page.list(0).datatime(), times[3]);
  EXPECT_EQ(page.list(1).datatime(), times[2]);
  EXPECT_EQ(page.hasmsg(), 1);
}

TEST_F(HubTest, ConversationListCountsUnreadUntilAReadReceipt) {
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  std::vector<ServerPubAck> acks;
  for (int i = 0; i < 3; ++i) acks.push_back(send_text(a, "userB"));
  auto list = conversations(b);
  ASSERT_EQ(list.info_size(), 1);
  EXPECT_EQ(list.info(0).userid(), "userA");
  EXPECT_EQ(list.info(0).type(), pb::PERSON);
  EXPECT_EQ(list.info(0).unreadcount(), 3);
  EXPECT_EQ(list.info(0).msg().msgid(), acks[2].msg_uid);
  EXPECT_EQ(conversations(a).info(0).unreadcount(), 0);

  // RC:ReadNtf from B up to the second message: one left.
  const int64_t second = int64_t{acks[1].date} * 1000 + acks[1].millis;
  const std::string receipt = "{\"messageUId\":\"" + acks[1].msg_uid + "\",\"lastMessageSendTime\":" +
                              std::to_string(second) + ",\"type\":1}";
  HubOutput out;
  publish(b, "userA", text(receipt, std::nullopt, "RC:ReadNtf", 0), 50);
  list = conversations(b);
  EXPECT_EQ(list.info(0).unreadcount(), 1);
  EXPECT_EQ(list.info(0).readmsgtime(), second);
  // The receipt reaches A (not persisted, so A's list still shows the text).
  const auto a_sync = pull(a, 0);
  ASSERT_GE(a_sync.list_size(), 1);
  EXPECT_EQ(a_sync.list(a_sync.list_size() - 1).classname(), "RC:ReadNtf");
  EXPECT_EQ(conversations(a).info(0).msg().classname(), "RC:TxtMsg");

  // updRRTime: the conversation read call.
  pb::SessionMsgReadInput read;
  read.set_type(pb::PERSON);
  read.set_msgtime(int64_t{acks[2].date} * 1000 + acks[2].millis);
  read.set_channelid("userA");
  query_ok<pb::SessionMsgReadOutput>(b, "updRRTime", "userB", read);
  EXPECT_EQ(conversations(b).info(0).unreadcount(), 0);
}

TEST_F(HubTest, DelRelationHidesTheConversationUntilTheNextMessage) {
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  send_text(a, "userB");
  pb::RelationQryInput del;
  del.set_type(pb::PERSON);
  EXPECT_EQ(query(b, "delRelation", "userA", del.SerializeAsString()).status, 0);
  EXPECT_EQ(conversations(b).info_size(), 0);
  EXPECT_EQ(conversations(a).info_size(), 1);
  EXPECT_EQ(history(b, "userA", 0, 10).list_size(), 1);  // messages stay
  send_text(a, "userB");
  EXPECT_EQ(conversations(b).info_size(), 1);
}

TEST_F(HubTest, DelMsgAndCleanRemoveOnlyTheCallersCopies) {
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  std::vector<ServerPubAck> acks;
  for (int i = 0; i < 3; ++i) acks.push_back(send_text(a, "userB"));

  pb::DeleteMsgInput del;
  del.set_type(pb::PERSON);
  del.set_conversationid("userA");
  auto* m = del.add_msgs();
  m->set_msgid(acks[2].msg_uid);
  m->set_msgdatatime(int64_t{acks[2].date} * 1000 + acks[2].millis);
  m->set_direct(2);
  EXPECT_EQ(query(b, "delMsg", "userB", del.SerializeAsString()).status, 0);
  auto page = history(b, "userA", 0, 10);
  ASSERT_EQ(page.list_size(), 2);
  EXPECT_EQ(page.list(0).msgid(), acks[1].msg_uid);
  EXPECT_EQ(history(a, "userB", 0, 10).list_size(), 3);

  pb::CleanHisMsgInput clean;
  clean.set_targetid("userA");
  clean.set_datatime(int64_t{acks[0].date} * 1000 + acks[0].millis);
  EXPECT_EQ(query(b, "cleanPMsg", "userB", clean.SerializeAsString()).status, 0);
  page = history(b, "userA", 0, 10);
  ASSERT_EQ(page.list_size(), 1);
  EXPECT_EQ(page.list(0).msgid(), acks[1].msg_uid);
  clean.set_datatime(0);  // everything
  EXPECT_EQ(query(b, "cleanPMsg", "userB", clean.SerializeAsString()).status, 0);
  EXPECT_EQ(history(b, "userA", 0, 10).list_size(), 0);
  EXPECT_EQ(conversations(b).info_size(), 0) << "nothing left to show";
  EXPECT_EQ(history(a, "userB", 0, 10).list_size(), 3);
}

TEST_F(HubTest, SetSeAttIsReflectedInPullSeAtts) {
  const ConnectionId a = connect("userA");
  pb::SessionStateModifyReq req;
  req.set_version(123);
  auto* st = req.add_state();
  st->set_type(pb::PERSON);
  st->set_channelid("userB");
  st->set_time(0);
  auto* top = st->add_stateitem();
  top->set_sessionstatetype(pb::IsTop);
  top->set_value("1");
  auto* silent = st->add_stateitem();
  silent->set_sessionstatetype(pb::IsSilent);
  silent->set_value("1");
  const auto resp = query_ok<pb::SessionStateModifyResp>(a, "setSeAtt", "userA", req);
  EXPECT_GT(resp.version(), 0);

  pb::SessionReq since;
  since.set_time(0);
  auto states = query_ok<pb::SessionStates>(a, "pullSeAtts", "userA", since);
  ASSERT_EQ(states.state_size(), 1);
  EXPECT_EQ(states.state(0).channelid(), "userB");
  EXPECT_EQ(states.state(0).time(), resp.version());
  EXPECT_EQ(states.version(), resp.version());
  int seen = 0;
  for (const auto& item : states.state(0).stateitem()) {
    EXPECT_EQ(item.value(), "1");
    ++seen;
  }
  EXPECT_EQ(seen, 2);
  since.set_time(resp.version());
  states = query_ok<pb::SessionStates>(a, "pullSeAtts", "userA", since);
  EXPECT_EQ(states.state_size(), 0);
  EXPECT_EQ(states.version(), resp.version());
}

// ---- bad input ---------------------------------------------------------------------------

TEST_F(HubTest, MalformedFrameClosesOnlyThatSession) {
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  const HubOutput out = hub_->receive(a, std::string("\x32\x00\x09ppM", 6), now_);  // truncated PUBLISH
  EXPECT_TRUE(out.frames.empty());
  EXPECT_TRUE(closes(out, a, CloseReason::kProtocolError));
  EXPECT_EQ(hub_->session_count(), 1u);
  EXPECT_EQ(metrics_.errors(Metrics::Error::kFrameDecode), 1u);
  // Frames arriving for the closed session are not processed.
  EXPECT_TRUE(closes(hub_->receive(a, std::string(1, '\xc0'), now_), a, CloseReason::kProtocolError));
  // B is unaffected.
  EXPECT_NE(as<PingResp>(send(b, PingReq{}).frames.at(0)), nullptr);
  EXPECT_EQ(hub_->receive(b, std::string("\xff\xff", 2), now_).closes.size(), 1u);  // unknown type
}

TEST_F(HubTest, OversizedFrameClosesTheSession) {
  const ConnectionId a = connect("userA");
  ClientQuery q;
  q.topic = "pullMsg";
  q.target_id = "userA";
  q.message_id = 1;
  q.payload = std::string(70 * 1024, 'x');
  auto bytes = encode_client_frame(q);
  ASSERT_TRUE(bytes.ok());
  const HubOutput out = hub_->receive(a, bytes.value(), now_);
  EXPECT_TRUE(closes(out, a, CloseReason::kFrameTooLarge));
  EXPECT_EQ(metrics_.errors(Metrics::Error::kFrameTooLarge), 1u);
}

TEST_F(HubTest, UnknownTopicIsAnsweredWithAnErrorStatusAndTheSessionGoesOn) {
  const ConnectionId a = connect("userA");
  EXPECT_EQ(query(a, "noSuchTopic", "userA", "").status, status::from_error(ErrorCode::kUnknownTopic));
  ClientPublish p;
  p.topic = "noSuchPub";
  p.target_id = "userB";
  p.message_id = 77;
  const HubOutput out = send(a, p);
  ASSERT_EQ(out.frames.size(), 1u);
  EXPECT_EQ(as<ServerPubAck>(out.frames[0])->status, status::from_error(ErrorCode::kUnknownTopic));
  EXPECT_EQ(as<ServerPubAck>(out.frames[0])->message_id, 77);
  EXPECT_TRUE(out.closes.empty());
  EXPECT_EQ(metrics_.errors(Metrics::Error::kUnknownTopic), 2u);
  // Known topics not served say so.
  EXPECT_EQ(query(a, "pullKV", "room", "").status, status::from_error(ErrorCode::kNotSupport));
  EXPECT_EQ(pull(a, 0).list_size(), 0);
}

TEST_F(HubTest, BadPayloadsAreAnsweredWithAnErrorStatus) {
  const ConnectionId a = connect("userA");
  EXPECT_EQ(query(a, "pullMsg", "userA", "\x08").status, status::from_error(ErrorCode::kBadProtobuf));
  EXPECT_EQ(query(a, "pullMsg", "userA", "").status, status::from_error(ErrorCode::kBadProtobuf))
      << "syncTime is required";
  ClientPublish p;
  p.topic = "ppMsgP";
  p.target_id = "userB";
  p.message_id = 3;
  p.payload = "\x0a\x01";
  const HubOutput out = send(a, p);
  ASSERT_EQ(out.frames.size(), 1u);
  EXPECT_EQ(as<ServerPubAck>(out.frames[0])->status, status::from_error(ErrorCode::kBadProtobuf));
  EXPECT_EQ(metrics_.messages_stored_total.load(), 0u);
}

TEST_F(HubTest, TooLongContentAndBadTargetsAreRefused) {
  const ConnectionId a = connect("userA");
  HubOutput out = publish(a, "userB", text(std::string(33 * 1024, 'x')), 1);
  EXPECT_EQ(as<ServerPubAck>(out.frames.at(0))->status, status::from_error(ErrorCode::kMessageContentTooLong));
  out = publish(a, "bad target", text("{}"), 2);
  EXPECT_EQ(as<ServerPubAck>(out.frames.at(0))->status, status::from_error(ErrorCode::kParameterError));
  EXPECT_EQ(metrics_.messages_stored_total.load(), 0u);
}

TEST_F(HubTest, StorageFailureIsAnsweredWithStatus1000AndNothingIsDelivered) {
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  storage_->fail_writes = true;
  HubOutput out;
  const ServerPubAck ack = send_text(a, "userB", "{}", std::nullopt, &out);
  EXPECT_EQ(ack.status, status::kServerError);
  EXPECT_TRUE(frames_to(out, b).empty());
  storage_->fail_writes = false;
  EXPECT_EQ(pull(b, 0).list_size(), 0);
  EXPECT_EQ(metrics_.errors(Metrics::Error::kStorage), 1u);
}

TEST_F(HubTest, StatusMessagesAreNotAnswered) {
  const ConnectionId a = connect("userA");
  const HubOutput out = publish(a, "userB", text("{\"typingContentType\":\"RC:TxtMsg\"}", std::nullopt, "RC:TypSts", 0),
                                0, "ppMsgS");
  EXPECT_TRUE(out.frames.empty());
  EXPECT_TRUE(out.closes.empty());
}

TEST_F(HubTest, SilentSessionsAreClosedAfterTheIdleTimeout) {
  const ConnectionId a = connect("userA");
  const ConnectionId b = connect("userB");
  EXPECT_EQ(hub_->next_deadline(), kT0 + 45'000);
  now_ += 30'000;
  send(b, PingReq{});
  EXPECT_TRUE(hub_->tick(now_).closes.empty());
  const HubOutput out = hub_->tick(kT0 + 45'000);
  ASSERT_EQ(out.closes.size(), 1u);
  EXPECT_TRUE(closes(out, a, CloseReason::kIdleTimeout));
  EXPECT_EQ(hub_->session_count(), 1u);
  EXPECT_EQ(hub_->next_deadline(), now_ + 45'000);
  hub_->disconnected(a);  // the transport reports it later: harmless
  hub_->disconnected(b);
  EXPECT_EQ(hub_->session_count(), 0u);
  EXPECT_EQ(hub_->next_deadline(), INT64_MAX);
}

}  // namespace
}  // namespace parley::server::im
