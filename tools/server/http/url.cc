#include "http/url.h"

namespace parley::server::http {
namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

Params parse_params(std::string_view text, bool plus_is_space) {
  Params params;
  for (auto& [key, value] : parse_param_list(text, plus_is_space)) params[key] = std::move(value);
  return params;
}

ParamList parse_param_list(std::string_view text, bool plus_is_space) {
  ParamList params;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view pair = text.substr(start, end - start);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      const auto key = percent_decode(pair.substr(0, eq), plus_is_space);
      const auto value = eq == std::string_view::npos ? std::optional<std::string>("")
                                                      : percent_decode(pair.substr(eq + 1), plus_is_space);
      if (key && value && !key->empty()) params.emplace_back(std::move(*key), std::move(*value));
    }
    start = end + 1;
  }
  return params;
}

std::optional<Target> parse_target(std::string_view target) {
  const size_t q = target.find('?');
  auto path = percent_decode(target.substr(0, q), false);
  if (!path || path->empty() || (*path)[0] != '/') return std::nullopt;
  Target t;
  t.path = std::move(*path);
  if (q != std::string_view::npos) t.query = parse_params(target.substr(q + 1), false);
  return t;
}

std::string param(const Params& params, std::string_view key) {
  auto it = params.find(key);
  return it == params.end() ? std::string() : it->second;
}

}  // namespace parley::server::http
