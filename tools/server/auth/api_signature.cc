#include "auth/api_signature.h"

#include <cctype>

#include "auth/crypto.h"

namespace parley::server::auth {
namespace {

bool parse_timestamp_ms(std::string_view text, int64_t* ms) {
  if (text.empty() || text.size() > 16) return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  // Seconds until the year 5138; anything larger is milliseconds.
  *ms = v < 100'000'000'000 ? v * 1000 : v;
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

const char* signature_check_message(SignatureCheck check) {
  switch (check) {
    case SignatureCheck::kValid: return "ok";
    case SignatureCheck::kMissingHeader: return "App-Key, Nonce, Timestamp and Signature headers are required";
    case SignatureCheck::kBadTimestamp: return "Timestamp is not a number";
    case SignatureCheck::kStaleTimestamp: return "Timestamp is outside the allowed window";
    case SignatureCheck::kBadSignature: return "signature error";
    case SignatureCheck::kNonceReused: return "Nonce already used";
    case SignatureCheck::kNonceStoreFull: return "too many requests";
  }
  return "?";
}

SignatureCheck ApiSignatureVerifier::verify(std::string_view app_key, std::string_view app_secret,
                                            std::string_view nonce, std::string_view timestamp,
                                            std::string_view signature, int64_t now_ms) {
  if (app_key.empty() || nonce.empty() || timestamp.empty() || signature.empty()) {
    return SignatureCheck::kMissingHeader;
  }
  int64_t ts_ms = 0;
  if (!parse_timestamp_ms(timestamp, &ts_ms)) return SignatureCheck::kBadTimestamp;
  if (ts_ms < now_ms - window_ms_ || ts_ms > now_ms + window_ms_) return SignatureCheck::kStaleTimestamp;

  std::string input(app_secret);
  input += nonce;
  input += timestamp;
  if (!constant_time_equal(sha1_hex(input), lower(signature))) return SignatureCheck::kBadSignature;

  // Only a valid request spends its nonce: otherwise anyone could burn nonces in advance.
  forget_expired(now_ms);
  std::string key(app_key);
  key += '\n';
  key += nonce;
  if (nonces_.count(key)) return SignatureCheck::kNonceReused;
  if (nonces_.size() >= max_nonces_) return SignatureCheck::kNonceStoreFull;
  nonces_.insert(key);
  // A timestamp is accepted for window_ms_ on either side of now: after 2 windows the same
  // request is refused as stale, so its nonce can be forgotten.
  by_age_.push_back({now_ms + 2 * window_ms_, std::move(key)});
  return SignatureCheck::kValid;
}

void ApiSignatureVerifier::forget_expired(int64_t now_ms) {
  while (!by_age_.empty() && by_age_.front().forget_at_ms <= now_ms) {
    nonces_.erase(by_age_.front().key);
    by_age_.pop_front();
  }
}

}  // namespace parley::server::auth
