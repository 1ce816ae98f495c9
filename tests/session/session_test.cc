// Session behaviour against a scripted peer on a fake clock: connect, CONNACK statuses,
// heartbeat over hours, dead links, request timeouts, messageId wrap, reconnect policies,
// kick, outbox re-send, dedupe across restarts.
#include <gtest/gtest.h>

#include "tests/session/harness.h"

namespace parley::testing {
namespace {

using codec::ClientPublish;
using codec::ClientQuery;
using codec::PingReq;
using session::ConnectionStatus;

// Answers what the scripted peer always answers: pongs, and pulls with "nothing new".
void answer_routine(Harness& h, uint32_t conn, const Actions& a, int* pings = nullptr) {
  for (const auto& f : frames(a, conn)) {
    Actions more;
    if (std::holds_alternative<PingReq>(f)) {
      if (pings) ++*pings;
      more = h.server(conn, codec::PingResp{});
    } else if (auto* q = std::get_if<ClientQuery>(&f)) {
      if (q->topic == "pullMsg") {
        more = h.server(conn, codec::QueryAck{{}, q->message_id, 0, 0, empty_pull_payload()});
      }
    }
    if (!more.empty()) answer_routine(h, conn, more, pings);
  }
}

// Runs the clock to `until`, the peer answering routine traffic on `conn`.
void run_with_peer(Harness& h, uint32_t conn, int64_t until, int* pings = nullptr) {
  for (;;) {
    const int64_t d = h.s.next_deadline();
    if (d < 0 || d > until) break;
    h.now = std::max(h.now, d);
    answer_routine(h, conn, h.keep(h.s.on_timer(h.now)), pings);
  }
  h.now = until;
}

TEST(SessionConnect, RacesHostsSendsNothingBeforeConnAckAndFirstWins) {
  Harness h;
  auto a = h.cmd({{"cmd", "connect"}, {"id", 7}, {"token", "t@x"}, {"hosts", {"h1:80", "h2:81"}}});
  auto o = opens(a);
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(o[0].url, "ws://h1:80/websocket?appId=appkey&token=t%40x&sdkVer=2.9.2&pid=undefined&apiVer=normal");
  EXPECT_EQ(o[1].host, "h2:81");
  EXPECT_TRUE(frames(a).empty());
  EXPECT_EQ(statuses(a), std::vector<int>{1});

  auto b = h.server(o[1].conn, connack("userA"));
  EXPECT_EQ(closes(b), std::vector<uint32_t>{o[0].conn});  // the loser is closed
  EXPECT_EQ(statuses(b), std::vector<int>{0});
  auto r = results(b, 7);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["code"], 0);
  EXPECT_EQ(r[0]["data"]["userId"], "userA");
  auto fs = frames(b, o[1].conn);
  ASSERT_GE(fs.size(), 4u);
  EXPECT_TRUE(std::holds_alternative<PingReq>(fs[0]));  // ping first, as the official client
  std::vector<std::string> topics;
  for (const auto& q : of_type<ClientQuery>(fs)) topics.push_back(q.topic);
  EXPECT_EQ(topics, (std::vector<std::string>{"pullSeAtts", "pullMsg", "qryRelationR"}));
  EXPECT_EQ(h.s.status(), ConnectionStatus::kConnected);
  // A late CONNACK on the closed loser changes nothing.
  EXPECT_TRUE(statuses(h.server(o[0].conn, connack("userA"))).empty());
}

TEST(SessionConnect, BadParametersAnswerWithoutTraffic) {
  Harness h;
  auto a = h.cmd({{"cmd", "connect"}, {"id", 1}, {"token", ""}, {"hosts", {"h1"}}});
  EXPECT_TRUE(opens(a).empty());
  EXPECT_EQ(results(a, 1)[0]["code"], 31004);
  a = h.cmd({{"cmd", "connect"}, {"id", 2}, {"token", "t"}, {"hosts", json::array()}});
  EXPECT_EQ(results(a, 2)[0]["code"], 30010);
  a = h.cmd({{"cmd", "connect"}, {"id", 3}, {"token", 5}, {"hosts", {"h"}}});
  EXPECT_EQ(results(a, 3)[0]["code"], 31004);
}

TEST(SessionConnect, EveryConnAckStatusMapsToItsConnectError) {
  const std::map<int, int> expected = {{1, 31001}, {2, 31002}, {3, 31003}, {4, 31004}, {5, 31005},
                                       {6, 31006}, {7, 31007}, {8, 31008}, {9, 31009}, {10, 31020},
                                       {11, 31003}, {12, 31003}, {13, 31003}};
  for (const auto& [status, code] : expected) {
    Harness h;
    auto o = opens(h.cmd({{"cmd", "connect"}, {"id", 1}, {"token", "t"}, {"hosts", {"h"}}}));
    codec::ConnAck refused;
    refused.status = static_cast<uint8_t>(status);
    auto a = h.server(o[0].conn, refused);
    auto r = results(a, 1);
    ASSERT_EQ(r.size(), 1u) << "status " << status;
    EXPECT_EQ(r[0]["code"], code) << "status " << status;
    EXPECT_EQ(closes(a), std::vector<uint32_t>{o[0].conn});
    // Final refusals (token, app, user) are not retried; the others are, in the background.
    const bool final_refusal = status == 2 || status == 4 || status == 5 || status == 8 ||
                               status == 9 || status == 10;
    EXPECT_EQ(statuses(a).back(), final_refusal ? 2 : 7) << "status " << status;
    EXPECT_EQ(opens(h.run_until(h.now + 3600 * 1000)).empty(), final_refusal) << "status " << status;
  }
}

TEST(SessionConnect, ConnAckTimeoutFailsTheConnect) {
  Harness h;
  h.cmd({{"cmd", "connect"}, {"id", 1}, {"token", "t"}, {"hosts", {"h"}}});
  auto a = h.run_until(h.now + 4999);
  EXPECT_TRUE(results(a, 1).empty());
  a = h.run_until(h.now + 1);
  ASSERT_EQ(results(a, 1).size(), 1u);
  EXPECT_EQ(results(a, 1)[0]["code"], 31000);
  // The app heard the error; the session keeps trying and succeeds when it can.
  auto o = opens(h.run_until(h.now + 1000));
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(statuses(h.server(o[0].conn, connack("userA"))), std::vector<int>{0});
}

TEST(SessionHeartbeat, HoursOfPingsOnAHealthyLink) {
  Harness h;
  const uint32_t conn = h.connect();
  int pings = 0;
  const int64_t start = h.now;
  run_with_peer(h, conn, start + 3 * 3600 * 1000, &pings);
  // One ping right after CONNACK was answered by connect(); then one every 15 s.
  EXPECT_EQ(pings, 3 * 3600 / 15);
  EXPECT_EQ(h.s.status(), ConnectionStatus::kConnected);
  EXPECT_TRUE(closes(h.all).empty());
}

TEST(SessionHeartbeat, TwoMissedPongsDeclareTheLinkDead) {
  Harness h;
  const uint32_t conn = h.connect();  // first ping sent at t0, never answered
  const int64_t t0 = h.now;
  auto a = h.run_until(t0 + 15000);
  EXPECT_EQ(of_type<PingReq>(frames(a, conn)).size(), 1u);  // re-ping at once after a miss
  EXPECT_TRUE(closes(a).empty());
  a = h.run_until(t0 + 29999);
  EXPECT_TRUE(closes(a).empty());
  a = h.run_until(t0 + 30000);
  EXPECT_EQ(closes(a), std::vector<uint32_t>{conn});
  EXPECT_EQ(statuses(a), std::vector<int>{1});
}

TEST(SessionHeartbeat, OnlineSignalChecksTheLinkQuickly) {
  Harness h;
  const uint32_t conn = h.connect();
  h.server(conn, codec::PingResp{});
  auto a = h.cmd({{"cmd", "online"}});
  EXPECT_EQ(of_type<PingReq>(frames(a, conn)).size(), 1u);
  // No pong within the quick-check timeout: a miss, and the next miss kills the link.
  auto b = h.run_until(h.now + h.config.quick_check_timeout_ms + 15000);
  EXPECT_EQ(closes(b), std::vector<uint32_t>{conn});
}

TEST(SessionRequests, UnansweredQueryTimesOutWithMinusOne) {
  Harness h;
  const uint32_t conn = h.connect();
  auto a = h.cmd({{"cmd", "getHistory"}, {"id", 9}, {"conversationType", 1}, {"targetId", "userB"}});
  ASSERT_EQ(of_type<ClientQuery>(frames(a, conn)).size(), 1u);
  int pings = 0;
  run_with_peer(h, conn, h.now + 29999, &pings);
  EXPECT_TRUE(results(h.all, 9).empty());
  run_with_peer(h, conn, h.now + 1, &pings);
  ASSERT_EQ(results(h.all, 9).size(), 1u);
  EXPECT_EQ(results(h.all, 9)[0]["code"], -1);
}

TEST(SessionRequests, RefusedQueryFailsWithTheServerStatus) {
  Harness h;
  const uint32_t conn = h.connect();
  auto a = h.cmd({{"cmd", "getHistory"}, {"id", 9}, {"conversationType", 3}, {"targetId", "g1"}});
  auto q = of_type<ClientQuery>(frames(a, conn));
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].topic, "qryGMsg");
  auto b = h.server(conn, codec::QueryAck{{}, q[0].message_id, 0, 22406, ""});
  EXPECT_EQ(results(b, 9)[0]["code"], 22406);
}

