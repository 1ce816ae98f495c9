#include "common/json.h"

#include "common/decimal.h"
#include "common/json_util.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/utf8_append.h"

namespace parley {

const std::string& json_empty_string() {
  static const std::string empty;
  return empty;
}

namespace {

const Json& null_json() {
  static const Json null;
  return null;
}

// Length (1..4) of the well-formed UTF-8 sequence at p (Unicode table 3-7: no overlongs,
// no surrogates, nothing above U+10FFFF), or 0 when it is ill-formed; then *skip is the
// length of its maximal ill-formed prefix (at least 1), the unit JFMC replaces.
size_t utf8_sequence(const unsigned char* p, size_t n, size_t* skip) {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    *skip = 1;
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    if (k >= n || p[k] < lo || p[k] > hi) {
      *skip = k;
      return 0;
    }
    lo = 0x80;
    hi = 0xBF;
  }
  return len;
}

// The characters of the two-character escapes and their letters, for dump and parse. dump
// writes all but the last, '/', as is (as JFMC does); parse reads all eight.
constexpr char kEscaped[] = "\b\t\n\f\r\"\\/";
constexpr char kEscapes[] = "btnfr\"\\/";
constexpr size_t kDumpEscapes = 7;

}  // namespace

// Characters that need no escape go out in runs (one append each), not one by one.
void Json::dump_string_to(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t run = 0;  // where the characters copied as they are begin
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    size_t skip = 1;
    const size_t len = c >= 0x80 ? utf8_sequence(p + i, n - i, &skip) : 0;
    if (len != 0) {  // valid UTF-8: as it is
      i += len;
      continue;
    }
    out.append(s.data() + run, i - run);
    if (c >= 0x80) {
      out.append("\xEF\xBF\xBD");  // U+FFFD for the ill-formed sequence
      i += skip;
    } else if (const void* e = std::memchr(kEscaped, c, kDumpEscapes)) {
      const char esc[2] = {'\\', kEscapes[static_cast<const char*>(e) - kEscaped]};
      out.append(esc, 2);
      ++i;
    } else {  // another control character
      const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(esc, sizeof esc);
      ++i;
    }
    run = i;
  }
  out.append(s.data() + run, n - run);
  out.push_back('"');
}

namespace {

// Through push_back(Json&&), which the arrays need anyway: vector::assign from a range
// would be one more instantiation.
void append_copies(std::vector<Json>& out, std::initializer_list<Json> init) {
  out.reserve(init.size());
  for (const Json& e : init) out.push_back(Json(e));
}

// The decimal value of a JSON number's text (RFC 8259 grammar, already checked), without
// strtod: up to 19 significant digits scaled by powers of ten. Exact when the digits fit
// in 53 bits and the exponent is at most 22; otherwise within an ulp or so.
double text_to_double(const std::string& t) {
  size_t i = 0;
  const bool negative = !t.empty() && t[0] == '-';
  if (negative) ++i;
  uint64_t mantissa = 0;
  int digits = 0;
  long exponent = 0;
  bool fraction = false;
  for (; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '.') {
      fraction = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    if (digits < 19) {
      if (mantissa != 0 || c != '0') {
        mantissa = mantissa * 10 + static_cast<uint64_t>(c - '0');
        ++digits;
      }
      if (fraction) --exponent;
    } else if (!fraction) {
      ++exponent;  // a digit beyond the 19 kept ones, before the point
    }
  }
  if (i < t.size()) {  // 'e' or 'E'
    ++i;
    bool exp_negative = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) exp_negative = t[i++] == '-';
    long e = 0;
    for (; i < t.size(); ++i)
      if (e < 100000) e = e * 10 + (t[i] - '0');
    exponent += exp_negative ? -e : e;
  }
  double v = static_cast<double>(mantissa);
  static const double kExact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (mantissa != 0 && exponent >= -22 && exponent <= 22) {  // one rounding: exact for < 2^53
    v = exponent < 0 ? v / kExact[-exponent] : v * kExact[exponent];
  } else if (mantissa != 0) {  // a few roundings: within a few ulps
    static const double kPowers[] = {1e1, 1e2, 1e4, 1e8, 1e16, 1e32, 1e64, 1e128, 1e256};
    const bool divide = exponent < 0;
    long e = std::min(divide ? -exponent : exponent, 800L);
    for (; e > 308; e -= 308) v = divide ? v / 1e308 : v * 1e308;
    double scale = 1;
    for (size_t k = 0; e != 0; ++k, e >>= 1)
      if (e & 1) scale *= kPowers[k];
    v = divide ? v / scale : v * scale;
  }
  return negative ? -v : v;
}

}  // namespace

