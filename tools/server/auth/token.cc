#include "auth/token.h"

#include <nlohmann/json.hpp>

#include "auth/crypto.h"

namespace parley::server::auth {
namespace {

constexpr std::string_view kMacDomain = "parley-token-v1.";

std::string mac_for(std::string_view claims_part, std::string_view secret) {
  std::string input(kMacDomain);
  input += claims_part;
  return base64url_encode(hmac_sha256(secret, input));
}

}  // namespace

bool is_valid_user_id(std::string_view user_id) {
  if (user_id.empty() || user_id.size() > 64) return false;
  for (char c : user_id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '|' || c == '=' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string issue_token(const TokenClaims& claims, std::string_view app_secret) {
  const nlohmann::json body = {{"a", claims.app_key}, {"u", claims.user_id}, {"t", claims.issued_at_ms}};
  const std::string claims_part = base64url_encode(body.dump());
  return claims_part + "." + mac_for(claims_part, app_secret);
}

std::string_view strip_navi_suffix(std::string_view token) {
  const size_t at = token.find('@');
  return at == std::string_view::npos ? token : token.substr(0, at);
}

std::optional<TokenClaims> peek_token_claims(std::string_view token) {
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const auto text = base64url_decode(token.substr(0, dot));
  if (!text) return std::nullopt;
  const nlohmann::json body = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return std::nullopt;
  const auto a = body.find("a");
  const auto u = body.find("u");
  const auto t = body.find("t");
  if (a == body.end() || !a->is_string() || u == body.end() || !u->is_string() ||
      t == body.end() || !t->is_number_integer()) {
    return std::nullopt;
  }
  TokenClaims claims{a->get<std::string>(), u->get<std::string>(), t->get<int64_t>()};
  if (claims.app_key.empty() || !is_valid_user_id(claims.user_id)) return std::nullopt;
  return claims;
}

TokenCheck verify_token(std::string_view token, std::string_view app_secret, int64_t now_ms,
                        int64_t ttl_ms, TokenClaims* claims_out) {
  const auto claims = peek_token_claims(token);
  if (!claims) return TokenCheck::kMalformed;
  const size_t dot = token.find('.');
  if (!constant_time_equal(token.substr(dot + 1), mac_for(token.substr(0, dot), app_secret))) {
    return TokenCheck::kBadSignature;
  }
  if (ttl_ms > 0 && now_ms - claims->issued_at_ms > ttl_ms) return TokenCheck::kExpired;
  if (claims_out) *claims_out = *claims;
  return TokenCheck::kValid;
}

}  // namespace parley::server::auth