TEST(SessionRequests, MessageIdsWrapAndNeverCollideWithPending) {
  Harness h;
  const uint32_t conn = h.connect();
  for (const auto& q : of_type<ClientQuery>(frames(h.all)))  // answer the connect-time queries
    h.server(conn, codec::QueryAck{{}, q.message_id, 0, 0, ""});
  // One query that is never answered holds its id for the whole test.
  auto held = of_type<ClientQuery>(frames(h.cmd({{"cmd", "getBlacklist"}, {"id", 1}}), conn));
  ASSERT_EQ(held.size(), 1u);
  const uint16_t stuck = held[0].message_id;
  std::set<uint16_t> seen;
  uint16_t prev = stuck;
  bool wrapped = false;
  for (int i = 0; i < 70000; ++i) {
    auto q = of_type<ClientQuery>(frames(h.cmd({{"cmd", "getBlacklist"}, {"id", 2}}), conn));
    ASSERT_EQ(q.size(), 1u);
    const uint16_t id = q[0].message_id;
    ASSERT_NE(id, 0);
    ASSERT_NE(id, stuck) << "reused a pending id";
    if (id < prev) wrapped = true;
    prev = id;
    seen.insert(id);
    h.server(conn, codec::QueryAck{{}, id, 0, 0, ""});  // answered: the id is free again
  }
  EXPECT_TRUE(wrapped);
  EXPECT_EQ(seen.size(), 65534u);  // every id but 0 and the stuck one
}

// The delays the default policy must use: uniform(0, min(cap, base*2^n)) drawn from
// SplitMix64 seeded like the session. An independent reference, not the session's code.
std::vector<int64_t> reference_backoff(uint64_t seed, int n, int64_t base, int64_t cap, int skip) {
  uint64_t state = seed;
  auto next = [&]() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  for (int i = 0; i < skip; ++i) next();
  std::vector<int64_t> out;
  for (int i = 0; i < n; ++i) {
    const uint64_t ceiling = static_cast<uint64_t>(std::min(cap, base << i));
    out.push_back(static_cast<int64_t>(next() % (ceiling + 1)));
  }
  return out;
}

TEST(SessionReconnect, DefaultBackoffIsSeededCappedFullJitter) {
  const uint64_t seed = 42;
  Harness h(seed);
  const uint32_t conn = h.connect();  // draws 2 numbers (comet pid) before any backoff
  auto a = h.closed(conn);
  EXPECT_EQ(statuses(a), std::vector<int>{1});
  const auto want = reference_backoff(seed, 8, 1000, 30000, 2);
  int64_t last = h.now;
  for (size_t i = 0; i < want.size(); ++i) {
    // The attempt starts exactly after the expected delay...
    const int64_t d = h.s.next_deadline();
    ASSERT_EQ(d - last, want[i]) << "retry " << i;
    auto b = h.run_until(d);
    auto o = opens(b);
    ASSERT_EQ(o.size(), 1u);
    // ...and fails (transport refused), scheduling the next one.
    h.now = d;
    auto c = h.closed(o[0].conn);
    EXPECT_EQ(statuses(c).front(), 7);
    last = h.now;
  }
}

TEST(SessionReconnect, FollowsTheRateArrayThenGivesUp) {
  Harness h;
  const uint32_t conn = h.connect();
  // Kicked out of auto mode: the app takes over with an explicit schedule.
  h.cmd({{"cmd", "disconnect"}});
  EXPECT_TRUE(opens(h.run_until(h.now + 60000)).empty());
  (void)conn;
  h.cmd({{"cmd", "reconnect"}, {"id", 5}, {"rate", {100, 200, 300}}});
  for (int64_t delay : {100, 200, 300}) {
    const int64_t start = h.now;
    auto a = h.run_until(start + delay - 1);
    EXPECT_TRUE(opens(a).empty());
    a = h.run_until(start + delay);
    auto o = opens(a);
    ASSERT_EQ(o.size(), 1u) << "no attempt after " << delay;
    auto c = h.closed(o[0].conn);
    if (delay == 300) {
      EXPECT_EQ(statuses(c).back(), 3);  // NETWORK_UNAVAILABLE
      ASSERT_EQ(results(c, 5).size(), 1u);
      EXPECT_EQ(results(c, 5)[0]["code"], 30002);
    }
  }
  EXPECT_TRUE(opens(h.run_until(h.now + 3600 * 1000)).empty());
}

TEST(SessionReconnect, OneShotReconnectReportsSuccess) {
  Harness h;
  h.connect();
  h.cmd({{"cmd", "disconnect"}});
  auto a = h.cmd({{"cmd", "reconnect"}, {"id", 6}});
  auto o = opens(a);
  ASSERT_EQ(o.size(), 1u);
  auto b = h.server(o[0].conn, connack("userA"));
  EXPECT_EQ(results(b, 6)[0]["code"], 0);
}

TEST(SessionReconnect, NoReconnectAfterKickBlockOrLogout) {
  for (int status : {1, 2, 3}) {
    Harness h;
    const uint32_t conn = h.connect();
    codec::Disconnect d;
    d.status = static_cast<uint8_t>(status);
    auto a = h.server(conn, d);
    const std::vector<int> want{2, status == 1 ? 6 : status == 2 ? 9 : 13};
    EXPECT_EQ(statuses(a), want);
    EXPECT_EQ(closes(a), std::vector<uint32_t>{conn});
    EXPECT_TRUE(opens(h.run_until(h.now + 3600 * 1000)).empty()) << "status " << status;
    EXPECT_TRUE(opens(h.cmd({{"cmd", "online"}})).empty());
  }
  Harness h;
  const uint32_t conn = h.connect();
  h.cmd({{"cmd", "logout"}});
  h.closed(conn);
  EXPECT_TRUE(opens(h.run_until(h.now + 3600 * 1000)).empty());
}

