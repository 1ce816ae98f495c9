// String encodings of the frame layer (PROTOCOL.md §3.2).
//
// The official encoder writes each UTF-16 code unit separately, so an astral character
// becomes two 3-byte surrogate sequences (CESU-8, as Java's modified UTF-8 does). We accept
// that and plain 4-byte UTF-8 on input, and always hand out valid UTF-8.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace parley::codec {

// Converts frame-string bytes to valid UTF-8. Surrogate pairs in CESU-8 form are joined;
// a lone surrogate (a JS string with half an emoji) becomes U+FFFD. Overlong forms,
// bad continuation bytes and code points above U+10FFFF are errors (kBadString).
Result<std::string> cesu8_to_utf8(std::string_view bytes);

// Converts valid UTF-8 to the official encoder's form: astral characters as two
// 3-byte surrogate sequences. Input is assumed valid (it comes from cesu8_to_utf8 or
// from our own JSON parser, which validates).
std::string utf8_to_cesu8(std::string_view utf8);

// True when `bytes` is valid UTF-8 (no surrogates, no overlongs).
bool is_valid_utf8(std::string_view bytes);

}  // namespace parley::codec
