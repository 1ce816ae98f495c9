// The RongCloud server-API request signature: headers App-Key, Nonce, Timestamp and
// Signature = hex SHA1(appSecret + Nonce + Timestamp). A timestamp outside the window and
// a nonce seen before (within the window) are refused, so a captured request cannot be
// replayed. Timestamps in seconds (older RongCloud docs) and in milliseconds (newer ones)
// are both accepted.
//
// The nonce memory is per process: several nodes behind one balancer would need a shared
// store (noted for the clustered deployment).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

namespace parley::server::auth {

enum class SignatureCheck {
  kValid,
  kMissingHeader,
  kBadTimestamp,    // not a number
  kStaleTimestamp,  // outside the window
  kBadSignature,
  kNonceReused,
  kNonceStoreFull,  // too many requests inside one window: refuse rather than forget nonces
};

const char* signature_check_message(SignatureCheck check);

class ApiSignatureVerifier {
 public:
  explicit ApiSignatureVerifier(int64_t window_ms = 300'000, size_t max_remembered_nonces = 200'000)
      : window_ms_(window_ms), max_nonces_(max_remembered_nonces) {}

  // Verifies one request of `app_key` and, when valid, remembers its nonce.
  SignatureCheck verify(std::string_view app_key, std::string_view app_secret, std::string_view nonce,
                        std::string_view timestamp, std::string_view signature, int64_t now_ms);

  size_t remembered_nonces() const { return nonces_.size(); }

 private:
  void forget_expired(int64_t now_ms);

  int64_t window_ms_;
  size_t max_nonces_;
  struct Remembered {
    int64_t forget_at_ms;
    std::string key;
  };
  std::deque<Remembered> by_age_;  // forget_at_ms is non-decreasing: now + 2 windows
  std::unordered_set<std::string> nonces_;
};

}  // namespace parley::server::auth
