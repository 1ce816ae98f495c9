// IM tokens: signed by the server, verified without a lookup, so any node that knows the
// app secret accepts them.
//
//   token = base64url(claims JSON) "." base64url(HMAC-SHA256(app secret, "parley-token-v1." claims part))
//   claims = {"a": appKey, "u": userId, "t": issued at (ms)}
//
// Only URL-safe characters and no '@' (the official client treats '@' as the start of a
// navi suffix, PROTOCOL.md §8).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::server::auth {

struct TokenClaims {
  std::string app_key;
  std::string user_id;
  int64_t issued_at_ms = 0;
};

// RongCloud's user id rule: 1..64 bytes of letters, digits and + | = - _
bool is_valid_user_id(std::string_view user_id);

std::string issue_token(const TokenClaims& claims, std::string_view app_secret);

// The official client sends "<token>@" when the token carried navi hosts (§8): the
// part before the first '@' is ours.
std::string_view strip_navi_suffix(std::string_view token);

// The claims, unverified: tells which app's secret has to check the token.
std::optional<TokenClaims> peek_token_claims(std::string_view token);

enum class TokenCheck { kValid, kMalformed, kBadSignature, kExpired };

// Checks the signature with `app_secret` and, when ttl_ms > 0, the age. On kValid,
// `claims` (if given) receives the token's claims.
TokenCheck verify_token(std::string_view token, std::string_view app_secret, int64_t now_ms,
                        int64_t ttl_ms, TokenClaims* claims = nullptr);

}  // namespace parley::server::auth