TEST(SessionReconnect, LostLinkReconnectsAndPullsAgain) {
  Harness h;
  const uint32_t conn = h.connect();
  h.closed(conn);
  auto a = h.run_until(h.now + 1000);  // first retry is within the first second
  auto o = opens(a);
  ASSERT_EQ(o.size(), 1u);
  auto b = h.server(o[0].conn, connack("userA"));
  EXPECT_EQ(statuses(b), std::vector<int>{0});
  std::vector<std::string> topics;
  for (const auto& q : of_type<ClientQuery>(frames(b))) topics.push_back(q.topic);
  EXPECT_EQ(topics, (std::vector<std::string>{"pullMsg", "qryRelationR"}));
}

// ---- outbox helpers ----------------------------------------------------------------------

// The app's sendMessage of a text to userB.
Actions send_text(Harness& h, int64_t id, const std::string& text) {
  return h.cmd({{"cmd", "sendMessage"}, {"id", id}, {"conversationType", 1}, {"targetId", "userB"},
                {"objectName", "RC:TxtMsg"}, {"content", {{"content", text}}}});
}

// An outbox entry as storage holds it (the core's to_json, or an older version's list).
std::string stored_entry(int64_t local_id, const char* target, const char* text = "x") {
  return Json()
      .set("localId", local_id)
      .set("clientUniqueId", local_id * 1000)
      .set("type", 1)
      .set("targetId", target)
      .set("objectName", "RC:TxtMsg")
      .set("content", std::string(R"({"content":")") + text + R"("})")
      .set("createdMs", int64_t{999'000})
      .set("state", 10)
      .dump();
}

// Connects as userA and answers each PUBLISH with a PUBACK until none is left; the
// contents in the order they went (one conversation: one in flight at a time).
std::vector<std::string> connect_and_ack_all(Harness& h) {
  auto a = h.cmd({{"cmd", "connect"}, {"id", 1}, {"token", "t"}, {"hosts", {"h"}}});
  const uint32_t conn = opens(a)[0].conn;
  auto pubs = of_type<ClientPublish>(frames(h.server(conn, connack("userA"))));
  std::vector<std::string> sent;
  while (pubs.size() == 1u) {
    pb::UpStreamMessage up;
    EXPECT_TRUE(up.ParseFromString(pubs[0].payload));
    sent.push_back(up.content());
    pubs = of_type<ClientPublish>(frames(h.server(
        conn, codec::ServerPubAck{{}, pubs[0].message_id, 1700000001, 0, 0, "UID-" + std::to_string(sent.size())})));
  }
  EXPECT_TRUE(pubs.empty()) << "more than one message in flight";
  return sent;
}

TEST(SessionOutbox, OfflineSendIsHeldThenSentOnceWithTheSameClientUniqueId) {
  Harness h;
  const uint32_t conn = h.connect();
  h.closed(conn);
  auto a = h.cmd({{"cmd", "sendMessage"}, {"id", 11}, {"conversationType", 1}, {"targetId", "userB"},
                  {"objectName", "RC:TxtMsg"}, {"content", {{"content", "hi"}}}});
  EXPECT_TRUE(frames(a).empty());
  ASSERT_EQ(events(a, "sending").size(), 1u);
  EXPECT_EQ(events(a, "sending")[0]["message"]["sentStatus"], 10);

  auto o = opens(h.run_until(h.now + 1000));
  ASSERT_EQ(o.size(), 1u);
  auto b = h.server(o[0].conn, connack("userA"));
  auto pubs = of_type<ClientPublish>(frames(b));
  ASSERT_EQ(pubs.size(), 1u);
  pb::UpStreamMessage up;
  ASSERT_TRUE(up.ParseFromString(pubs[0].payload));
  EXPECT_EQ(up.classname(), "RC:TxtMsg");
  EXPECT_EQ(up.sessionid(), 3);  // persisted + counted
  ASSERT_TRUE(up.has_clientuniqueid());
  const int64_t cuid = up.clientuniqueid();

  // The link drops before the PUBACK: sent again on the next connection, same id.
  h.closed(o[0].conn);
  auto o2 = opens(h.run_until(h.now + 1000));
  ASSERT_EQ(o2.size(), 1u);
  auto c = h.server(o2[0].conn, connack("userA"));
  auto pubs2 = of_type<ClientPublish>(frames(c));
  ASSERT_EQ(pubs2.size(), 1u);
  pb::UpStreamMessage up2;
  ASSERT_TRUE(up2.ParseFromString(pubs2[0].payload));
  EXPECT_EQ(up2.clientuniqueid(), cuid);

  auto d = h.server(o2[0].conn, codec::ServerPubAck{{}, pubs2[0].message_id, 1700000001, 0, 250, "AAAA-BBBB-CCCC-DDDD"});
  auto r = results(d, 11);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["code"], 0);
  EXPECT_EQ(r[0]["data"]["message"]["messageUId"], "AAAA-BBBB-CCCC-DDDD");
  EXPECT_EQ(r[0]["data"]["message"]["sentTime"], 1700000001250);
  EXPECT_EQ(r[0]["data"]["message"]["sentStatus"], 30);
}

TEST(SessionOutbox, GivesUpAfterTheConfiguredTimeAndCanBeResent) {
  Harness h;
  h.connect();
  h.cmd({{"cmd", "disconnect"}});
  auto a = h.cmd({{"cmd", "sendMessage"}, {"id", 3}, {"conversationType", 1}, {"targetId", "userB"},
                  {"objectName", "RC:TxtMsg"}, {"content", {{"content", "later"}}}});
  const int64_t local_id = events(a, "sending")[0]["message"]["messageId"].get<int64_t>();
  auto b = h.run_until(h.now + h.config.outbox_give_up_ms);
  auto r = results(b, 3);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["code"], -1);
  EXPECT_EQ(r[0]["data"]["message"]["sentStatus"], 20);
  auto c = h.cmd({{"cmd", "resendMessage"}, {"id", 4}, {"messageId", local_id}});
  EXPECT_TRUE(results(c, 4).empty());  // pending again, answered when sent
  auto out = results(h.cmd({{"cmd", "getOutbox"}, {"id", 5}}), 5);
  EXPECT_EQ(out[0]["data"][0]["sentStatus"], 10);
}

TEST(SessionOutbox, RefusedMessageFailsWithTheServerStatus) {
  Harness h;
  const uint32_t conn = h.connect();
  auto a = h.cmd({{"cmd", "sendMessage"}, {"id", 3}, {"conversationType", 1}, {"targetId", "userB"},
                  {"objectName", "RC:TxtMsg"}, {"content", {{"content", "x"}}}});
  auto p = of_type<ClientPublish>(frames(a, conn));
  ASSERT_EQ(p.size(), 1u);
  auto b = h.server(conn, codec::ServerPubAck{{}, p[0].message_id, 1, 405, 0, ""});
  EXPECT_EQ(results(b, 3)[0]["code"], 405);
}

// A FAILED message stays in the outbox, and in storage, until resent or deleted: without
// deleteLocalMessages, messages refused for good (a blacklist) would pile up in storage.
TEST(SessionOutbox, FailedMessagesAreDeletedOnRequestAndQueuedOnesAreNot) {
  Harness h;
  const uint32_t conn = h.connect();
  auto send = [&](int id) { return send_text(h, id, "x"); };
  auto a = send(3);
  const int64_t failed_id = events(a, "sending")[0]["message"]["messageId"].get<int64_t>();
  auto p = of_type<ClientPublish>(frames(a, conn));
  ASSERT_EQ(p.size(), 1u);
  h.server(conn, codec::ServerPubAck{{}, p[0].message_id, 1, 405, 0, ""});
  h.closed(conn);
  const int64_t queued_id = events(send(4), "sending")[0]["message"]["messageId"].get<int64_t>();
  std::map<std::string, std::string> store;
  apply_persists(h.all, store);
  ASSERT_EQ(store.size() - store.count("parley/appkey/userA/marks") - store.count("parley/appkey/userA/sync") -
                store.count("parley/appkey/userA/seen/0"),
            2u) << "two outbox keys";
  auto outbox = [&]() { return results(h.cmd({{"cmd", "getOutbox"}, {"id", 9}}), 9)[0]["data"].size(); };
  ASSERT_EQ(outbox(), 2u);

  // The queued one is still being sent: not deleted, and the call says so.
  auto b = h.cmd({{"cmd", "deleteLocalMessages"}, {"id", 5}, {"messageIds", {queued_id, failed_id, 12345}}});
  EXPECT_EQ(results(b, 5)[0]["code"], 33009);
  EXPECT_EQ(outbox(), 1u) << "the FAILED one went";
  apply_persists(b, store);
  size_t keys = 0;
  for (const auto& [k, v] : store) keys += k.find("/outbox/") != std::string::npos;
  EXPECT_EQ(keys, 1u);
  // Only a FAILED one, or one no longer there: success.
  EXPECT_EQ(results(h.cmd({{"cmd", "deleteLocalMessages"}, {"id", 6}, {"messageIds", {failed_id}}}), 6)[0]["code"], 0);
  EXPECT_EQ(results(h.cmd({{"cmd", "deleteLocalMessages"}, {"id", 7}, {"messageIds", 5}}), 7)[0]["code"], 33003);
}

TEST(SessionOutbox, BadSendParametersAreRejectedLocally) {
  Harness h;
  h.connect();
  auto a = h.cmd({{"cmd", "sendMessage"}, {"id", 1}, {"conversationType", 1}, {"targetId", ""},
                  {"objectName", "RC:TxtMsg"}, {"content", {{"content", "x"}}}});
  EXPECT_EQ(results(a, 1)[0]["code"], 33003);
  a = h.cmd({{"cmd", "sendMessage"}, {"id", 2}, {"conversationType", 1}, {"targetId", "b"},
             {"objectName", "RC:TxtMsg"}, {"content", {{"content", std::string(140000, 'x')}}}});
  EXPECT_EQ(results(a, 2)[0]["code"], 30016);
  a = h.cmd({{"cmd", "sendMessage"}, {"id", 3}, {"conversationType", 9}, {"targetId", "b"},
             {"objectName", "RC:TxtMsg"}, {"content", {{"content", "x"}}}});
  EXPECT_EQ(results(a, 3)[0]["code"], 39002);
  a = h.cmd({{"nocmd", 1}});
  EXPECT_EQ(events(a, "log").size(), 1u);
  // Wrongly typed fields are parameter errors, never a throw (WASM has no exceptions).
  a = h.cmd({{"cmd", "sendMessage"}, {"id", "x"}, {"conversationType", "1"}, {"targetId", 5},
             {"objectName", true}, {"content", {{"content", "x"}}}, {"isMentioned", "yes"}});
  EXPECT_TRUE(events(a, "result").empty());  // no usable callback id: nothing to answer
  a = h.cmd({{"cmd", "getHistory"}, {"id", 4}, {"conversationType", 1}, {"targetId", "b"},
             {"count", "many"}, {"timestamp", {1, 2}}});
  EXPECT_EQ(of_type<ClientQuery>(frames(a)).size(), 1u);  // defaults used for the bad fields
  a = h.cmd({{"cmd", "connect"}, {"id", 5}, {"token", "t"}, {"hosts", "h1"}});
  EXPECT_EQ(results(a, 5)[0]["code"], 30010);
}

pb::DownStreamMessage text_from(const std::string& from, const std::string& uid, int64_t t,
                                const std::string& text = "hi") {
  pb::DownStreamMessage m;
  m.set_fromuserid(from);
  m.set_type(pb::PERSON);
  m.set_classname("RC:TxtMsg");
  m.set_content(json{{"content", text}}.dump());
  m.set_datatime(t);
  m.set_status(48);
  m.set_msgid(uid);
  m.set_direction(2);
  return m;
}

std::string pull_payload(const std::vector<pb::DownStreamMessage>& list, int64_t sync_time) {
  pb::DownStreamMessages batch;
  for (const auto& m : list) *batch.add_list() = m;
  batch.set_synctime(sync_time);
  batch.set_finished(true);
  return batch.SerializeAsString();
}

TEST(SessionReceive, PullDeliversOnceAndDedupeSurvivesRestart) {
  std::map<std::string, std::string> store;
  auto persist = [&](const Actions& a) { apply_persists(a, store); };
  const auto m1 = text_from("userB", "UID1-0000-0000-0001", 1700000000100);
  {
    Harness h;
    auto a = h.cmd({{"cmd", "connect"}, {"id", 1}, {"token", "t"}, {"hosts", {"h"}}});
    const uint32_t conn = opens(a)[0].conn;
    auto b = h.server(conn, connack("userA"));
    auto pull = of_type<ClientQuery>(frames(b));
    ASSERT_EQ(pull[1].topic, "pullMsg");
    auto c = h.server(conn, codec::QueryAck{{}, pull[1].message_id, 0, 0, pull_payload({m1}, 1700000000100)});
    ASSERT_EQ(events(c, "message").size(), 1u);
    EXPECT_EQ(events(c, "message")[0]["message"]["content"]["content"], "hi");
    EXPECT_EQ(h.s.conversations().find(1, "userB")->unread, 1);
    // The same message again, by s_msg and by a second pull: not delivered again.
    EXPECT_TRUE(events(h.server(conn, codec::ServerPublish{{1, false, false}, 1, "s_msg", "userA", 0, m1.SerializeAsString()}), "message").empty());
    persist(h.all);
  }
  Harness h2;  // a restart: a new Session restored from what was persisted
  h2.s.restore(store);
  auto a = h2.cmd({{"cmd", "connect"}, {"id", 1}, {"token", "t"}, {"hosts", {"h"}}});
  const uint32_t conn = opens(a)[0].conn;
  auto b = h2.server(conn, connack("userA"));
  auto q = of_type<ClientQuery>(frames(b));
  pb::SyncRequestMsg sync;
  ASSERT_TRUE(sync.ParseFromString(q[1].payload));
  EXPECT_EQ(sync.synctime(), 1700000000100);  // resumes from the persisted position
  // A server that re-sends anyway (sync position lost on its side) still gives no duplicate.
  auto c = h2.server(conn, codec::QueryAck{{}, q[1].message_id, 0, 0, pull_payload({m1}, 1700000000100)});
  EXPECT_TRUE(events(c, "message").empty());
  EXPECT_EQ(h2.s.conversations().find(1, "userB")->unread, 1);  // restored, not recounted
}

// What the wasm hands over: the JSON object the shim built from storage. Members whose
// value is not text (never written by the core) are skipped, the rest is loaded; a value
// that is not an object restores nothing.
TEST(SessionReceive, RestoreTakesAJsonObjectOfTextsAndSkipsTheRest) {
  const auto sync_time_after_connect = [](const Json& stored) {
    Harness h;
    h.s.restore(stored);
    auto a = h.cmd({{"cmd", "connect"}, {"id", 1}, {"token", "t"}, {"hosts", {"h"}}});
    auto q = of_type<ClientQuery>(frames(h.server(opens(a)[0].conn, connack("userA"))));
    pb::SyncRequestMsg sync;
    EXPECT_TRUE(sync.ParseFromString(q[1].payload));
    return sync.synctime();
  };
  Json stored = Json::object();
  stored["parley/appkey/userA/sync"] = R"({"inbox":1700000000100,"outbox":0})";
  stored["parley/appkey/userA/marks"] = Json::array();  // not text: skipped
  stored["parley/appkey/userA/seen/0"] = 7;             // not text: skipped
  stored["parley/appkey/_pending/outbox"] = nullptr;    // not text: skipped
  EXPECT_EQ(sync_time_after_connect(stored), 1700000000100);
  EXPECT_EQ(sync_time_after_connect(Json::array()), 0);
}

TEST(SessionReceive, NotifyTriggersPullAndRepullsUntilFinished) {
  Harness h;
  const uint32_t conn = h.connect();
  auto q0 = of_type<ClientQuery>(frames(h.all));
  h.server(conn, codec::QueryAck{{}, q0[1].message_id, 0, 0, empty_pull_payload()});
  pb::NotifyMsg n;
  n.set_type(1);
  n.set_time(1700000000500);
  auto a = h.server(conn, codec::ServerPublish{{1, false, false}, 1, "s_ntf", "userA", 9, n.SerializeAsString()});
  auto fs = frames(a, conn);
  ASSERT_EQ(of_type<codec::ClientPubAck>(fs).size(), 1u);  // qos 1 acknowledged
  auto pulls = of_type<ClientQuery>(fs);
  ASSERT_EQ(pulls.size(), 1u);
  pb::DownStreamMessages part;
  *part.add_list() = text_from("userB", "U-1", 1700000000400);
  part.set_synctime(1700000000400);
  part.set_finished(false);
  auto b = h.server(conn, codec::QueryAck{{}, pulls[0].message_id, 0, 0, part.SerializeAsString()});
  EXPECT_EQ(events(b, "message").size(), 1u);
  auto again = of_type<ClientQuery>(frames(b, conn));
  ASSERT_EQ(again.size(), 1u);  // not finished: pull again
  auto c = h.server(conn, codec::QueryAck{{}, again[0].message_id, 0, 0,
                                          pull_payload({text_from("userB", "U-2", 1700000000500)}, 1700000000500)});
  EXPECT_EQ(events(c, "message").size(), 1u);
  EXPECT_EQ(h.s.inbox_time(), 1700000000500);
  // Caught up with the notified time. The pulls started without a position (the first
  // answer gave none), so they asked the server to wait for a confirmation: one more pull,
  // from the position reached, without the flag; its answer asks for nothing more.
  for (const auto* q : {&pulls[0], &again[0]}) {
    pb::SyncRequestMsg req;
    ASSERT_TRUE(req.ParseFromString(q->payload));
    EXPECT_TRUE(req.confirmsanswer());
  }
  auto confirm = of_type<ClientQuery>(frames(c, conn));
  ASSERT_EQ(confirm.size(), 1u);
  pb::SyncRequestMsg req;
  ASSERT_TRUE(req.ParseFromString(confirm[0].payload));
  EXPECT_EQ(req.synctime(), 1700000000500);
  EXPECT_FALSE(req.has_confirmsanswer());
  auto d = h.server(conn, codec::QueryAck{{}, confirm[0].message_id, 0, 0, empty_pull_payload(1700000000500)});
  EXPECT_TRUE(of_type<ClientQuery>(frames(d, conn)).empty());
}

// A device with a position does not ask the server to wait: its pulls are as before.
TEST(SessionReceive, PullsFromAPositionNeedNoConfirmation) {
  Harness h;
  const uint32_t conn = h.connect();
  auto q0 = of_type<ClientQuery>(frames(h.all));
  auto a = h.server(conn, codec::QueryAck{{}, q0[1].message_id, 0, 0, empty_pull_payload(1700000000100)});
  auto confirm = of_type<ClientQuery>(frames(a, conn));
  ASSERT_EQ(confirm.size(), 1u);  // the first pull (syncTime 0) is confirmed
  auto b = h.server(conn, codec::QueryAck{{}, confirm[0].message_id, 0, 0, empty_pull_payload(1700000000100)});
  EXPECT_TRUE(of_type<ClientQuery>(frames(b, conn)).empty());
  pb::NotifyMsg n;
  n.set_type(1);
  n.set_time(1700000000500);
  auto c = h.server(conn, codec::ServerPublish{{1, false, false}, 1, "s_ntf", "userA", 9, n.SerializeAsString()});
  auto pulls = of_type<ClientQuery>(frames(c, conn));
  ASSERT_EQ(pulls.size(), 1u);
  pb::SyncRequestMsg req;
  ASSERT_TRUE(req.ParseFromString(pulls[0].payload));
  EXPECT_EQ(req.synctime(), 1700000000100);
  EXPECT_FALSE(req.has_confirmsanswer());
  auto d = h.server(conn, codec::QueryAck{{}, pulls[0].message_id, 0, 0,
                                          pull_payload({text_from("userB", "U-1", 1700000000500)}, 1700000000500)});
  EXPECT_EQ(events(d, "message").size(), 1u);
  EXPECT_TRUE(of_type<ClientQuery>(frames(d, conn)).empty());
}

TEST(SessionReceive, TypingIsAnEventRecallAndReadReceiptUpdateConversations) {
  Harness h;
  const uint32_t conn = h.connect();
  auto q0 = of_type<ClientQuery>(frames(h.all));
  auto typing = text_from("userB", "", 1700000000200);
  typing.set_classname("RC:TypSts");
  typing.set_content(R"({"typingContentType":"RC:TxtMsg"})");
  auto a = h.server(conn, codec::QueryAck{{}, q0[1].message_id, 0, 0,
                                          pull_payload({text_from("userB", "U-1", 1700000000100), typing}, 1700000000200)});
  ASSERT_EQ(events(a, "typing").size(), 1u);
  EXPECT_EQ(events(a, "typing")[0]["userId"], "userB");
  EXPECT_EQ(h.s.conversations().find(1, "userB")->unread, 1);  // typing is not counted

  auto recall = text_from("userB", "U-R", 1700000000300);
  recall.set_classname("RC:RcCmd");
  recall.set_content(R"({"conversationType":1,"targetId":"userA","messageUId":"U-1","sentTime":1700000000100})");
  auto b = h.server(conn, codec::ServerPublish{{1, false, false}, 1, "s_msg", "userA", 0, recall.SerializeAsString()});
  ASSERT_EQ(events(b, "recall").size(), 1u);
  EXPECT_EQ(events(b, "recall")[0]["messageUId"], "U-1");
  EXPECT_EQ(h.s.conversations().find(1, "userB")->unread, 0);
  EXPECT_EQ(h.s.conversations().find(1, "userB")->latest_message["objectName"], "RC:RcCmd");

  auto clear = h.cmd({{"cmd", "clearUnreadCount"}, {"id", 4}, {"conversationType", 1}, {"targetId", "userB"}});
  auto mark = of_type<ClientQuery>(frames(clear, conn));
  ASSERT_EQ(mark.size(), 1u);
  EXPECT_EQ(mark[0].topic, "updRRTime");  // the server's count follows, no receipt to the peer
}

TEST(SessionReceive, SyncCopyOfOwnMessageWaitsForItsPubAck) {
  Harness h;
  const uint32_t conn = h.connect();
  pb::UpStreamMessage up;
  up.set_sessionid(3);
  up.set_classname("RC:TxtMsg");
  up.set_content(R"({"content":"from my phone"})");
  auto a = h.server(conn, codec::ServerPublish{{1, true, false}, 1, "ppMsgP", "userC", 4242, up.SerializeAsString()});
  EXPECT_TRUE(events(a, "message").empty());
  EXPECT_TRUE(of_type<codec::ClientPubAck>(frames(a)).empty());  // sync copies are not acked
  auto b = h.server(conn, codec::ServerPubAck{{}, 4242, 1700000002, 0, 5, "SYNC-0000-0000-0001"});
  auto m = events(b, "message");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0]["message"]["messageDirection"], 1);
  EXPECT_EQ(m[0]["message"]["targetId"], "userC");
  EXPECT_EQ(m[0]["message"]["senderUserId"], "userA");
  EXPECT_EQ(m[0]["message"]["sentTime"], 1700000002005);
}

