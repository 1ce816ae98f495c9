// Structured logs: one line per event, logfmt (`ts=... level=warn event=ws.closed conn=7
// reason="write queue full"`), to stderr. Levels filter at the call site.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace parley::server {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

std::optional<LogLevel> parse_log_level(std::string_view name);  // "debug".."error", "off"
const char* log_level_name(LogLevel level);
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);

// One key=value pair of a log line; numbers are formatted, strings quoted when needed.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v ? v : "") {}
  LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
  template <class N, std::enable_if_t<std::is_arithmetic_v<N>, int> = 0>
  LogField(std::string_view k, N v) : key(k), value(std::to_string(v)) {}

  std::string_view key;
  std::string value;
};

void log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});

inline void log_debug(std::string_view event, std::initializer_list<LogField> fields = {}) {
  if (log_enabled(LogLevel::kDebug)) log(LogLevel::kDebug, event, fields);
}
inline void log_info(std::string_view event, std::initializer_list<LogField> fields = {}) {
  if (log_enabled(LogLevel::kInfo)) log(LogLevel::kInfo, event, fields);
}
inline void log_warn(std::string_view event, std::initializer_list<LogField> fields = {}) {
  if (log_enabled(LogLevel::kWarn)) log(LogLevel::kWarn, event, fields);
}
inline void log_error(std::string_view event, std::initializer_list<LogField> fields = {}) {
  if (log_enabled(LogLevel::kError)) log(LogLevel::kError, event, fields);
}

}  // namespace parley::server