// ---- decimal text (common/decimal.h) --------------------------------------------------

void append_decimal(std::string& out, uint64_t magnitude, bool negative) {
  char buf[21];
  size_t i = sizeof buf;
  do {
    buf[--i] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (negative) buf[--i] = '-';
  out.append(buf + i, sizeof buf - i);
}

void append_signed_decimal(std::string& out, int64_t v) {
  append_decimal(out, v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v), v < 0);
}

std::string signed_decimal(int64_t v) {
  std::string out;
  append_signed_decimal(out, v);
  return out;
}

std::string unsigned_decimal(uint64_t v) {
  std::string out;
  append_decimal(out, v);
  return out;
}

// ---- construction -------------------------------------------------------------------

Json::Json(const char* s) : type_(Type::kString) { u_.text = new std::string(s); }
Json::Json(std::string_view s) : type_(Type::kString) { u_.text = new std::string(s); }
Json::Json(const std::string& s) : type_(Type::kString) { u_.text = new std::string(s); }
Json::Json(std::string&& s) : type_(Type::kString) { u_.text = new std::string(std::move(s)); }

Json::Json(std::initializer_list<Json> init) : type_(Type::kNull) {
  u_.uint = 0;
  bool pairs = true;
  for (const Json& e : init) {
    if (!e.is_array() || e.u_.array->size() != 2 || !(*e.u_.array)[0].is_string()) {
      pairs = false;
      break;
    }
  }
  if (pairs) {  // an empty list too, as JFMC
    become(Type::kObject);
    for (const Json& e : init) (*this)[*(*e.u_.array)[0].u_.text] = (*e.u_.array)[1];
  } else {
    become(Type::kArray);
    append_copies(*u_.array, init);
  }
}

Json::Json(const Json& other) : type_(other.type_) {
  switch (type_) {
    case Type::kString:
    case Type::kFloat: u_.text = new std::string(*other.u_.text); break;
    case Type::kArray: u_.array = new Array(*other.u_.array); break;
    case Type::kObject: u_.object = new Object(*other.u_.object); break;
    default: u_ = other.u_;
  }
}

Json::Json(Json&& other) noexcept : type_(other.type_), u_(other.u_) {
  other.type_ = Type::kNull;
  other.u_.uint = 0;
}

Json& Json::operator=(const Json& other) {
  if (this != &other) *this = Json(other);
  return *this;
}

Json& Json::operator=(Json&& other) noexcept {
  if (this != &other) {
    // other may live inside this value (j = std::move(j["x"])): take it before freeing.
    const Type t = other.type_;
    const auto u = other.u_;
    other.type_ = Type::kNull;
    other.u_.uint = 0;
    destroy();
    type_ = t;
    u_ = u;
  }
  return *this;
}

Json::~Json() { destroy(); }

void Json::destroy() noexcept {
  switch (type_) {
    case Type::kString:
    case Type::kFloat: delete u_.text; break;
    case Type::kArray: delete u_.array; break;
    case Type::kObject: delete u_.object; break;
    default: break;
  }
  type_ = Type::kNull;
  u_.uint = 0;
}

void Json::become(Type t) {
  destroy();
  type_ = t;
  switch (t) {
    case Type::kString:
    case Type::kFloat: u_.text = new std::string(); break;
    case Type::kArray: u_.array = new Array(); break;
    case Type::kObject: u_.object = new Object(); break;
    default: break;
  }
}

Json::Array& Json::array_ref() {
  if (type_ != Type::kArray) become(Type::kArray);
  return *u_.array;
}

Json::Object& Json::object_ref() {
  if (type_ != Type::kObject) become(Type::kObject);
  return *u_.object;
}