TEST(SessionReceive, GarbageFromTheServerIsLoggedNotFatal) {
  Harness h;
  const uint32_t conn = h.connect();
  auto a = h.keep(h.s.on_bytes(h.now, conn, std::string("\x32\x00", 2)));
  ASSERT_EQ(events(a, "log").size(), 1u);
  EXPECT_EQ(h.s.status(), ConnectionStatus::kConnected);
  a = h.keep(h.s.on_bytes(h.now, conn, std::string("\xf0\x01\x02", 3)));
  EXPECT_EQ(events(a, "log").size(), 1u);
}

}  // namespace
}  // namespace parley::testing

namespace parley::testing {
namespace {

std::vector<session::SendComet> posts(const Actions& a) {
  std::vector<session::SendComet> out;
  for (const auto& x : a)
    if (auto* p = std::get_if<session::SendComet>(&x)) out.push_back(*p);
  return out;
}

TEST(SessionComet, ConnectsPullsAndSendsOverLongPolling) {
  Harness h;
  auto a = h.cmd({{"cmd", "connect"}, {"id", 1}, {"token", "t"}, {"hosts", {"h:80"}}, {"transport", "comet"}});
  auto o = opens(a);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].kind, session::TransportKind::kComet);
  EXPECT_EQ(o[0].url.rfind("http://h:80/websocket?appId=appkey&token=t&sdkVer=2.9.2&pid=", 0), 0u);
  const uint32_t conn = o[0].conn;
  auto b = h.keep(h.s.on_comet(h.now, conn, R"({"status":0,"userId":"userA","sessionid":"s1","timestamp":1700000000000})"));
  EXPECT_EQ(statuses(b), std::vector<int>{0});
  EXPECT_TRUE(frames(b).empty());  // no binary frames, and no ping: comet has no heartbeat
  auto p = posts(b);
  ASSERT_EQ(p.size(), 3u);  // pullSeAtts, pullMsg, qryRelationR as comet POSTs
  EXPECT_EQ(p[1].request.topic, "pullMsg");
  EXPECT_EQ(p[1].request.header, 0x50);
  EXPECT_EQ(json::parse(p[1].request.body)["isPullSend"], true);

