// Message times and message UIDs.
//
// MessageClock hands out strictly increasing millisecond times, max(now, last + 1): a time
// then identifies one message per server, and a sync position ("everything up to t") is
// exact. It starts above everything stored, so a clock stepping back across a restart
// cannot reuse a time.
//
// MessageUidGenerator makes the msgUId: 80 bits in RongCloud's XXXX-XXXX-XXXX-XXXX shape,
// base32 with the digits-then-letters alphabet (RFC 4648 "base32hex"), so UIDs sort as
// strings in time order:
//   42 bits  message time (ms since 2020-01-01; good until 2159)
//   10 bits  node id (config node_id)
//   28 bits  random
// Time alone is unique on one node; node id and randomness keep UIDs unique across nodes
// and across a restored database.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace parley::server::im {

class MessageClock {
 public:
  explicit MessageClock(int64_t high_water_mark = 0) : last_(high_water_mark) {}
  int64_t next(int64_t now_ms) {
    last_ = now_ms > last_ ? now_ms : last_ + 1;
    return last_;
  }
  int64_t last() const { return last_; }

 private:
  int64_t last_;
};

class MessageUidGenerator {
 public:
  MessageUidGenerator(uint16_t node_id, uint64_t seed) : node_id_(node_id & 0x3ff), random_(seed) {}
  std::string next(int64_t time_ms);

  static constexpr int64_t kEpochMs = 1'577'836'800'000;  // 2020-01-01T00:00:00Z

 private:
  uint16_t node_id_;
  std::mt19937_64 random_;
};

// "XXXX-XXXX-XXXX-XXXX" of base32hex characters.
bool is_message_uid_shape(const std::string& uid);

}  // namespace parley::server::im
