// Safe access to JSON that came from outside (app commands, storage, the network).
// parley::Json never throws, but its value(key, def) and get<T>() give neutral values on a
// mismatch; these helpers spell out the rule the core relies on: a missing or mistyped
// value gives the default, and text is dumped with invalid UTF-8 replaced by U+FFFD.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include "common/json.h"

namespace parley {

template <class T>
T jget(const Json& j, const char* key, T def) {
  const Json* v = j.find_member(key);
  if (!v) return def;
  if constexpr (std::is_same_v<T, bool>) {
    return v->is_boolean() ? v->get_bool() : def;
  } else if constexpr (std::is_integral_v<T>) {
    if (v->is_number_unsigned()) return static_cast<T>(v->get_uint64());
    if (v->is_number_integer()) return static_cast<T>(v->get_int64());
    return def;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return v->is_string() ? v->string_ref() : def;
  } else {
    static_assert(std::is_same_v<T, Json>, "jget: bool, integer, string or Json");
    return *v;
  }
}

// Out of line (json.cc): a literal default then costs its address at the call site.
std::string jget(const Json& j, const char* key, const char* def);

// Member `key` itself, or a shared null when it is missing (a null iterates as an empty
// list and has size 0): a reference into `j`, valid while `j` is, instead of a copy of
// what may be a whole message list.
inline const Json& jref(const Json& j, const char* key) { return j[std::string_view(key)]; }

// The text of member `key`, or "" when it is missing or not a string: a reference into
// `j` (no copy, no temporary to destroy), valid while `j` is.
const std::string& jtext(const Json& j, const char* key);

// Compact JSON text; invalid UTF-8 in strings becomes U+FFFD.
inline std::string to_text(const Json& j) { return j.dump(); }

}  // namespace parley