  // The poll brings the pull answer (data is a JSON string) and then a notification.
  json ack = {{"headerCode", 98}, {"messageId", p[1].request.message_id}, {"status", 0},
              {"data", R"({"list":[{"fromUserId":"userB","type":1,"classname":"RC:TxtMsg","content":"{\"content\":\"hi\"}","dataTime":1700000000500,"status":48,"msgId":"C-1","direction":2}],"syncTime":1700000000500,"finished":true})"}};
  auto c = h.keep(h.s.on_comet(h.now, conn, json::array({ack}).dump()));
  auto m = events(c, "message");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0]["message"]["content"]["content"], "hi");
  // Comet never sends PUBACK/QUERYCON; the one POST is the pull confirming the first one
  // (which started without a position).
  auto confirm = posts(c);
  ASSERT_EQ(confirm.size(), 1u);
  EXPECT_EQ(confirm[0].request.topic, "pullMsg");
  EXPECT_EQ(json::parse(p[1].request.body)["confirmsAnswer"], true);
  EXPECT_EQ(json::parse(confirm[0].request.body)["syncTime"], 1700000000500);
  EXPECT_FALSE(json::parse(confirm[0].request.body).contains("confirmsAnswer"));

  auto d = h.cmd({{"cmd", "sendMessage"}, {"id", 2}, {"conversationType", 1}, {"targetId", "userB"},
                  {"objectName", "RC:TxtMsg"}, {"content", {{"content", "yo"}}}});
  auto sp = posts(d);
  ASSERT_EQ(sp.size(), 1u);
  EXPECT_EQ(sp[0].request.header, 0x32);
  EXPECT_EQ(sp[0].request.topic, "ppMsgP");
  EXPECT_EQ(json::parse(sp[0].request.body)["classname"], "RC:TxtMsg");
  json puback = {{"headerCode", 64}, {"messageId", sp[0].request.message_id}, {"status", 0},
                 {"timestamp", 1700000000900}, {"messageUId", "C-2"}};
  auto e = h.keep(h.s.on_comet(h.now, conn, json::array({puback}).dump()));
  ASSERT_EQ(results(e, 2).size(), 1u);
  EXPECT_EQ(results(e, 2)[0]["data"]["message"]["messageUId"], "C-2");
  EXPECT_EQ(results(e, 2)[0]["data"]["message"]["sentTime"], 1700000000900);

  // Garbage bodies are logged, not fatal; a poll failure is the transport closing.
  EXPECT_EQ(events(h.keep(h.s.on_comet(h.now, conn, "not json")), "log").size(), 1u);
  EXPECT_EQ(statuses(h.closed(conn)), std::vector<int>{1});
}

}  // namespace
}  // namespace parley::testing