Json Json::array() {
  Json j;
  j.become(Type::kArray);
  return j;
}

Json Json::array(std::initializer_list<Json> init) {
  Json j;
  j.become(Type::kArray);
  append_copies(*j.u_.array, init);
  return j;
}

Json Json::object() {
  Json j;
  j.become(Type::kObject);
  return j;
}

// ---- access -------------------------------------------------------------------------

bool Json::get_bool() const { return type_ == Type::kBoolean && u_.boolean; }

int64_t Json::get_int64() const {
  switch (type_) {
    case Type::kBoolean: return u_.boolean ? 1 : 0;
    case Type::kInteger: return u_.integer;
    case Type::kUnsigned: return static_cast<int64_t>(u_.uint);
    case Type::kFloat: {  // truncated, clamped to int64's range
      const Integral i = float_integral();
      constexpr uint64_t kMinMagnitude = uint64_t{1} << 63;  // of INT64_MIN
      if (i.negative)
        return i.fits && i.magnitude <= kMinMagnitude ? static_cast<int64_t>(0 - i.magnitude) : INT64_MIN;
      return i.fits && i.magnitude < kMinMagnitude ? static_cast<int64_t>(i.magnitude) : INT64_MAX;
    }
    default: return 0;
  }
}

uint64_t Json::get_uint64() const {
  switch (type_) {
    case Type::kUnsigned: return u_.uint;
    case Type::kFloat: {
      const Integral i = float_integral();
      if (!i.negative) return i.fits ? i.magnitude : UINT64_MAX;
      return static_cast<uint64_t>(get_int64());  // as a cast of the int64 would
    }
    default: return static_cast<uint64_t>(get_int64());
  }
}

double Json::get_double() const {
  switch (type_) {
    case Type::kBoolean: return u_.boolean ? 1 : 0;
    case Type::kInteger: return static_cast<double>(u_.integer);
    case Type::kUnsigned: return static_cast<double>(u_.uint);
    case Type::kFloat: return text_to_double(*u_.text);
    default: return 0;
  }
}

Json::Integral Json::float_integral() const {
  Integral out;
  if (type_ != Type::kFloat) return out;
  const char* p = u_.text->c_str();  // RFC 8259 grammar, checked by the parser
  out.negative = *p == '-';
  p += out.negative;
  // The mantissa: its digits, and how many stand before the point.
  const char* const digits = p;
  long int_digits = -1;
  for (; *p && *p != 'e' && *p != 'E'; ++p)
    if (*p == '.') int_digits = p - digits;
  const char* const digits_end = p;
  if (int_digits < 0) int_digits = p - digits;
  if (*p) {  // the exponent moves the point (capped as the parser caps it: no overflow)
    const bool minus = *++p == '-';
    if (*p == '-' || *p == '+') ++p;
    long e = 0;
    for (; *p; ++p)
      if (e < 100000000) e = e * 10 + (*p - '0');
    int_digits += minus ? -e : e;
  }
  long k = 0;  // digits seen
  for (p = digits; p != digits_end; ++p) {
    if (*p == '.') continue;
    const auto d = static_cast<uint64_t>(*p - '0');
    if (k++ >= int_digits) {
      out.whole = out.whole && d == 0;
    } else if (out.magnitude > (UINT64_MAX - d) / 10) {
      out.fits = false;
    } else {
      out.magnitude = out.magnitude * 10 + d;
    }
  }
  // Zeros the exponent adds after the digits (none matter once zero or too large).
  for (; k < int_digits && out.magnitude && out.fits; ++k) {
    if (out.magnitude > UINT64_MAX / 10) out.fits = false;
    out.magnitude *= 10;
  }
  return out;
}

const std::string& Json::string_ref() const {
  return type_ == Type::kString ? *u_.text : json_empty_string();
}

std::string Json::value(std::string_view key, const char* def) const {
  const Json* v = find_member(key);
  return v && v->is_string() ? *v->u_.text : std::string(def);
}

namespace {

struct KeyLess {
  bool operator()(const JsonMember& m, std::string_view key) const { return std::string_view(m.key) < key; }
};

}  // namespace

