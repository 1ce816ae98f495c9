// parley::Json: the core's JSON value. A small, non-template stand-in for the subset of
// "JSON for Modern C++" (JFMC below) that the core used, with the same
// names and meanings, so that the WASM build does not carry JFMC's templates, printf,
// strtod or long-double arithmetic.
//
// What differs from JFMC, on purpose:
// - Nothing throws (the WASM build has no exceptions). A type mismatch gives a neutral
//   value: get<std::string>() of a number is "", get<bool>() of a string is false,
//   value(key, def) gives def when the member is missing *or* of the wrong type; a const
//   operator[] on a missing key or index gives null; a mutating operator[] or push_back on
//   a scalar first turns it into an empty object / array.
// - Numbers with a fraction or an exponent (and integers too large for 64 bits) keep the
//   text they were parsed from: dump() writes it back byte for byte (JFMC reformats,
//   e.g. 1e2 -> 100.0), get<double>() converts it (exact for up to 15 significant digits
//   and exponents up to 22, within a few ulps otherwise). The core never makes a double,
//   so there is no constructor from one.
// - parse() refuses documents nested deeper than kMaxDepth (JFMC has no limit). Like
//   JFMC, it stops at a NUL byte after the value ("1\0junk" is 1).
// - dump() is always JFMC's dump(-1, ' ', false, error_handler_t::replace): compact,
//   UTF-8 kept as is, invalid UTF-8 replaced by U+FFFD (one per maximal ill-formed
//   subsequence, as JFMC does).
// Objects keep their keys sorted (byte order, as JFMC's std::map); a duplicate key in
// parsed text: the last one wins.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace parley {

class Json;
struct JsonMember;
const std::string& json_empty_string();  // one shared "", for neutral answers
template <bool Const>
class JsonIterator;

class Json {
 public:
  enum class Type : uint8_t { kNull, kBoolean, kInteger, kUnsigned, kFloat, kString, kArray, kObject, kDiscarded };
  using iterator = JsonIterator<false>;
  using const_iterator = JsonIterator<true>;

  // Deeper documents are refused by parse() (an array or object counts one level).
  static constexpr int kMaxDepth = 256;

  Json() noexcept : type_(Type::kNull) { u_.uint = 0; }
  Json(std::nullptr_t) noexcept : Json() {}
  Json(bool b) noexcept : type_(Type::kBoolean) { u_.boolean = b; }
  // Signed types make an integer, unsigned ones an unsigned number (is_number_unsigned),
  // as in JFMC; without the small ones, promotion would make uint8_t signed.
  Json(signed char v) noexcept : Json(static_cast<long long>(v)) {}
  Json(short v) noexcept : Json(static_cast<long long>(v)) {}
  Json(int v) noexcept : Json(static_cast<long long>(v)) {}
  Json(long v) noexcept : Json(static_cast<long long>(v)) {}
  Json(long long v) noexcept : type_(Type::kInteger) { u_.integer = v; }
  Json(unsigned char v) noexcept : Json(static_cast<unsigned long long>(v)) {}
  Json(unsigned short v) noexcept : Json(static_cast<unsigned long long>(v)) {}
  Json(unsigned v) noexcept : Json(static_cast<unsigned long long>(v)) {}
  Json(unsigned long v) noexcept : Json(static_cast<unsigned long long>(v)) {}
  Json(unsigned long long v) noexcept : type_(Type::kUnsigned) { u_.uint = v; }
  Json(const char* s);
  Json(std::string_view s);
  Json(const std::string& s);
  Json(std::string&& s);
  // JFMC's rule: a list of [string, value] pairs is an object, anything else an array.
  Json(std::initializer_list<Json> init);
  Json(const Json& other);
  Json(Json&& other) noexcept;
  Json& operator=(const Json& other);
  Json& operator=(Json&& other) noexcept;
  ~Json();

  static Json array();  // empty; out of line, so a call site passes no list
  static Json array(std::initializer_list<Json> init);
  static Json object();
  // Never throws: bad text gives a value for which is_discarded() is true. The middle
  // argument (JFMC's callback) and allow_exceptions are accepted and ignored.
  static Json parse(std::string_view text, std::nullptr_t = nullptr, bool allow_exceptions = false);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_boolean() const { return type_ == Type::kBoolean; }
  bool is_number() const { return type_ == Type::kInteger || type_ == Type::kUnsigned || type_ == Type::kFloat; }
  bool is_number_integer() const { return type_ == Type::kInteger || type_ == Type::kUnsigned; }
  bool is_number_unsigned() const { return type_ == Type::kUnsigned; }
  bool is_number_float() const { return type_ == Type::kFloat; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }
  bool is_discarded() const { return type_ == Type::kDiscarded; }