namespace parley::testing {
namespace {

TEST(SessionRecall, RecallPublishesToSelfAndReportsTheCommand) {
  Harness h;
  const uint32_t conn = h.connect();
  auto a = h.cmd({{"cmd", "recallMessage"}, {"id", 8}, {"conversationType", 1}, {"targetId", "userB"},
                  {"messageUId", "U-9"}, {"sentTime", 1700000000100}});
  auto p = of_type<ClientPublish>(frames(a, conn));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].topic, "recallMsg");
  EXPECT_EQ(p[0].target_id, "userA");  // to ourselves: the server routes by the content
  pb::UpStreamMessage up;
  ASSERT_TRUE(up.ParseFromString(p[0].payload));
  EXPECT_EQ(up.classname(), "RC:RcCmd");
  EXPECT_EQ(json::parse(up.content())["messageUId"], "U-9");
  auto b = h.server(conn, codec::ServerPubAck{{}, p[0].message_id, 1700000001, 0, 7, "R-1"});
  ASSERT_EQ(results(b, 8).size(), 1u);
  EXPECT_EQ(results(b, 8)[0]["data"]["message"]["objectName"], "RC:RcCmd");
  EXPECT_EQ(events(b, "recall").size(), 1u);
  // Refused (too late, not the sender...): the server's status is the error.
  auto c = h.cmd({{"cmd", "recallMessage"}, {"id", 9}, {"conversationType", 1}, {"targetId", "userB"},
                  {"messageUId", "U-8"}, {"sentTime", 1700000000000}});
  auto p2 = of_type<ClientPublish>(frames(c, conn));
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_EQ(results(h.server(conn, codec::ServerPubAck{{}, p2[0].message_id, 0, 25101, 0, ""}), 9)[0]["code"], 25101);
  EXPECT_EQ(results(h.cmd({{"cmd", "recallMessage"}, {"id", 10}, {"targetId", "x"}}), 10)[0]["code"], 33003);
}

