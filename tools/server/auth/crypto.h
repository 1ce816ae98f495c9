// The few cryptographic primitives the server needs, on OpenSSL's libcrypto: SHA1 for the
// RongCloud server-API signature, HMAC-SHA256 for tokens, constant-time comparison, and
// OS randomness for session ids and seeds. OpenSSL rather than our own SHA code: it is
// already on every Debian machine, audited, and fast; a hand-written hash would need its
// own test vectors and review for no gain.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::server::auth {

std::string sha1_hex(std::string_view data);                            // lower-case hex
std::string hmac_sha256(std::string_view key, std::string_view data);   // 32 raw bytes
bool constant_time_equal(std::string_view a, std::string_view b);

std::string hex_encode(std::string_view bytes);                          // lower-case
std::string base64url_encode(std::string_view bytes);                   // no padding
std::optional<std::string> base64url_decode(std::string_view text);     // rejects padding and junk

// Bytes from the OS random source (RAND_bytes). Not for use inside im/ (sans-I/O):
// callers there get seeds and ids passed in.
std::string random_bytes(size_t count);
uint64_t random_u64();

}  // namespace parley::server::auth
