// Integers as decimal text, for error messages, keys and the boundary's JSON.
// std::to_string would bring libc++'s table-driven itoa (with its 200-byte digit table)
// into the WASM; these are one small loop (json.cc), which Json::dump uses too.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

namespace parley {

void append_decimal(std::string& out, uint64_t magnitude, bool negative = false);
void append_signed_decimal(std::string& out, int64_t v);
std::string signed_decimal(int64_t v);
std::string unsigned_decimal(uint64_t v);

template <class T>
std::string decimal(T v) {
  static_assert(std::is_integral_v<T>, "decimal: an integer");
  if constexpr (std::is_signed_v<T>) {
    return signed_decimal(v);
  } else {
    return unsigned_decimal(v);
  }
}

}  // namespace parley