const Json* Json::find_member(std::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  const Object& o = *u_.object;
  auto it = std::lower_bound(o.begin(), o.end(), key, KeyLess());
  return it != o.end() && it->key == key ? &it->value : nullptr;
}

Json& Json::operator[](std::string_view key) {
  Object& o = object_ref();
  if (o.empty() || KeyLess()(o.back(), key)) {  // after every key (objects built in order)
    o.push_back(JsonMember{std::string(key), Json()});
    return o.back().value;
  }
  auto it = std::lower_bound(o.begin(), o.end(), key, KeyLess());
  if (it != o.end() && it->key == key) return it->value;
  // Append and swap into place: vector::insert would be one more instantiation, and large.
  const auto at = static_cast<size_t>(it - o.begin());
  o.push_back(JsonMember{std::string(key), Json()});
  for (size_t i = o.size() - 1; i > at; --i) std::swap(o[i], o[i - 1]);
  return o[at].value;
}

void Json::put(std::string_view key, Json v) {
  (*this)[key] = std::move(v);
}

void Json::put(const char* key, Json v) { put(std::string_view(key), std::move(v)); }
void Json::put_bool(const char* key, bool v) { put(key, Json(v)); }
void Json::put_int(const char* key, int64_t v) { put(key, Json(static_cast<long long>(v))); }
void Json::put_uint(const char* key, uint64_t v) { put(key, Json(static_cast<unsigned long long>(v))); }
void Json::put_text(const char* key, const std::string& v) { put(key, Json(v)); }
void Json::put_cstr(const char* key, const char* v) { put(key, Json(v)); }
Json& Json::operator[](const char* key) { return (*this)[std::string_view(key)]; }
const Json& Json::operator[](const char* key) const { return (*this)[std::string_view(key)]; }
bool Json::contains(const char* key) const { return find_member(key) != nullptr; }

const Json& Json::operator[](std::string_view key) const {
  const Json* v = find_member(key);
  return v ? *v : null_json();
}

Json::iterator Json::find(std::string_view key) {
  if (type_ != Type::kObject) return end();
  Object& o = *u_.object;
  auto it = std::lower_bound(o.begin(), o.end(), key, KeyLess());
  if (it == o.end() || it->key != key) return end();
  return iterator(nullptr, &*it, true);
}

Json::const_iterator Json::find(std::string_view key) const {
  if (type_ != Type::kObject) return end();
  const Object& o = *u_.object;
  auto it = std::lower_bound(o.begin(), o.end(), key, KeyLess());
  if (it == o.end() || it->key != key) return end();
  return const_iterator(nullptr, &*it, true);
}

size_t Json::erase(std::string_view key) {
  if (type_ != Type::kObject) return 0;
  Object& o = *u_.object;
  auto it = std::lower_bound(o.begin(), o.end(), key, KeyLess());
  if (it == o.end() || it->key != key) return 0;
  o.erase(it);
  return 1;
}

Json& Json::operator[](size_t index) {
  Array& a = array_ref();
  if (index >= a.size()) a.resize(index + 1);
  return a[index];
}

const Json& Json::operator[](size_t index) const {
  return type_ == Type::kArray && index < u_.array->size() ? (*u_.array)[index] : null_json();
}

void Json::push_back(Json v) { array_ref().push_back(std::move(v)); }

Json& Json::emplace_back(Json v) {
  Array& a = array_ref();
  a.push_back(std::move(v));
  return a.back();
}

const Json& Json::back() const {
  if (type_ == Type::kArray) return u_.array->empty() ? null_json() : u_.array->back();
  if (type_ == Type::kObject) return u_.object->empty() ? null_json() : u_.object->back().value;
  return *this;
}

size_t Json::size() const {
  switch (type_) {
    case Type::kNull: return 0;
    case Type::kArray: return u_.array->size();
    case Type::kObject: return u_.object->size();
    default: return 1;
  }
}

bool Json::empty() const { return size() == 0; }

void Json::clear() {
  switch (type_) {
    case Type::kBoolean: u_.boolean = false; break;
    case Type::kInteger: u_.integer = 0; break;
    case Type::kUnsigned: u_.uint = 0; break;
    case Type::kFloat: u_.text->assign("0.0"); break;
    case Type::kString: u_.text->clear(); break;
    case Type::kArray: u_.array->clear(); break;
    case Type::kObject: u_.object->clear(); break;
    default: break;
  }
}

