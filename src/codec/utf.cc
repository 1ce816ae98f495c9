#include "codec/utf.h"

#include <cstdint>

#include "common/decimal.h"
#include "common/utf8_append.h"

namespace parley::codec {
namespace {

using parley::append_utf8;

constexpr uint32_t kReplacement = 0xFFFD;
constexpr uint32_t kInvalid = 0xFFFFFFFF;

// Decodes one sequence at `i` (allowing encoded surrogates), advancing `i`.
// Returns kInvalid for malformed input.
uint32_t decode_one(std::string_view s, size_t& i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  if (c < 0x80) {
    i += 1;
    return c;
  }
  size_t n;
  uint32_t cp;
  uint32_t min;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1Fu, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0Fu, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07u, min = 0x10000;
  } else {
    return kInvalid;
  }
  if (i + n > s.size()) return kInvalid;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return kInvalid;
    cp = (cp << 6) | (b(i + k) & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF) return kInvalid;
  i += n;
  return cp;
}

bool is_high_surrogate(uint32_t cp) { return cp >= 0xD800 && cp <= 0xDBFF; }
bool is_low_surrogate(uint32_t cp) { return cp >= 0xDC00 && cp <= 0xDFFF; }

}  // namespace

Result<std::string> cesu8_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    const size_t at = i;
    uint32_t cp = decode_one(bytes, i);
    if (cp == kInvalid) {
      return make_error(ErrorCode::kBadString,
                        "invalid UTF-8 byte sequence at string offset " + decimal(at));
    }
    if (is_high_surrogate(cp)) {
      size_t j = i;
      if (j < bytes.size()) {
        uint32_t low = decode_one(bytes, j);
        if (low != kInvalid && is_low_surrogate(low)) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i = j;
        } else {
          cp = kReplacement;
        }
      } else {
        cp = kReplacement;
      }
    } else if (is_low_surrogate(cp)) {
      cp = kReplacement;
    }
    append_utf8(out, cp);
  }
  return out;
}

std::string utf8_to_cesu8(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() + 8);
  size_t i = 0;
  while (i < utf8.size()) {
    const size_t start = i;
    uint32_t cp = decode_one(utf8, i);
    if (cp == kInvalid) {  // not expected; keep the byte rather than lose data
      out.push_back(utf8[start]);
      i = start + 1;
      continue;
    }
    if (cp >= 0x10000) {
      const uint32_t v = cp - 0x10000;
      append_utf8(out, 0xD800 + (v >> 10));
      append_utf8(out, 0xDC00 + (v & 0x3FF));
    } else {
      out.append(utf8.substr(start, i - start));
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    uint32_t cp = decode_one(bytes, i);
    if (cp == kInvalid || is_high_surrogate(cp) || is_low_surrogate(cp)) return false;
  }
  return true;
}

}  // namespace parley::codec
