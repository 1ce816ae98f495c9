#include "im/message_ids.h"

namespace parley::server::im {
namespace {
constexpr char kBase32Hex[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
}

std::string MessageUidGenerator::next(int64_t time_ms) {
  const int64_t since_epoch = time_ms > kEpochMs ? time_ms - kEpochMs : 0;
  const uint64_t t = static_cast<uint64_t>(since_epoch) & ((uint64_t{1} << 42) - 1);
  const uint64_t r = random_() & ((uint64_t{1} << 28) - 1);
  // 80 bits as hi (16) + lo (64): t(42) | node(10) | random(28).
  const uint64_t hi = t >> 26;
  const uint64_t lo = (t & ((uint64_t{1} << 26) - 1)) << 38 | uint64_t{node_id_} << 28 | r;
  std::string out;
  out.reserve(19);
  for (int i = 15; i >= 0; --i) {
    const int shift = i * 5;  // bit offset of this character within the 80 bits
    uint64_t v;
    if (shift >= 64) v = hi >> (shift - 64);
    else if (shift > 59) v = lo >> shift | hi << (64 - shift);
    else v = lo >> shift;
    out += kBase32Hex[v & 31];
    if (i % 4 == 0 && i != 0) out += '-';
  }
  return out;
}

bool is_message_uid_shape(const std::string& uid) {
  if (uid.size() != 19) return false;
  for (size_t i = 0; i < uid.size(); ++i) {
    const char c = uid[i];
    if (i % 5 == 4) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'V'))) {
      return false;
    }
  }
  return true;
}

}  // namespace parley::server::im