Json::iterator Json::begin() {
  switch (type_) {
    case Type::kNull:
    case Type::kDiscarded: return iterator();
    case Type::kArray: return iterator(u_.array->data(), nullptr, false);
    case Type::kObject: return iterator(nullptr, u_.object->data(), true);
    default: return iterator(this, nullptr, false);
  }
}

Json::iterator Json::end() {
  switch (type_) {
    case Type::kNull:
    case Type::kDiscarded: return iterator();
    case Type::kArray: return iterator(u_.array->data() + u_.array->size(), nullptr, false);
    case Type::kObject: return iterator(nullptr, u_.object->data() + u_.object->size(), true);
    default: return iterator(this + 1, nullptr, false);
  }
}

Json::const_iterator Json::begin() const { return const_cast<Json*>(this)->begin(); }
Json::const_iterator Json::end() const { return const_cast<Json*>(this)->end(); }

// ---- comparison ---------------------------------------------------------------------

bool operator==(const Json& a, const Json& b) {
  using T = Json::Type;
  if (a.is_number() && b.is_number()) {
    if (a.type_ == T::kFloat || b.type_ == T::kFloat) return a.get_double() == b.get_double();
    if (a.type_ == b.type_) return a.u_.uint == b.u_.uint;
    const Json& s = a.type_ == T::kInteger ? a : b;  // signed against unsigned
    const Json& u = a.type_ == T::kInteger ? b : a;
    return s.u_.integer >= 0 && static_cast<uint64_t>(s.u_.integer) == u.u_.uint;
  }
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case T::kNull: return true;
    case T::kBoolean: return a.u_.boolean == b.u_.boolean;
    case T::kString: return *a.u_.text == *b.u_.text;
    case T::kArray: return *a.u_.array == *b.u_.array;
    case T::kObject: {
      const auto& x = *a.u_.object;
      const auto& y = *b.u_.object;
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (x[i].key != y[i].key || !(x[i].value == y[i].value)) return false;
      return true;
    }
    default: return false;  // discarded
  }
}

// ---- dump ---------------------------------------------------------------------------

std::string Json::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

void Json::dump_to(std::string& out) const {
  switch (type_) {
    case Type::kNull:
    case Type::kDiscarded: out.append("null"); break;  // JFMC dumps discarded as null too
    case Type::kBoolean: out.append(u_.boolean ? "true" : "false"); break;
    case Type::kInteger: append_signed_decimal(out, u_.integer); break;
    case Type::kUnsigned: append_decimal(out, u_.uint); break;
    case Type::kFloat: out.append(*u_.text); break;
    case Type::kString: dump_string_to(out, *u_.text); break;
    case Type::kArray: {
      out.push_back('[');
      bool first = true;
      for (const Json& e : *u_.array) {
        if (!first) out.push_back(',');
        first = false;
        e.dump_to(out);
      }
      out.push_back(']');
      break;
    }
    case Type::kObject: {
      out.push_back('{');
      bool first = true;
      for (const JsonMember& m : *u_.object) {
        if (!first) out.push_back(',');
        first = false;
        dump_string_to(out, m.key);
        out.push_back(':');
        m.value.dump_to(out);
      }
      out.push_back('}');
      break;
    }
  }
}

// ---- parse --------------------------------------------------------------------------

// A recursive-descent parser with JFMC's acceptance rules (RFC 8259, strict): no
// comments, no trailing commas, escapes \" \\ \/ \b \f \n \r \t \uXXXX with surrogates in
// pairs only, raw control characters and ill-formed UTF-8 refused in strings, a leading
// UTF-8 byte-order mark skipped, numbers that overflow a double refused.
class JsonParser {
 public:
  explicit JsonParser(std::string_view text)
      : p_(reinterpret_cast<const unsigned char*>(text.data())), end_(p_ + text.size()) {}

  bool document(Json& out) {
    if (end_ - p_ >= 3 && p_[0] == 0xEF && p_[1] == 0xBB && p_[2] == 0xBF) p_ += 3;
    if (!value(out, 0)) return false;
    skip_space();
    return p_ == end_ || *p_ == '\0';  // JFMC's lexer takes a NUL byte for the end of input
  }