  // Conversions as JFMC's get<T>() for bool, integers, double, std::string and Json;
  // a mismatch gives false / 0 / "" instead of throwing. Integers from booleans and
  // floats convert (floats truncate, clamped to the target range of int64/uint64).
  template <class T>
  T get() const {
    if constexpr (std::is_same_v<T, bool>) {
      return get_bool();
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      return static_cast<T>(get_int64());
    } else if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(get_uint64());
    } else if constexpr (std::is_same_v<T, double>) {
      return get_double();
    } else if constexpr (std::is_same_v<T, std::string>) {
      return string_ref();
    } else {
      static_assert(std::is_same_v<T, Json>, "Json::get: bool, integer, double, std::string or Json");
      return *this;
    }
  }
  // Only get_ref<const std::string&>(); a non-string gives "".
  template <class T>
  T get_ref() const {
    static_assert(std::is_same_v<T, const std::string&>, "Json::get_ref: const std::string& only");
    return string_ref();
  }
  bool get_bool() const;
  int64_t get_int64() const;
  uint64_t get_uint64() const;
  double get_double() const;
  // A float's integer part, read exactly from its text, truncated toward zero: the sign,
  // the magnitude (when `fits`, i.e. below 2^64), and whether nothing was cut (`whole`).
  // get_int64/get_uint64 and the protobuf encoder read floats through it, so that the
  // client's WASM carries no decimal-to-double conversion (0.7 KB gzipped).
  struct Integral {
    bool negative = false;
    uint64_t magnitude = 0;
    bool whole = true;
    bool fits = true;
  };
  Integral float_integral() const;
  const std::string& string_ref() const;

  // The member's value converted to the type of def, or def when this is not an object,
  // the member is missing, or it cannot be converted (JFMC would throw).
  template <class T>
  T value(std::string_view key, const T& def) const {
    const Json* v = find_member(key);
    if (!v) return def;
    if constexpr (std::is_same_v<T, bool>) {
      return v->is_boolean() ? v->get_bool() : def;
    } else if constexpr (std::is_integral_v<T> || std::is_same_v<T, double>) {
      return v->is_number() || v->is_boolean() ? v->get<T>() : def;
    } else if constexpr (std::is_same_v<T, std::string>) {
      return v->is_string() ? v->string_ref() : def;
    } else {
      static_assert(std::is_same_v<T, Json>, "Json::value: bool, integer, double, std::string or Json");
      return *v;
    }
  }
  std::string value(std::string_view key, const char* def) const;

  // Objects. The mutating operator[] makes null (or any non-object) an object and inserts
  // a null member when missing; the const one gives null for a missing member.
  Json& operator[](std::string_view key);
  const Json& operator[](std::string_view key) const;
  // (*this)[key] = v, chainable: j.set("a", 1).set("b", s). Out of line and cheap at the
  // call site; prefer it to Json{{"a", 1}, {"b", s}}, whose temporaries cost about twice
  // the code in the WASM build.
  // On a temporary it returns the temporary as an rvalue, so json().set(..) moves, not copies.
  template <class T>
  Json& set(const char* key, T&& v) & {
    put_any(key, std::forward<T>(v));
    return *this;
  }
  template <class T>
  Json&& set(const char* key, T&& v) && {
    put_any(key, std::forward<T>(v));
    return std::move(*this);
  }
  Json& set(std::string_view key, Json v) & {
    put(key, std::move(v));
    return *this;
  }
  Json&& set(std::string_view key, Json v) && {
    put(key, std::move(v));
    return std::move(*this);
  }
  // The const char* overloads are out of line: a literal key then costs its address at
  // the call site, not a string_view built there (hundreds of sites in the WASM build).
  Json& operator[](const char* key);
  const Json& operator[](const char* key) const;
  Json& operator[](const std::string& key) { return (*this)[std::string_view(key)]; }
  const Json& operator[](const std::string& key) const { return (*this)[std::string_view(key)]; }
  // JFMC's at() throws on a missing key; this one gives null.
  const Json& at(std::string_view key) const { return (*this)[key]; }
  iterator find(std::string_view key);
  const_iterator find(std::string_view key) const;
  bool contains(std::string_view key) const { return find_member(key) != nullptr; }
  bool contains(const char* key) const;
  size_t erase(std::string_view key);  // 1 if removed
  const Json* find_member(std::string_view key) const;  // nullptr if absent or not an object

  // Arrays. The mutating operator[] makes null an array and grows it with nulls.
  Json& operator[](size_t index);
  const Json& operator[](size_t index) const;
  Json& operator[](int index) { return (*this)[static_cast<size_t>(index)]; }
  const Json& operator[](int index) const { return (*this)[static_cast<size_t>(index)]; }
  void push_back(Json v);
  Json& emplace_back(Json v);
  const Json& back() const;

  // JFMC's meanings: null 0 / empty, a scalar 1 / not empty, containers their count.
  size_t size() const;
  bool empty() const;
  // Keeps the type: containers emptied, "" / 0 / false for scalars.
  void clear();

  // Arrays iterate their elements, objects their members in key order (it.key(),
  // it.value()), null nothing, any other value itself once.
  iterator begin();
  iterator end();
  const_iterator begin() const;
  const_iterator end() const;
  const_iterator cbegin() const;
  const_iterator cend() const;

  // Compact text, as parley::to_text always produced it (see the top of this file).
  std::string dump() const;
  void dump_to(std::string& out) const;
  // Appends `s` as a JSON string, as dump() writes one (invalid UTF-8 becomes U+FFFD).
  static void dump_string_to(std::string& out, std::string_view s);

  // Numbers compare by value across integer kinds and floats; discarded equals nothing.
  friend bool operator==(const Json& a, const Json& b);
  friend bool operator!=(const Json& a, const Json& b) { return !(a == b); }

 private:
  friend class JsonParser;
  using Array = std::vector<Json>;
  using Object = std::vector<JsonMember>;  // sorted by key, keys unique

  void put(std::string_view key, Json v);  // (*this)[key] = v
  // set() with a literal key: scalars and strings go to typed out-of-line setters, so a
  // call site passes the value itself, without building and destroying a Json there.
  template <class T>
  void put_any(const char* key, T&& v) {
    using D = std::decay_t<T>;
    if constexpr (std::is_same_v<D, bool>) {
      put_bool(key, v);
    } else if constexpr (std::is_integral_v<D> && std::is_signed_v<D>) {
      put_int(key, static_cast<int64_t>(v));
    } else if constexpr (std::is_integral_v<D>) {
      put_uint(key, static_cast<uint64_t>(v));
    } else if constexpr (std::is_same_v<D, std::string>) {
      put_text(key, v);
    } else if constexpr (std::is_same_v<D, const char*> || std::is_same_v<D, char*>) {
      put_cstr(key, v);
    } else {
      put(key, Json(std::forward<T>(v)));
    }
  }
  void put(const char* key, Json v);
  void put_bool(const char* key, bool v);
  void put_int(const char* key, int64_t v);
  void put_uint(const char* key, uint64_t v);
  void put_text(const char* key, const std::string& v);
  void put_cstr(const char* key, const char* v);
  void destroy() noexcept;
  void become(Type t);
  Array& array_ref();
  Object& object_ref();

  Type type_;
  union {
    bool boolean;
    int64_t integer;
    uint64_t uint;
    std::string* text;  // kString, and kFloat (the number's text)
    Array* array;
    Object* object;
  } u_;
};

