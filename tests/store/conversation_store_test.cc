// ConversationStore::list and total_unread: the order the conversation list shows, and
// which conversations count.
#include "store/conversation_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::store {
namespace {

std::vector<std::string> keys(const std::vector<const Conversation*>& list) {
  std::vector<std::string> out;
  for (const auto* c : list) out.push_back(std::to_string(c->type) + "/" + c->target_id);
  return out;
}

TEST(ConversationStore, ListsPinnedFirstThenNewestFirstWithTiesInKeyOrder) {
  ConversationStore s;
  auto add = [&](int type, const char* target, int64_t sent_time, bool top = false) {
    Conversation& c = s.upsert(type, target);
    c.sent_time = sent_time;
    c.top = top;
  };
  add(1, "b", 100);
  add(3, "a", 100);        // same time as 1/b and 1/c: key order among them
  add(1, "c", 100);
  add(1, "old", 50);
  add(1, "new", 300);
  add(3, "pinned", 10, true);
  add(1, "pinned2", 20, true);
  s.upsert(1, "empty");    // known only from a read mark: not listed
  EXPECT_EQ(keys(s.list()), (std::vector<std::string>{"1/pinned2", "3/pinned", "1/new", "1/b", "1/c",
                                                       "3/a", "1/old"}));
  EXPECT_EQ(keys(s.list({3})), (std::vector<std::string>{"3/pinned", "3/a"}));
}

TEST(ConversationStore, TotalUnreadCountsListedConversationsAndSkipsSilentOnRequest) {
  ConversationStore s;
  Conversation& a = s.upsert(1, "a");
  a.sent_time = 1;
  a.unread = 2;
  Conversation& g = s.upsert(3, "g");
  g.sent_time = 2;
  g.unread = 5;
  g.notification_status = 1;  // do not disturb
  EXPECT_EQ(s.total_unread(), 7);
  EXPECT_EQ(s.total_unread({}, false), 2);
  EXPECT_EQ(s.total_unread({3}), 5);
  EXPECT_EQ(s.total_unread({1, 3}, false), 2);
}

}  // namespace
}  // namespace parley::store
