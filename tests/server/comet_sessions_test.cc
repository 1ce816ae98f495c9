// CometSessions: the long-poll side of comet sessions with a fake clock: held polls are
// answered at once when a frame arrives or "[]" at their deadline, a new poll supersedes
// the held one, a closed session still delivers its last frames, the queue is bounded.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/comet_sessions.h"

namespace parley::server::http {
namespace {

constexpr int64_t kT0 = 1'000'000;

CometLimits limits() {
  CometLimits l;
  l.hold_ms = 20'000;
  l.max_queue_bytes = 100;
  l.max_response_bytes = 30;
  l.linger_ms = 10'000;
  return l;
}

TEST(CometSessions, FindsSessionsByKeyAndPid) {
  CometSessions c(limits());
  c.open(7, "key7", "pid7");
  EXPECT_EQ(c.find("key7", "pid7"), 7u);
  EXPECT_EQ(c.find("key7", "other-pid"), std::nullopt);
  EXPECT_EQ(c.find("nope", "pid7"), std::nullopt);
  EXPECT_TRUE(c.live(7));
}

TEST(CometSessions, AHeldPollIsAnsweredWhenAFrameArrivesOrEmptyAtItsDeadline) {
  CometSessions c(limits());
  c.open(1, "k", "p");
  EXPECT_TRUE(c.poll(1, 100, kT0).empty()) << "nothing waits: held";
  EXPECT_EQ(c.next_deadline(), kT0 + 20'000);
  ASSERT_TRUE(c.enqueue(1, R"({"a":1})"));
  auto answers = c.flush(1);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].poll, 100u);
  EXPECT_EQ(answers[0].body, R"([{"a":1}])");
  EXPECT_TRUE(c.flush(1).empty()) << "no poll held any more";

  EXPECT_TRUE(c.poll(1, 101, kT0 + 5).empty());
  EXPECT_TRUE(c.expire(kT0 + 20'004, nullptr).empty());
  answers = c.expire(kT0 + 20'005, nullptr);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].poll, 101u);
  EXPECT_EQ(answers[0].body, "[]");
  EXPECT_EQ(c.next_deadline(), INT64_MAX);
}

TEST(CometSessions, WaitingFramesAnswerAPollAtOnceAndANewPollSupersedesTheHeldOne) {
  CometSessions c(limits());
  c.open(1, "k", "p");
  ASSERT_TRUE(c.enqueue(1, "{\"n\":1}"));
  ASSERT_TRUE(c.enqueue(1, "{\"n\":2}"));
  auto answers = c.poll(1, 5, kT0);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].body, "[{\"n\":1},{\"n\":2}]");
  EXPECT_TRUE(c.poll(1, 6, kT0).empty());
  answers = c.poll(1, 7, kT0);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].poll, 6u);
  EXPECT_EQ(answers[0].body, "[]");
  // The client went away from poll 7: a frame now waits for the next poll.
  c.poll_gone(7);
  ASSERT_TRUE(c.enqueue(1, "{\"n\":3}"));
  EXPECT_TRUE(c.flush(1).empty());
  EXPECT_EQ(c.poll(1, 8, kT0).at(0).body, "[{\"n\":3}]");
}

TEST(CometSessions, AnswersAreBoundedAndTheQueueOverflowsIntoAClose) {
  CometSessions c(limits());
  c.open(1, "k", "p");
  const std::string frame = "{\"x\":\"0123456789\"}";  // 18 bytes
  ASSERT_TRUE(c.enqueue(1, frame));
  ASSERT_TRUE(c.enqueue(1, frame));
  ASSERT_TRUE(c.enqueue(1, frame));
  // Each poll is answered at once while frames wait, in order, one frame a time.
  EXPECT_EQ(c.poll(1, 1, kT0).at(0).body, "[" + frame + "]") << "30 bytes per answer: one frame fits";
  EXPECT_EQ(c.queued_bytes(1), 2 * frame.size());
  EXPECT_EQ(nlohmann::json::parse(c.poll(1, 2, kT0).at(0).body).size(), 1u);
  EXPECT_EQ(c.poll(1, 3, kT0).at(0).body, "[" + frame + "]");
  EXPECT_TRUE(c.poll(1, 4, kT0).empty()) << "nothing waits: held";
  EXPECT_EQ(c.queued_bytes(1), 0u);
  c.poll_gone(4);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.enqueue(1, frame));  // 90 bytes
  EXPECT_FALSE(c.enqueue(1, frame)) << "over 100 bytes queued";
}

TEST(CometSessions, AClosedSessionDeliversItsLastFramesThenIsForgotten) {
  CometSessions c(limits());
  c.open(1, "k", "p");
  c.open(2, "k2", "p2");
  // Held poll: the DISCONNECT goes out with the close, and the session is gone.
  EXPECT_TRUE(c.poll(1, 10, kT0).empty());
  ASSERT_TRUE(c.enqueue(1, "{\"headerCode\":224,\"status\":1}"));
  auto answers = c.close(1, kT0);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].body, "[{\"headerCode\":224,\"status\":1}]");
  EXPECT_FALSE(c.contains(1));
  // No poll held: the frame waits for one more poll (not for a POST: find() says closed).
  ASSERT_TRUE(c.enqueue(2, "{\"headerCode\":224,\"status\":2}"));
  EXPECT_TRUE(c.close(2, kT0).empty());
  EXPECT_FALSE(c.live(2));
  EXPECT_EQ(c.find("k2", "p2"), std::nullopt);
  EXPECT_EQ(c.find_for_poll("k2", "p2"), 2u);
  answers = c.poll(2, 11, kT0 + 1);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].body, "[{\"headerCode\":224,\"status\":2}]");
  EXPECT_FALSE(c.contains(2));
}

TEST(CometSessions, AbandonedClosedSessionsAreForgottenAfterTheirLinger) {
  CometSessions c(limits());
  c.open(1, "k", "p");
  c.open(3, "k3", "p3");
  EXPECT_TRUE(c.close(3, kT0).empty());
  EXPECT_FALSE(c.contains(3)) << "nothing waited: forgotten at once";
  ASSERT_TRUE(c.enqueue(1, "{}"));
  EXPECT_TRUE(c.close(1, kT0).empty());
  EXPECT_EQ(c.next_deadline(), kT0 + 10'000);
  std::vector<im::ConnectionId> forgotten;
  c.expire(kT0 + 10'000, &forgotten);
  EXPECT_EQ(forgotten, (std::vector<im::ConnectionId>{1}));
  EXPECT_EQ(c.size(), 0u);
  // drop(): at once, the held poll answered empty.
  c.open(2, "k2", "p2");
  EXPECT_TRUE(c.poll(2, 20, kT0).empty());
  const auto answers = c.drop(2);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].body, "[]");
  EXPECT_EQ(c.size(), 0u);
}

}  // namespace
}  // namespace parley::server::http