// The dedupe set is stored in blocks of 100 ids: each message rewrites one block (not the
// whole set, which once made every incoming message write up to 100 KB), blocks whose ids
// are all forgotten are erased, and a restart restores the set from the blocks, or from
// the single "seen" key of an older version, which then moves to blocks.
TEST(SessionPersist, DedupeSetIsStoredInBlocksAndSurvivesRestarts) {
  std::map<std::string, std::string> store;
  size_t largest_write = 0;
  auto persist = [&](const Actions& a) {
    for (const auto& x : a)
      if (auto* p = std::get_if<session::PersistValue>(&x)) {
        if (p->erase) {
          store.erase(p->key);
        } else {
          store[p->key] = p->value;
          if (p->key.find("/seen") != std::string::npos) largest_write = std::max(largest_write, p->value.size());
        }
      }
  };
  auto seen_keys = [&]() {
    std::vector<std::string> keys;
    for (const auto& [k, v] : store)
      if (k.rfind("parley/appkey/userA/seen", 0) == 0) keys.push_back(k.substr(20));
    return keys;
  };
  auto config = Harness::make_config();
  config.dedupe_capacity = 250;
  auto message = [](int i) {
    pb::DownStreamMessage m = text_from("userB", "UID-" + std::to_string(i), 1700000000000 + i);
    return m.SerializeAsString();
  };
  {
    Harness h(1, config);
    const uint32_t conn = h.connect();
    for (int i = 0; i < 420; ++i)
      persist(h.server(conn, codec::ServerPublish{{1, false, false}, 1, "s_msg", "userA", 0, message(i)}));
  }
  // 420 ids, the newest 250 remembered (170..419): blocks 1 to 4; block 0 (0..99) erased.
  EXPECT_EQ(seen_keys(), (std::vector<std::string>{"seen/1", "seen/2", "seen/3", "seen/4"}));
  EXPECT_LT(largest_write, 100u * 12);  // one block of 100 ids of ~10 characters at the most
  auto redelivered = [&](Harness& h, uint32_t conn, int i) {
    return events(h.server(conn, codec::ServerPublish{{1, false, false}, 1, "s_msg", "userA", 0, message(i)}),
                  "message").size();
  };
  {
    Harness h(2, config);
    h.s.restore(store);
    const uint32_t conn = h.connect();
    EXPECT_EQ(redelivered(h, conn, 419), 0u);
    EXPECT_EQ(redelivered(h, conn, 170), 0u);
    EXPECT_EQ(redelivered(h, conn, 420), 1u);  // new: numbered on, into block 4
    persist(h.all);
  }
  EXPECT_EQ(seen_keys(), (std::vector<std::string>{"seen/1", "seen/2", "seen/3", "seen/4"}));
  EXPECT_NE(store["parley/appkey/userA/seen/4"].find("UID-420"), std::string::npos);

  // An older version's single key: read, then written as blocks, and erased.
  std::map<std::string, std::string> old_store = {
      {"parley/appkey/userA/seen", R"(["UID-1","UID-2"])"},
      {"parley/appkey/userA/sync", R"({"inbox":1700000000002,"outbox":0})"}};
  store = old_store;
  {
    Harness h(3, config);
    h.s.restore(store);
    const uint32_t conn = h.connect();
    persist(h.all);
    EXPECT_EQ(redelivered(h, conn, 2), 0u);
  }
  EXPECT_EQ(seen_keys(), (std::vector<std::string>{"seen/0"}));
  EXPECT_EQ(store["parley/appkey/userA/seen/0"], R"(["UID-1","UID-2"])");
}

// Each outbox entry has its own key, so queueing n messages offline writes n entries (not
// n ever longer lists, which froze a page for seconds at 1000 messages); a restart sends
// them in the order they were queued, and each key goes when its PUBACK comes.
TEST(SessionPersist, OutboxIsStoredOneKeyPerEntryAndResentInOrderAfterARestart) {
  std::map<std::string, std::string> store;
  auto persist = [&](const Actions& a) { apply_persists(a, store); };
  auto outbox_keys = [&]() {
    std::vector<std::string> keys;
    for (const auto& [k, v] : store)
      if (k.find("/outbox") != std::string::npos) keys.push_back(k);
    return keys;
  };
  constexpr int kMessages = 120;  // past 100: the order must not be the keys' text order
  {
    Harness h;
    h.closed(h.connect());
    persist(h.all);
    for (int i = 0; i < kMessages; ++i) {
      auto a = send_text(h, 100 + i, "m" + std::to_string(i));
      size_t writes = 0, bytes = 0;
      for (const auto& x : a)
        if (auto* p = std::get_if<session::PersistValue>(&x); p && p->key.find("/outbox") != std::string::npos) {
          ++writes;
          bytes += p->value.size();
        }
      EXPECT_EQ(writes, 1u) << i;
      EXPECT_LT(bytes, 400u) << i;  // one entry, however many are queued
      persist(a);
    }
  }
  ASSERT_EQ(outbox_keys().size(), size_t{kMessages});
  EXPECT_EQ(outbox_keys()[0].rfind("parley/appkey/userA/outbox/000000000001.", 0), 0u) << outbox_keys()[0];

  Harness h(2);  // a restart: a new Session restored from what was persisted
  h.s.restore(store);
  auto a = h.cmd({{"cmd", "connect"}, {"id", 1}, {"token", "t"}, {"hosts", {"h"}}});
  const uint32_t conn = opens(a)[0].conn;
  auto pubs = of_type<ClientPublish>(frames(h.server(conn, connack("userA"))));
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_EQ(pubs.size(), 1u) << i;  // one in flight per conversation
    pb::UpStreamMessage up;
    ASSERT_TRUE(up.ParseFromString(pubs[0].payload));
    EXPECT_EQ(up.content(), R"({"content":"m)" + std::to_string(i) + R"("})");
    auto b = h.server(conn, codec::ServerPubAck{{}, pubs[0].message_id, 1700000001, 0, 0,
                                                "UID-" + std::to_string(i)});
    persist(b);
    EXPECT_EQ(outbox_keys().size(), size_t(kMessages - i - 1));
    pubs = of_type<ClientPublish>(frames(b));
  }
  EXPECT_TRUE(pubs.empty());
}

// Messages queued by an older version (one key holding the whole outbox, for the user and
// for the time before the first CONNACK): sent in order, moved to one key each, and the
// old keys erased.
TEST(SessionPersist, OutboxOfAnOlderVersionIsSentAndMovedToOneKeyPerEntry) {
  std::map<std::string, std::string> store = {
      {"parley/appkey/userA/outbox", "[" + stored_entry(1, "userB") + "," + stored_entry(2, "userC") + "]"},
      {"parley/appkey/_pending/outbox", "[" + stored_entry(3, "userD") + "]"}};
  Harness h;
  h.keep(h.s.restore(store));  // the older pending key, rewritten as keys of its own
  auto a = h.cmd({{"cmd", "connect"}, {"id", 1}, {"token", "t"}, {"hosts", {"h"}}});
  auto b = h.server(opens(a)[0].conn, connack("userA"));
  std::vector<std::string> targets;
  for (const auto& p : of_type<ClientPublish>(frames(b))) targets.push_back(p.target_id);
  EXPECT_EQ(targets, (std::vector<std::string>{"userB", "userC", "userD"}));
  apply_persists(h.all, store);
  std::vector<std::string> keys;
  for (const auto& [k, v] : store) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"parley/appkey/userA/marks",
                                            "parley/appkey/userA/outbox/000000000001.1",
                                            "parley/appkey/userA/outbox/000000000002.2",
                                            "parley/appkey/userA/outbox/000000000003.3"}))
      << "the entries' new keys and what a first connect writes anyway (marks)";
}

// The shim restores at load and again before every connect: a message queued before the
// first CONNACK is in memory and in storage then, and must stay one message.
TEST(SessionPersist, RestoringAgainBeforeTheFirstConnAckKeepsOneCopyOfEachQueuedMessage) {
  std::map<std::string, std::string> store;
  auto persist = [&](const Actions& a) { apply_persists(a, store); };
  {
    Harness h;  // a page that queued one message and was reloaded before it connected
    persist(send_text(h, 5, "first"));
  }
  ASSERT_EQ(store.size(), 1u);
  EXPECT_EQ(store.begin()->first.rfind("parley/appkey/_pending/outbox/000000000001.", 0), 0u);
  Harness h(2);
  persist(h.s.restore(store));
  persist(send_text(h, 6, "second"));
  persist(h.s.restore(store));  // before the connect
  persist(h.s.restore(store));  // and again (a connect that failed before its CONNACK)
  auto outbox = results(h.cmd({{"cmd", "getOutbox"}, {"id", 7}}), 7);
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0]["data"].size(), 2u);

  EXPECT_EQ(connect_and_ack_all(h), (std::vector<std::string>{R"({"content":"first"})", R"({"content":"second"})"}));
  persist(h.all);
  for (const auto& [k, v] : store) EXPECT_EQ(k.find("outbox"), std::string::npos) << k;
}