 private:
  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  bool literal(const char* word, size_t n) {
    if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  bool value(Json& out, int depth) {
    skip_space();
    if (p_ == end_) return false;
    switch (*p_) {
      case '{': return object(out, depth + 1);
      case '[': return array(out, depth + 1);
      case '"': {
        out.become(Json::Type::kString);
        return string(*out.u_.text);
      }
      case 't':
        out = true;
        return literal("true", 4);
      case 'f':
        out = false;
        return literal("false", 5);
      case 'n':
        out = nullptr;
        return literal("null", 4);
      default: return number(out);
    }
  }

  bool array(Json& out, int depth) {
    if (depth > Json::kMaxDepth) return false;
    ++p_;  // '['
    out.become(Json::Type::kArray);
    Json::Array& a = *out.u_.array;
    skip_space();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      a.emplace_back();
      if (!value(a.back(), depth)) return false;
      skip_space();
      if (p_ == end_) return false;
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      if (*p_++ != ',') return false;
    }
  }

  bool object(Json& out, int depth) {
    if (depth > Json::kMaxDepth) return false;
    ++p_;  // '{'
    out.become(Json::Type::kObject);
    Json::Object& o = *out.u_.object;
    skip_space();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    bool sorted = true;  // members so far in strictly increasing key order
    for (;;) {
      skip_space();
      if (p_ == end_ || *p_ != '"') return false;
      JsonMember m;
      if (!string(m.key)) return false;
      skip_space();
      if (p_ == end_ || *p_++ != ':') return false;
      if (!value(m.value, depth)) return false;
      if (sorted && !o.empty() && !(o.back().key < m.key)) {
        if (o.back().key == m.key) {
          o.back().value = std::move(m.value);  // a repeated key: the last one wins
        } else {
          sorted = false;
          o.push_back(std::move(m));
        }
      } else {
        o.push_back(std::move(m));
      }
      skip_space();
      if (p_ == end_) return false;
      if (*p_ == '}') {
        ++p_;
        break;
      }
      if (*p_++ != ',') return false;
    }
    if (!sorted) {  // sort by key; of equal keys keep the last (a stable sort keeps text order)
      merge_sort(o);
      size_t w = 0;
      for (size_t r = 0; r < o.size(); ++r) {
        if (r + 1 < o.size() && o[r + 1].key == o[r].key) continue;
        if (w != r) o[w] = std::move(o[r]);
        ++w;
      }
      o.resize(w);
    }
    return true;
  }

  // Bottom-up merge sort by key, stable, n log n: far less code than std::stable_sort.
  static void merge_sort(Json::Object& v) {
    const size_t n = v.size();
    Json::Object tmp(n);
    for (size_t width = 1; width < n; width *= 2) {
      for (size_t lo = 0; lo < n; lo += 2 * width) {
        const size_t mid = std::min(lo + width, n);
        const size_t hi = std::min(lo + 2 * width, n);
        size_t a = lo;
        size_t b = mid;
        for (size_t k = lo; k < hi; ++k)
          tmp[k] = std::move(b < hi && (a == mid || v[b].key < v[a].key) ? v[b++] : v[a++]);
      }
      v.swap(tmp);
    }
  }

