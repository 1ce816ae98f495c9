// Crypto primitives (known vectors), tokens, and the server-API signature check.
#include <gtest/gtest.h>

#include "auth/api_signature.h"
#include "auth/crypto.h"
#include "auth/token.h"

namespace parley::server::auth {
namespace {

TEST(Crypto, Sha1KnownVectors) {
  EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(Crypto, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, Base64UrlRoundTripsAndRejectsJunk) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar",
                                                        std::string("\xff\xfe\x00\x01", 4)}) {
    const auto enc = base64url_encode(s);
    EXPECT_EQ(enc.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(base64url_decode(enc), s) << enc;
  }
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("Zm9v+").has_value());
  EXPECT_FALSE(base64url_decode("Zm9vY").has_value());   // impossible length
  EXPECT_FALSE(base64url_decode("Zh").has_value());      // non-zero leftover bits
  EXPECT_FALSE(base64url_decode("Zm8=").has_value());    // no padding
}

TEST(Crypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
}

TEST(Token, UserIdRule) {
  EXPECT_TRUE(is_valid_user_id("userA"));
  EXPECT_TRUE(is_valid_user_id("a+b|c=d-e_f0"));
  EXPECT_TRUE(is_valid_user_id(std::string(64, 'x')));
  EXPECT_FALSE(is_valid_user_id(""));
  EXPECT_FALSE(is_valid_user_id(std::string(65, 'x')));
  EXPECT_FALSE(is_valid_user_id("a b"));
  EXPECT_FALSE(is_valid_user_id("a@b"));
  EXPECT_FALSE(is_valid_user_id("用户"));
}

TEST(Token, IssuedTokenVerifiesAndCarriesItsClaims) {
  const std::string token = issue_token({"K", "userA", 1'700'000'000'000}, "S");
  EXPECT_EQ(token.find_first_of("@+/= "), std::string::npos);
  TokenClaims claims;
  EXPECT_EQ(verify_token(token, "S", 1'700'000'000'000, 0, &claims), TokenCheck::kValid);
  EXPECT_EQ(claims.app_key, "K");
  EXPECT_EQ(claims.user_id, "userA");
  EXPECT_EQ(claims.issued_at_ms, 1'700'000'000'000);
  // Not expired without a TTL, however old.
  EXPECT_EQ(verify_token(token, "S", 1'900'000'000'000, 0), TokenCheck::kValid);
}

TEST(Token, WrongSecretTamperingAndGarbageAreRefused) {
  const std::string token = issue_token({"K", "userA", 1000}, "S");
  EXPECT_EQ(verify_token(token, "other", 1000, 0), TokenCheck::kBadSignature);
  // Claims of another user with the original MAC.
  const std::string forged_claims = issue_token({"K", "userB", 1000}, "S");
  const std::string forged = forged_claims.substr(0, forged_claims.find('.')) + token.substr(token.find('.'));
  EXPECT_EQ(verify_token(forged, "S", 1000, 0), TokenCheck::kBadSignature);
  std::string flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(verify_token(flipped, "S", 1000, 0), TokenCheck::kBadSignature);
  EXPECT_EQ(verify_token("", "S", 1000, 0), TokenCheck::kMalformed);
  EXPECT_EQ(verify_token("no-dot-here", "S", 1000, 0), TokenCheck::kMalformed);
  EXPECT_EQ(verify_token("!!!.abc", "S", 1000, 0), TokenCheck::kMalformed);
  EXPECT_EQ(verify_token(base64url_encode("[1,2]") + ".x", "S", 1000, 0), TokenCheck::kMalformed);
  EXPECT_EQ(verify_token(base64url_encode(R"({"a":"K","u":"bad user","t":1})") + ".x", "S", 1000, 0),
            TokenCheck::kMalformed);
}

TEST(Token, TtlExpires) {
  const std::string token = issue_token({"K", "u", 1000}, "S");
  EXPECT_EQ(verify_token(token, "S", 1000 + 60'000, 60'000), TokenCheck::kValid);
  EXPECT_EQ(verify_token(token, "S", 1000 + 60'001, 60'000), TokenCheck::kExpired);
}

TEST(Token, NaviSuffixIsStripped) {
  EXPECT_EQ(strip_navi_suffix("abc.def@"), "abc.def");
  EXPECT_EQ(strip_navi_suffix("abc.def@nav.example.com;nav2"), "abc.def");
  EXPECT_EQ(strip_navi_suffix("abc.def"), "abc.def");
  const auto peeked = peek_token_claims(strip_navi_suffix(issue_token({"K", "u", 5}, "S") + "@"));
  ASSERT_TRUE(peeked.has_value());
  EXPECT_EQ(peeked->user_id, "u");
}