// Two pages of one user share the storage and number their entries alike: each entry's
// key also holds its messageId, so neither page overwrites what the other queued, and the
// next page to load sends both.
TEST(SessionPersist, TwoPagesOfOneUserKeepEachOthersQueuedMessages) {
  std::map<std::string, std::string> store;
  Harness page1(1), page2(2);
  apply_persists(page1.s.restore(store), store);
  apply_persists(page2.s.restore(store), store);
  for (Harness* h : {&page1, &page2}) {
    const uint32_t conn = h->connect();
    h->closed(conn);
    apply_persists(h->all, store);
  }
  apply_persists(send_text(page1, 5, "from page 1"), store);
  apply_persists(send_text(page2, 5, "from page 2"), store);
  size_t queued = 0;
  for (const auto& [k, v] : store) queued += k.find("/outbox/") != std::string::npos;
  EXPECT_EQ(queued, 2u);

  Harness page3(3);  // a reload
  apply_persists(page3.s.restore(store), store);
  std::vector<std::string> sent = connect_and_ack_all(page3);
  std::sort(sent.begin(), sent.end());
  EXPECT_EQ(sent, (std::vector<std::string>{R"({"content":"from page 1"})", R"({"content":"from page 2"})"}));
}

// Keys under outbox/ that the core did not write (a damaged or foreign key) are skipped,
// however their names read; the entries of well-formed keys still go out.
TEST(SessionPersist, DamagedOutboxKeysAreSkipped) {
  const auto entry = [](int64_t local_id, const char* target) { return stored_entry(local_id, target); };
  const std::string p = "parley/appkey/userA/outbox";
  std::map<std::string, std::string> store = {
      {p + "/000000000007.1", entry(1, "good")},
      {p + "/garbage", entry(2, "bad1")},
      {p + "/000000000000.3", entry(3, "bad2")},          // seq 0: never written
      {p + "/99999999999999999999.4", entry(4, "bad3")},  // would overflow
      {p + "/00000000x001.5", entry(5, "bad4")},
      {p + "/000000000008.6", "{not json"},
      {p + "x", entry(7, "bad5")},                        // not an outbox key at all
  };
  Harness h;
  h.keep(h.s.restore(store));
  auto a = h.cmd({{"cmd", "connect"}, {"id", 1}, {"token", "t"}, {"hosts", {"h"}}});
  std::vector<std::string> targets;
  for (const auto& f : of_type<ClientPublish>(frames(h.server(opens(a)[0].conn, connack("userA")))))
    targets.push_back(f.target_id);
  EXPECT_EQ(targets, std::vector<std::string>{"good"});
}

TEST(SessionPersist, DirectMessageIsPersistedInTheSameInputAndEventsAreCoalesced) {
  Harness h;
  const uint32_t conn = h.connect();
  pb::DownStreamMessage m;
  m.set_fromuserid("userB");
  m.set_type(pb::PERSON);
  m.set_classname("RC:TxtMsg");
  m.set_content(R"({"content":"x"})");
  m.set_datatime(1700000000100);
  m.set_status(48);
  m.set_msgid("S-1");
  auto a = h.server(conn, codec::ServerPublish{{1, false, false}, 1, "s_msg", "userA", 0, m.SerializeAsString()});
  bool seen_persisted = false;
  for (const auto& x : a)
    if (auto* p = std::get_if<session::PersistValue>(&x))
      if (p->key == "parley/appkey/userA/seen/0" && p->value.find("S-1") != std::string::npos) seen_persisted = true;
  EXPECT_TRUE(seen_persisted);  // a reload right after cannot deliver it twice
  EXPECT_EQ(events(a, "conversation").size(), 1u);
  // A pull of 3 messages of one conversation: one conversation event, one write each.
  std::vector<pb::DownStreamMessage> list;
  for (int i = 0; i < 3; ++i) {
    m.set_msgid("P-" + std::to_string(i));
    m.set_datatime(1700000000200 + i);
    list.push_back(m);
  }
  pb::DownStreamMessages batch;
  for (auto& x : list) *batch.add_list() = x;
  batch.set_synctime(1700000000202);
  batch.set_finished(true);
  auto q = of_type<ClientQuery>(frames(h.all, conn));
  auto b = h.server(conn, codec::QueryAck{{}, q[1].message_id, 0, 0, batch.SerializeAsString()});
  EXPECT_EQ(events(b, "message").size(), 3u);
  EXPECT_EQ(events(b, "conversation").size(), 1u);
  EXPECT_EQ(events(b, "conversation")[0]["conversation"]["unreadMessageCount"], 4);
}

}  // namespace
}  // namespace parley::testing

namespace parley::testing {
namespace {

TEST(SessionChatroom, PullsResumeFromTheLastSyncTimeSoABusyRoomLosesNothing) {
  Harness h;
  const uint32_t conn = h.connect();
  auto a = h.cmd({{"cmd", "joinChatroom"}, {"id", 3}, {"chatroomId", "room1"}, {"count", 10}});
  auto join = of_type<ClientQuery>(frames(a, conn));
  ASSERT_EQ(join.size(), 1u);
  EXPECT_EQ(join[0].topic, "joinChrm");
  pb::ChrmOutput o;
  o.set_nothing(1);
  o.set_jointime(1700000000000);
  auto b = h.server(conn, codec::QueryAck{{}, join[0].message_id, 0, 0, o.SerializeAsString()});
  auto pull1 = of_type<ClientQuery>(frames(b, conn));
  ASSERT_EQ(pull1.size(), 1u);
  pb::ChrmPullMsg req;
  ASSERT_TRUE(req.ParseFromString(pull1[0].payload));
  EXPECT_EQ(req.synctime(), 1700000000000);
  pb::DownStreamMessages page;
  page.set_synctime(1700000000500);
  page.set_finished(true);
  h.server(conn, codec::QueryAck{{}, pull1[0].message_id, 0, 0, page.SerializeAsString()});
  // A notification: the pull starts where the last one ended, and pages until finished.
  pb::NotifyMsg n;
  n.set_type(2);
  n.set_chrmid("room1");
  auto c = h.server(conn, codec::ServerPublish{{0, false, false}, 1, "s_ntf", "userA", 0, n.SerializeAsString()});
  auto pull2 = of_type<ClientQuery>(frames(c, conn));
  ASSERT_EQ(pull2.size(), 1u);
  ASSERT_TRUE(req.ParseFromString(pull2[0].payload));
  EXPECT_EQ(req.synctime(), 1700000000500);
  pb::DownStreamMessages more;
  auto* m = more.add_list();
  m->set_fromuserid("userB");
  m->set_type(pb::GROUP);
  m->set_groupid("room1");
  m->set_classname("RC:TxtMsg");
  m->set_content(R"({"content":"1"})");
  m->set_datatime(1700000000600);
  m->set_status(16);
  m->set_msgid("CR-1");
  m->set_type(static_cast<pb::ChannelType>(4));
  more.set_synctime(1700000000600);
  more.set_finished(false);
  auto d = h.server(conn, codec::QueryAck{{}, pull2[0].message_id, 0, 0, more.SerializeAsString()});
  EXPECT_EQ(events(d, "message").size(), 1u);
  auto pull3 = of_type<ClientQuery>(frames(d, conn));
  ASSERT_EQ(pull3.size(), 1u);
  ASSERT_TRUE(req.ParseFromString(pull3[0].payload));
  EXPECT_EQ(req.synctime(), 1700000000600);
}

}  // namespace
}  // namespace parley::testing
