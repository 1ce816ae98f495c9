// Safe access to JSON that came from outside (app commands, storage, the network).
// nlohmann::json throws on a type mismatch (`j.value("n", 0)` with "n":"x") and on
// dumping invalid UTF-8; the WASM build has no exceptions, so a throw would abort the
// module. These helpers never throw: a missing or mistyped value gives the default, and
// text is dumped with invalid UTF-8 replaced.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

namespace parley {

template <class T>
T jget(const nlohmann::json& j, const char* key, T def) {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  if (it == j.end()) return def;
  if constexpr (std::is_same_v<T, bool>) {
    return it->is_boolean() ? it->template get<bool>() : def;
  } else if constexpr (std::is_integral_v<T>) {
    if (it->is_number_unsigned()) return static_cast<T>(it->template get<uint64_t>());
    if (it->is_number_integer()) return static_cast<T>(it->template get<int64_t>());
    return def;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return it->is_string() ? it->template get<std::string>() : def;
  } else {
    static_assert(std::is_same_v<T, nlohmann::json>, "jget: bool, integer, string or json");
    return *it;
  }
}

inline std::string jget(const nlohmann::json& j, const char* key, const char* def) {
  return jget<std::string>(j, key, std::string(def));
}

// Compact JSON text; invalid UTF-8 in strings becomes U+FFFD instead of throwing.
inline std::string to_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace parley