  int hex4() {
    if (end_ - p_ < 4) return -1;
    int v = 0;
    for (int i = 0; i < 4; ++i) {
      const unsigned char c = *p_++;
      int d = 0;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }

  bool string(std::string& out) {
    ++p_;  // '"'
    for (;;) {
      const unsigned char* run = p_;
      while (p_ != end_ && *p_ >= 0x20 && *p_ < 0x80 && *p_ != '"' && *p_ != '\\') ++p_;
      out.append(reinterpret_cast<const char*>(run), static_cast<size_t>(p_ - run));
      if (p_ == end_) return false;
      const unsigned char c = *p_;
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        size_t skip = 0;
        const size_t len = utf8_sequence(p_, static_cast<size_t>(end_ - p_), &skip);
        if (len == 0) return false;
        out.append(reinterpret_cast<const char*>(p_), len);
        p_ += len;
        continue;
      }
      ++p_;  // '\\'
      if (p_ == end_) return false;
      const unsigned char e = *p_++;
      if (const void* k = std::memchr(kEscapes, e, sizeof kEscapes - 1)) {
        out.push_back(kEscaped[static_cast<const char*>(k) - kEscapes]);
        continue;
      }
      if (e != 'u') return false;
      const int hi = hex4();
      if (hi < 0) return false;
      uint32_t cp = static_cast<uint32_t>(hi);
      if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate first
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
        p_ += 2;
        const int lo = hex4();
        if (lo < 0xDC00 || lo > 0xDFFF) return false;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<uint32_t>(lo) - 0xDC00);
      }
      append_utf8(out, cp);
    }
  }

  static bool digit(unsigned char c) { return c >= '0' && c <= '9'; }

  // Beyond the largest double by at least half an ulp (2^1024 - 2^970): rounds to infinity,
  // which JFMC refuses. digits: the significant digits, point: where the decimal point
  // falls after them (value = 0.digits * 10^point).
  static bool overflows(const std::string& digits, long point) {
    static const char kLimit[] =
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649"
        "017977587207096330286416692887910946555547851940402630657488671505820681908902000708383"
        "676273854845817711531764475730270069855571366959622842914819860834936475292719074168444"
        "365510704342711559699508093042880177904174497792";
    if (digits.empty()) return false;
    if (point != 309) return point > 309;
    return digits.compare(kLimit) >= 0;  // same length of integer part: compare the digits
  }

  bool number(Json& out) {
    const unsigned char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_ || !digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    const unsigned char* int_end = p_;
    bool is_float = false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !digit(*p_)) return false;
      while (p_ != end_ && digit(*p_)) ++p_;
      is_float = true;
    }
    const unsigned char* frac_end = p_;
    long exponent = 0;
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      bool exp_negative = false;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) exp_negative = *p_++ == '-';
      if (p_ == end_ || !digit(*p_)) return false;
      while (p_ != end_ && digit(*p_)) {
        if (exponent < 100000000) exponent = exponent * 10 + (*p_ - '0');
        ++p_;
      }
      if (exp_negative) exponent = -exponent;
      is_float = true;
    }
    if (!is_float) {  // an integer, if it fits 64 bits (as JFMC: strtoull / strtoll)
      uint64_t mag = 0;
      bool fits = true;
      for (const unsigned char* q = negative ? start + 1 : start; q != int_end; ++q) {
        const auto d = static_cast<uint64_t>(*q - '0');
        if (mag > (UINT64_MAX - d) / 10) {
          fits = false;
          break;
        }
        mag = mag * 10 + d;
      }
      if (fits && !negative) {
        out = static_cast<unsigned long long>(mag);
        return true;
      }
      if (fits && mag <= static_cast<uint64_t>(INT64_MAX) + 1) {
        out = static_cast<long long>(0 - mag);
        return true;
      }
    }
    // A float: refuse it if it overflows a double.
    std::string digits;
    long point = 0;
    bool seen = false;
    for (const unsigned char* q = negative ? start + 1 : start; q != frac_end; ++q) {
      if (*q == '.') continue;
      if (q < int_end) ++point;
      if (!seen && *q == '0') {
        --point;
        continue;
      }
      seen = true;
      digits.push_back(static_cast<char>(*q));
    }
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    if (overflows(digits, point + exponent)) return false;
    out.become(Json::Type::kFloat);
    out.u_.text->assign(reinterpret_cast<const char*>(start), static_cast<size_t>(p_ - start));
    return true;
  }

  const unsigned char* p_;
  const unsigned char* end_;
};

Json Json::parse(std::string_view text, std::nullptr_t, bool) {
  Json out;
  JsonParser parser(text);
  if (!parser.document(out)) out.become(Type::kDiscarded);
  return out;
}

std::string jget(const Json& j, const char* key, const char* def) {
  return jget<std::string>(j, key, std::string(def));
}

const std::string& jtext(const Json& j, const char* key) {
  const Json* v = j.find_member(key);
  return v && v->is_string() ? v->string_ref() : json_empty_string();
}

}  // namespace parley