struct JsonMember {
  std::string key;
  Json value;
};

template <bool Const>
class JsonIterator {
  using J = std::conditional_t<Const, const Json, Json>;
  using M = std::conditional_t<Const, const JsonMember, JsonMember>;

 public:
  // Standard traits, so <algorithm> (std::find, ...) takes it.
  using iterator_category = std::forward_iterator_tag;
  using value_type = Json;
  using difference_type = std::ptrdiff_t;
  using pointer = J*;
  using reference = J&;

  JsonIterator() = default;
  JsonIterator(J* element, M* member, bool in_object) : element_(element), member_(member), in_object_(in_object) {}
  template <bool C = Const, class = std::enable_if_t<C>>
  JsonIterator(const JsonIterator<false>& o) : element_(o.element_), member_(o.member_), in_object_(o.in_object_) {}

  J& operator*() const { return in_object_ ? member_->value : *element_; }
  J* operator->() const { return &**this; }
  J& value() const { return **this; }
  // The member's key; "" when iterating an array.
  const std::string& key() const { return in_object_ ? member_->key : json_empty_string(); }
  JsonIterator& operator++() {
    if (in_object_) {
      ++member_;
    } else {
      ++element_;
    }
    return *this;
  }
  JsonIterator operator++(int) {
    JsonIterator old = *this;
    ++*this;
    return old;
  }
  template <bool C>
  bool operator==(const JsonIterator<C>& o) const {
    return element_ == o.element_ && member_ == o.member_;
  }
  template <bool C>
  bool operator!=(const JsonIterator<C>& o) const {
    return !(*this == o);
  }

 private:
  friend class JsonIterator<!Const>;
  J* element_ = nullptr;
  M* member_ = nullptr;
  bool in_object_ = false;
};

inline Json::const_iterator Json::cbegin() const { return begin(); }
inline Json::const_iterator Json::cend() const { return end(); }

}  // namespace parley
