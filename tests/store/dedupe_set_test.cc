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
  t.append(s.to_json());
  EXPECT_EQ(t.to_json().dump(), R"(["b","c","d"])");
  t.insert("e");
  EXPECT_EQ(t.to_json().dump(), R"(["c","d","e"])");
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.to_json().dump(), "[]");
  EXPECT_TRUE(t.insert("c"));
}

// Numbers run on across compactions; a block holds the remembered ids of its range.
TEST(DedupeSet, BlocksFollowTheNumbersAcrossCompactions) {
  constexpr uint64_t K = DedupeSet::kBlockIds;
  DedupeSet s(150);
  for (int i = 0; i < 1000; ++i) s.insert("id" + std::to_string(i));
  EXPECT_EQ(s.end_number(), 1000u);
  EXPECT_EQ(s.first_number(), 850u);
  EXPECT_EQ(s.block_json(7).size(), 0u);  // all forgotten
  const Json b8 = s.block_json(8);        // 800..899, remembered from 850
  ASSERT_EQ(b8.size(), 50u);
  EXPECT_EQ(b8[0].get<std::string>(), "id850");
  EXPECT_EQ(s.block_json(9).size(), K);
  EXPECT_EQ(s.block_json(9)[0].get<std::string>(), "id900");
  EXPECT_EQ(s.block_json(10).size(), 0u);
  EXPECT_FALSE(s.insert("id999"));  // a duplicate takes no number
  EXPECT_EQ(s.end_number(), 1000u);

  // Loaded from its blocks and numbered on from the newest: the same blocks come out.
  DedupeSet t(150);
  t.append(b8);
  t.append(s.block_json(9));
  t.number_up_to(1000);
  EXPECT_EQ(t.first_number(), 850u);
  EXPECT_EQ(t.block_json(9).dump(), s.block_json(9).dump());
  t.insert("id1000");
  EXPECT_EQ(t.block_json(10).dump(), R"(["id1000"])");
  t.number_up_to(0);  // never below what it holds
  EXPECT_EQ(t.size(), 150u);
  EXPECT_EQ(t.end_number() - t.first_number(), 150u);
  EXPECT_EQ(t.block_json(1).back().get<std::string>(), "id1000");
}

}  // namespace
}  // namespace parley::store
