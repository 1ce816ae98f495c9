// Request-target and form parsing for the HTTP endpoints: percent-decoding, query strings,
// application/x-www-form-urlencoded bodies.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::server::http {

// Decodes %XX escapes (and '+' as space when `plus_is_space`, as forms do). nullopt on a
// malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

using Params = std::map<std::string, std::string, std::less<>>;

// "a=1&b=%20x" -> {a: "1", b: " x"}. Later duplicates win; malformed pairs are skipped.
Params parse_params(std::string_view text, bool plus_is_space);

// Every pair in order, duplicates kept: the server API repeats keys for lists
// ("userId=a&userId=b"). Malformed pairs are skipped.
using ParamList = std::vector<std::pair<std::string, std::string>>;
ParamList parse_param_list(std::string_view text, bool plus_is_space);

struct Target {
  std::string path;  // decoded
  Params query;
};

// "/navi.js?appId=K&token=..." -> path and query. Query values are decoded without
// treating '+' as space: the official client uses encodeURIComponent, which escapes '+'.
std::optional<Target> parse_target(std::string_view target);

// A query/form value or "" when absent.
std::string param(const Params& params, std::string_view key);

}  // namespace parley::server::http
