// MessageClock, msgUIds, and the persist/count policy.
#include <set>

#include <gtest/gtest.h>

#include "im/message_flags.h"
#include "im/message_ids.h"
#include "storage/storage.h"

namespace parley::server::im {
namespace {

TEST(MessageClock, StrictlyIncreasingEvenWhenTheWallClockStallsOrStepsBack) {
  MessageClock clock(1000);
  EXPECT_EQ(clock.next(500), 1001);   // below the high-water mark
  EXPECT_EQ(clock.next(2000), 2000);
  EXPECT_EQ(clock.next(2000), 2001);  // same ms
  EXPECT_EQ(clock.next(1500), 2002);  // stepped back
  EXPECT_EQ(clock.next(5000), 5000);
  EXPECT_EQ(clock.last(), 5000);
}

TEST(MessageUid, ShapeUniquenessAndTimeOrder) {
  MessageUidGenerator gen(5, 1234);
  std::set<std::string> seen;
  std::string previous;
  for (int64_t t = 1'700'000'000'000; t < 1'700'000'000'000 + 2000; ++t) {
    const std::string uid = gen.next(t);
    EXPECT_TRUE(is_message_uid_shape(uid)) << uid;
    EXPECT_GT(uid, previous) << "UIDs sort like their times";
    EXPECT_TRUE(seen.insert(uid).second);
    previous = uid;
  }
  // Sortable across the whole range: a later second, a later year.
  EXPECT_LT(gen.next(1'700'000'000'000), gen.next(1'700'000'001'000));
  EXPECT_LT(gen.next(1'700'000'000'000), gen.next(2'000'000'000'000));
}

TEST(MessageUid, NodesDifferAtTheSameTime) {
  MessageUidGenerator a(1, 7), b(2, 7);
  EXPECT_NE(a.next(1'700'000'000'000), b.next(1'700'000'000'000));
}

TEST(MessageUid, ShapeCheck) {
  EXPECT_TRUE(is_message_uid_shape("BFUJ-8GHM-G8O4-3T8A"));
  EXPECT_FALSE(is_message_uid_shape("BFUJ-8GHM-G8O4-3T8"));
  EXPECT_FALSE(is_message_uid_shape("BFUJ_8GHM-G8O4-3T8A"));
  EXPECT_FALSE(is_message_uid_shape("BFUJ-8GHM-G8O4-3T8Z"));  // Z is not base32hex
  EXPECT_FALSE(is_message_uid_shape("bfuj-8ghm-g8o4-3t8a"));
}

TEST(MessageFlags, BuiltInTableWinsOverTheSendersFlags) {
  EXPECT_TRUE(storage_policy("RC:TxtMsg", 0).persisted);
  EXPECT_TRUE(storage_policy("RC:TxtMsg", 0).counted);
  EXPECT_TRUE(storage_policy("RC:InfoNtf", 3).persisted);
  EXPECT_FALSE(storage_policy("RC:InfoNtf", 3).counted);
  EXPECT_FALSE(storage_policy("RC:ReadNtf", 3).persisted);
  EXPECT_FALSE(storage_policy("RC:TypSts", 3).counted);
  // Custom types follow the sender.
  EXPECT_TRUE(storage_policy("App:Custom", 3).counted);
  EXPECT_TRUE(storage_policy("App:Custom", 1).persisted);
  EXPECT_FALSE(storage_policy("App:Custom", 1).counted);
  EXPECT_FALSE(storage_policy("App:Custom", 2).counted) << "counted implies persisted";
}

TEST(MessageFlags, StatusBitsForTheReceiver) {
  EXPECT_EQ(status_flags_for(3, {true, true}), storage::kStatusPersisted | storage::kStatusCounted);
  EXPECT_EQ(status_flags_for(kUpMentioned | kUpDisableNotification | kUpCanIncludeExpansion, {false, false}),
            storage::kStatusMentioned | storage::kStatusDisableNotification | storage::kStatusCanIncludeExpansion);
}

}  // namespace
}  // namespace parley::server::im