class ApiSignatureTest : public ::testing::Test {
 protected:
  static std::string sign(const std::string& secret, const std::string& nonce, const std::string& ts) {
    return sha1_hex(secret + nonce + ts);
  }
  ApiSignatureVerifier verifier{300'000};
  const int64_t now = 1'700'000'000'000;
};

TEST_F(ApiSignatureTest, AcceptsAValidSignatureInSecondsOrMilliseconds) {
  const std::string ts_s = "1700000000", ts_ms = "1700000000000";
  EXPECT_EQ(verifier.verify("K", "S", "n1", ts_s, sign("S", "n1", ts_s), now), SignatureCheck::kValid);
  EXPECT_EQ(verifier.verify("K", "S", "n2", ts_ms, sign("S", "n2", ts_ms), now), SignatureCheck::kValid);
  // Hex case does not matter.
  std::string upper = sign("S", "n3", ts_s);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(verifier.verify("K", "S", "n3", ts_s, upper, now), SignatureCheck::kValid);
}

TEST_F(ApiSignatureTest, TheDocumentedRequestWithAnIndependentlyComputedSignature) {
  // The inputs of RongCloud's documented example (appSecret Y1W2MeFwwwRxa0, Nonce 14314,
  // Timestamp 1408710653491). The signature printed there is not the SHA1 of its inputs;
  // this one is (`printf %s Y1W2MeFwwwRxa0143141408710653491 | sha1sum`).
  const std::string signature = "dd11a264276f438b045b3b236a2741ddc89d48df";
  EXPECT_EQ(sha1_hex("Y1W2MeFwwwRxa0" "14314" "1408710653491"), signature);
  EXPECT_EQ(verifier.verify("uwd1c0sxdlx2", "Y1W2MeFwwwRxa0", "14314", "1408710653491", signature, 1408710653491),
            SignatureCheck::kValid);
}

TEST_F(ApiSignatureTest, RefusesBadSignatureTimeAndMissingHeaders) {
  const std::string ts = "1700000000000";
  EXPECT_EQ(verifier.verify("K", "S", "n", ts, sign("other", "n", ts), now), SignatureCheck::kBadSignature);
  EXPECT_EQ(verifier.verify("K", "S", "n", ts, "", now), SignatureCheck::kMissingHeader);
  EXPECT_EQ(verifier.verify("K", "S", "", ts, sign("S", "", ts), now), SignatureCheck::kMissingHeader);
  EXPECT_EQ(verifier.verify("K", "S", "n", "12ab", sign("S", "n", "12ab"), now), SignatureCheck::kBadTimestamp);
  const std::string old_ts = std::to_string(now - 300'001);
  EXPECT_EQ(verifier.verify("K", "S", "n", old_ts, sign("S", "n", old_ts), now), SignatureCheck::kStaleTimestamp);
  const std::string future_ts = std::to_string(now + 300'001);
  EXPECT_EQ(verifier.verify("K", "S", "n", future_ts, sign("S", "n", future_ts), now),
            SignatureCheck::kStaleTimestamp);
  // None of the refused requests spent the nonce.
  EXPECT_EQ(verifier.verify("K", "S", "n", ts, sign("S", "n", ts), now), SignatureCheck::kValid);
}

TEST_F(ApiSignatureTest, ANonceIsSpentOnceUntilItsTimestampCouldNoLongerPass) {
  const std::string ts = std::to_string(now);
  EXPECT_EQ(verifier.verify("K", "S", "nonce", ts, sign("S", "nonce", ts), now), SignatureCheck::kValid);
  EXPECT_EQ(verifier.verify("K", "S", "nonce", ts, sign("S", "nonce", ts), now + 1), SignatureCheck::kNonceReused);
  // Another app may use the same nonce.
  EXPECT_EQ(verifier.verify("K2", "S2", "nonce", ts, sign("S2", "nonce", ts), now), SignatureCheck::kValid);
  // A different timestamp does not make a nonce new.
  const std::string ts2 = std::to_string(now + 1000);
  EXPECT_EQ(verifier.verify("K", "S", "nonce", ts2, sign("S", "nonce", ts2), now + 1000),
            SignatureCheck::kNonceReused);
  // After two windows the nonce is forgotten; by then its old timestamp is stale anyway.
  EXPECT_EQ(verifier.verify("K", "S", "nonce", ts, sign("S", "nonce", ts), now + 600'001),
            SignatureCheck::kStaleTimestamp);
  const std::string ts3 = std::to_string(now + 600'001);
  EXPECT_EQ(verifier.verify("K", "S", "nonce", ts3, sign("S", "nonce", ts3), now + 600'001), SignatureCheck::kValid);
  EXPECT_EQ(verifier.remembered_nonces(), 1u);
}

TEST(ApiSignature, FullNonceStoreRefusesInsteadOfForgetting) {
  ApiSignatureVerifier verifier(300'000, 2);
  const int64_t now = 1'700'000'000'000;
  const std::string ts = std::to_string(now);
  auto sig = [&](const std::string& n) { return sha1_hex("S" + n + ts); };
  EXPECT_EQ(verifier.verify("K", "S", "a", ts, sig("a"), now), SignatureCheck::kValid);
  EXPECT_EQ(verifier.verify("K", "S", "b", ts, sig("b"), now), SignatureCheck::kValid);
  EXPECT_EQ(verifier.verify("K", "S", "c", ts, sig("c"), now), SignatureCheck::kNonceStoreFull);
}

}  // namespace
}  // namespace parley::server::auth
