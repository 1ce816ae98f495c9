// DedupeSet: exactly-once bookkeeping, bounded with the oldest ids forgotten first.
#include "store/dedupe_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace parley::store {
namespace {

TEST(DedupeSet, DuplicatesAreRefusedAndEmptyIdsNeverAre) {
  DedupeSet s(10);
  EXPECT_TRUE(s.insert("a"));
  EXPECT_FALSE(s.insert("a"));
  EXPECT_TRUE(s.insert(""));
  EXPECT_TRUE(s.insert(""));
  EXPECT_EQ(s.size(), 1u);
}

// Many more ids than the capacity, so the FIFO compacts several times: at every step the
// set holds exactly the newest `capacity` ids, oldest first.
TEST(DedupeSet, ForgetsTheOldestFirstAcrossCompactions) {
  const size_t capacity = 7;
  DedupeSet s(capacity);
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(s.insert("id" + std::to_string(i)));
    const int oldest = std::max(0, i - static_cast<int>(capacity) + 1);
    ASSERT_EQ(s.size(), static_cast<size_t>(i - oldest + 1));
    if (oldest > 0) {
      ASSERT_FALSE(s.contains("id" + std::to_string(oldest - 1)));
    }
    ASSERT_TRUE(s.contains("id" + std::to_string(oldest)));
    const Json ids = s.to_json();
    ASSERT_EQ(ids.size(), s.size());
    ASSERT_EQ(ids[0].get<std::string>(), "id" + std::to_string(oldest));
    ASSERT_EQ(ids.back().get<std::string>(), "id" + std::to_string(i));
  }
  EXPECT_TRUE(s.insert("id0"));  // forgotten long ago: new again
}

TEST(DedupeSet, SavedAndLoadedKeepsTheOrder) {
  DedupeSet s(3);
  for (const char* id : {"a", "b", "c", "d"}) s.insert(id);
  DedupeSet t(3);
  t.load(s.to_json());
  EXPECT_EQ(t.to_json().dump(), R"(["b","c","d"])");
  t.insert("e");
  EXPECT_EQ(t.to_json().dump(), R"(["c","d","e"])");
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.to_json().dump(), "[]");
  EXPECT_TRUE(t.insert("c"));
}

}  // namespace
}  // namespace parley::store
