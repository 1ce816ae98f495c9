// Result<T>: a value or an Error, never an exception (the core is built without them
// for WASM). Small on purpose: ok(), value(), error().
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "common/error.h"

namespace parley {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}    // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T& value() & { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// For operations that produce nothing but can fail.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace parley

// Returns the error of a failed Result/Status expression from the enclosing function.
#define PARLEY_TRY(expr)          \
  do {                            \
    auto _st = (expr);            \
    if (!_st) return _st.error(); \
  } while (0)
