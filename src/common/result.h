// Result<T>: a value or an Error, never an exception (the core is built without them
// for WASM). Small on purpose: ok(), value(), error().
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "common/error.h"

namespace parley {

// An optional value beside the error, not a std::variant: no variant visitation and no
// bad_variant_access paths in the WASM build.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}    // NOLINT: implicit by design
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }

  const T& value() const& { assert(ok()); return *value_; }
  T& value() & { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return *std::move(value_); }
  const Error& error() const { assert(!ok()); return error_; }

 private:
  std::optional<T> value_;
  Error error_;
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
