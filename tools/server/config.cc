#include "config.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace parley::server {
namespace {

using nlohmann::json;

Error config_error(std::string message) { return make_error(ErrorCode::kParameterError, std::move(message)); }

template <class T>
Status read_number(const json& value, const char* name, T* out) {
  if (!value.is_number_integer()) return config_error(std::string(name) + ": integer expected");
  const auto v = value.get<int64_t>();
  if (v < 0 || static_cast<uint64_t>(v) > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
    return config_error(std::string(name) + ": out of range");
  }
  *out = static_cast<T>(v);
  return ok_status();
}

Status read_string(const json& value, const char* name, std::string* out) {
  if (!value.is_string()) return config_error(std::string(name) + ": string expected");
  *out = value.get<std::string>();
  return ok_status();
}

Status parse_durability(std::string_view text, Durability* out) {
  if (text == "full") *out = Durability::kFull;
  else if (text == "normal") *out = Durability::kNormal;
  else return config_error("durability: \"full\" or \"normal\" expected");
  return ok_status();
}

Status apply_limits(const json& limits, Limits& l) {
  if (!limits.is_object()) return config_error("limits: object expected");
  for (const auto& [key, value] : limits.items()) {
    if (key == "max_frame_bytes") PARLEY_TRY(read_number(value, "limits.max_frame_bytes", &l.max_frame_bytes));
    else if (key == "max_content_bytes") PARLEY_TRY(read_number(value, "limits.max_content_bytes", &l.max_content_bytes));
    else if (key == "idle_timeout_ms") PARLEY_TRY(read_number(value, "limits.idle_timeout_ms", &l.idle_timeout_ms));
    else if (key == "max_write_queue_bytes") PARLEY_TRY(read_number(value, "limits.max_write_queue_bytes", &l.max_write_queue_bytes));
    else if (key == "max_http_body_bytes") PARLEY_TRY(read_number(value, "limits.max_http_body_bytes", &l.max_http_body_bytes));
    else if (key == "sync_batch_size") PARLEY_TRY(read_number(value, "limits.sync_batch_size", &l.sync_batch_size));
    else if (key == "api_timestamp_window_ms") PARLEY_TRY(read_number(value, "limits.api_timestamp_window_ms", &l.api_timestamp_window_ms));
    else if (key == "token_ttl_ms") PARLEY_TRY(read_number(value, "limits.token_ttl_ms", &l.token_ttl_ms));
    else if (key == "max_connections") PARLEY_TRY(read_number(value, "limits.max_connections", &l.max_connections));
    else if (key == "max_sessions_per_user") PARLEY_TRY(read_number(value, "limits.max_sessions_per_user", &l.max_sessions_per_user));
    else if (key == "send_rate_per_second") PARLEY_TRY(read_number(value, "limits.send_rate_per_second", &l.send_rate_per_second));
    else if (key == "send_burst") PARLEY_TRY(read_number(value, "limits.send_burst", &l.send_burst));
    else if (key == "comet_poll_hold_ms") PARLEY_TRY(read_number(value, "limits.comet_poll_hold_ms", &l.comet_poll_hold_ms));
    else if (key == "comet_max_response_bytes") PARLEY_TRY(read_number(value, "limits.comet_max_response_bytes", &l.comet_max_response_bytes));
    else if (key == "recall_window_ms") PARLEY_TRY(read_number(value, "limits.recall_window_ms", &l.recall_window_ms));
    else if (key == "chatroom_history_size") PARLEY_TRY(read_number(value, "limits.chatroom_history_size", &l.chatroom_history_size));
    else if (key == "chatroom_pull_max") PARLEY_TRY(read_number(value, "limits.chatroom_pull_max", &l.chatroom_pull_max));
    else if (key == "max_group_members") PARLEY_TRY(read_number(value, "limits.max_group_members", &l.max_group_members));
    else return config_error("limits: unknown key \"" + key + "\"");
  }
  return ok_status();
}

Status parse_unsigned(std::string_view flag, std::string_view text, uint64_t max, uint64_t* out) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v > max) {
    return config_error(std::string(flag) + ": number up to " + std::to_string(max) + " expected");
  }
  *out = v;
  return ok_status();
}

}  // namespace

const AppConfig* ServerConfig::find_app(std::string_view key) const {
  for (const auto& app : apps)
    if (app.key == key) return &app;
  return nullptr;
}

Status apply_config_json(std::string_view json_text, ServerConfig& c) {
  const json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (doc.is_discarded() || !doc.is_object()) return config_error("config: not a JSON object");
  for (const auto& [key, value] : doc.items()) {
    if (key == "listen") {
      PARLEY_TRY(read_string(value, "listen", &c.listen_address));
    } else if (key == "port") {
      PARLEY_TRY(read_number(value, "port", &c.port));
    } else if (key == "db") {
      PARLEY_TRY(read_string(value, "db", &c.db_path));
    } else if (key == "durability") {
      std::string text;
      PARLEY_TRY(read_string(value, "durability", &text));
      PARLEY_TRY(parse_durability(text, &c.durability));
    } else if (key == "apps") {
      if (!value.is_array()) return config_error("apps: array expected");
      c.apps.clear();
      for (const auto& app : value) {
        if (!app.is_object() || !app.contains("key") || !app.contains("secret")) {
          return config_error("apps: each entry needs \"key\" and \"secret\"");
        }
        AppConfig a;
        for (const auto& [akey, avalue] : app.items()) {
          if (akey == "key") {
            PARLEY_TRY(read_string(avalue, "apps[].key", &a.key));
          } else if (akey == "secret") {
            PARLEY_TRY(read_string(avalue, "apps[].secret", &a.secret));
          } else if (akey == "multi_device") {
            if (!avalue.is_boolean()) return config_error("apps[].multi_device: true or false expected");
            a.multi_device = avalue.get<bool>();
          } else {
            return config_error("apps[]: unknown key \"" + akey + "\"");
          }
        }
        c.apps.push_back(std::move(a));
      }
    } else if (key == "navi") {
      if (!value.is_object()) return config_error("navi: object expected");
      for (const auto& [nkey, nvalue] : value.items()) {
        if (nkey == "server") {
          PARLEY_TRY(read_string(nvalue, "navi.server", &c.navi_server));
        } else if (nkey == "backup_servers") {
          if (!nvalue.is_array()) return config_error("navi.backup_servers: array expected");
          c.navi_backup_servers.clear();
          for (const auto& host : nvalue) {
            std::string h;
            PARLEY_TRY(read_string(host, "navi.backup_servers[]", &h));
            c.navi_backup_servers.push_back(std::move(h));
          }
        } else {
          return config_error("navi: unknown key \"" + nkey + "\"");
        }
      }
    } else if (key == "allowed_origins") {
      if (!value.is_array()) return config_error("allowed_origins: array expected");
      c.allowed_origins.clear();
      for (const auto& origin : value) {
        std::string o;
        PARLEY_TRY(read_string(origin, "allowed_origins[]", &o));
        c.allowed_origins.push_back(std::move(o));
      }
    } else if (key == "group_read_receipts") {
      if (!value.is_boolean()) return config_error("group_read_receipts: true or false expected");
      c.group_read_receipts = value.get<bool>();
    } else if (key == "static_dir") {
      PARLEY_TRY(read_string(value, "static_dir", &c.static_dir));
    } else if (key == "dev") {
      if (!value.is_boolean()) return config_error("dev: true or false expected");
      c.dev = value.get<bool>();
    } else if (key == "log_level") {
      std::string text;
      PARLEY_TRY(read_string(value, "log_level", &text));
      const auto level = parse_log_level(text);
      if (!level) return config_error("log_level: debug, info, warn, error or off expected");
      c.log_level = *level;
    } else if (key == "node_id") {
      PARLEY_TRY(read_number(value, "node_id", &c.node_id));
    } else if (key == "limits") {
      PARLEY_TRY(apply_limits(value, c.limits));
    } else {
      return config_error("config: unknown key \"" + key + "\"");
    }
  }
  return ok_status();
}

const char* command_line_help() {
  return R"(imserver: a RongCloud-v2-compatible IM server (WebSocket, navi, server API).

usage: imserver [--config FILE] [flags]

  --config FILE           JSON config file (see tools/server/config.h); flags override it
  --listen ADDR           listen address (default 0.0.0.0)
  --port N                HTTP + WebSocket port (default 8080; 0 picks a free port)
  --db PATH               SQLite database (default parley.db; ":memory:" for none)
  --durability full|normal  SQLite synchronous mode (default full)
  --app-key K --app-secret S   an app (repeat the pair for several apps)
  --navi-server HOST:PORT      "server" advertised by navi (default: the request's Host)
  --backup-server HOST:PORT    "backupServer" entry (repeatable)
  --static-dir DIR        files served at / (the demo page)
  --dev                   enable GET /demo/token?userId= (development only)
  --log-level L           debug | info | warn | error | off (default info)
  --node-id N             0..1023, part of every message UID (default 0)
  --max-frame-bytes N     largest WebSocket frame accepted
  --idle-timeout-ms N     close sessions silent for this long (default 45000)
  --allow-origin ORIGIN   browser Origin allowed to open sessions (repeatable; default: any)
  --single-session K      app K keeps one session per user: a new login kicks the old one
  --send-rate N           messages per second per session (default 20, burst 50)
  --port-file FILE        write the bound port to FILE once listening
  --help                  this text
)";
}

Result<ServerConfig> parse_command_line(int argc, const char* const* argv, bool* show_help) {
  ServerConfig c;
  *show_help = false;
  // The config file first, wherever --config appears, so flags always win.
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--config") {
      if (i + 1 >= argc) return config_error("--config: file name expected");
      std::ifstream in(argv[i + 1], std::ios::binary);
      if (!in) return config_error(std::string("--config: cannot read ") + argv[i + 1]);
      std::stringstream text;
      text << in.rdbuf();
      PARLEY_TRY(apply_config_json(text.str(), c));
    }
  }
  std::vector<AppConfig> flag_apps;
  std::vector<std::string> single_session;
  std::string pending_key;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    auto value = [&]() -> Result<std::string_view> {
      if (i + 1 >= argc) return config_error(std::string(flag) + ": value expected");
      return std::string_view(argv[++i]);
    };
    uint64_t n = 0;
    if (flag == "--help" || flag == "-h") {
      *show_help = true;
    } else if (flag == "--config") {
      ++i;  // applied above
    } else if (flag == "--dev") {
      c.dev = true;
    } else {
      auto v = value();
      if (!v) return v.error();
      const std::string_view text = v.value();
      if (flag == "--listen") c.listen_address = std::string(text);
      else if (flag == "--port") { PARLEY_TRY(parse_unsigned(flag, text, 65535, &n)); c.port = static_cast<uint16_t>(n); }
      else if (flag == "--db") c.db_path = std::string(text);
      else if (flag == "--durability") PARLEY_TRY(parse_durability(text, &c.durability));
      else if (flag == "--app-key") {
        if (!pending_key.empty()) return config_error("--app-key " + pending_key + " has no --app-secret");
        pending_key = std::string(text);
        if (pending_key.empty()) return config_error("--app-key: empty");
      } else if (flag == "--app-secret") {
        if (pending_key.empty()) return config_error("--app-secret must follow --app-key");
        flag_apps.push_back({pending_key, std::string(text)});
        pending_key.clear();
      }
      else if (flag == "--navi-server") c.navi_server = std::string(text);
      else if (flag == "--backup-server") c.navi_backup_servers.emplace_back(text);
      else if (flag == "--static-dir") c.static_dir = std::string(text);
      else if (flag == "--log-level") {
        const auto level = parse_log_level(text);
        if (!level) return config_error("--log-level: debug, info, warn, error or off expected");
        c.log_level = *level;
      }
      else if (flag == "--node-id") { PARLEY_TRY(parse_unsigned(flag, text, 1023, &n)); c.node_id = static_cast<uint16_t>(n); }
      else if (flag == "--max-frame-bytes") { PARLEY_TRY(parse_unsigned(flag, text, 64u << 20, &n)); c.limits.max_frame_bytes = n; }
      else if (flag == "--idle-timeout-ms") { PARLEY_TRY(parse_unsigned(flag, text, 86'400'000, &n)); c.limits.idle_timeout_ms = static_cast<int64_t>(n); }
      else if (flag == "--port-file") { /* read by main */ }
      else if (flag == "--allow-origin") c.allowed_origins.emplace_back(text);
      else if (flag == "--single-session") single_session.emplace_back(text);
      else if (flag == "--send-rate") {
        PARLEY_TRY(parse_unsigned(flag, text, 1'000'000, &n));
        c.limits.send_rate_per_second = static_cast<int>(n);
        c.limits.send_burst = std::max(c.limits.send_burst, static_cast<int>(n));
      }
      else return config_error("unknown flag " + std::string(flag) + " (see --help)");
    }
  }
  if (!pending_key.empty()) return config_error("--app-key " + pending_key + " has no --app-secret");
  // Apps given on the command line replace or extend the file's, by key.
  for (auto& app : flag_apps) {
    bool replaced = false;
    for (auto& existing : c.apps) {
      if (existing.key == app.key) { existing.secret = app.secret; replaced = true; }
    }
    if (!replaced) c.apps.push_back(std::move(app));
  }
  for (const auto& key : single_session) {
    bool found = false;
    for (auto& app : c.apps) {
      if (app.key == key) { app.multi_device = false; found = true; }
    }
    if (!found) return config_error("--single-session " + key + ": no such app");
  }
  return c;
}

Status validate_config(const ServerConfig& c) {
  if (c.apps.empty()) return config_error("no app configured: give --app-key K --app-secret S or \"apps\" in the config");
  for (const auto& app : c.apps) {
    if (app.key.empty() || app.secret.empty()) return config_error("an app has an empty key or secret");
  }
  if (c.node_id > 1023) return config_error("node_id must be 0..1023");
  if (c.limits.max_frame_bytes < 1024) return config_error("limits.max_frame_bytes below 1024");
  if (c.limits.sync_batch_size < 1) return config_error("limits.sync_batch_size must be positive");
  if (c.limits.idle_timeout_ms < 1000) return config_error("limits.idle_timeout_ms below 1000");
  if (c.limits.max_sessions_per_user < 1) return config_error("limits.max_sessions_per_user must be positive");
  if (c.limits.send_rate_per_second < 1 || c.limits.send_burst < 1) {
    return config_error("limits.send_rate_per_second and send_burst must be positive");
  }
  // A held poll must end before the client's 45 s timeout (and is cut to half of
  // idle_timeout_ms where that is shorter, see comet_poll_hold_ms()).
  if (c.limits.comet_poll_hold_ms < 100 || c.limits.comet_poll_hold_ms > 40'000) {
    return config_error("limits.comet_poll_hold_ms must be 100..40000");
  }
  if (c.limits.comet_max_response_bytes < c.limits.max_frame_bytes) {
    return config_error("limits.comet_max_response_bytes below max_frame_bytes");
  }
  if (c.limits.chatroom_history_size < 1 || c.limits.chatroom_pull_max < 1) {
    return config_error("limits.chatroom_history_size and chatroom_pull_max must be positive");
  }
  for (const auto& origin : c.allowed_origins) {
    if (origin.empty() || origin.back() == '/') {
      return config_error("allowed_origins: \"" + origin + "\" is not scheme://host[:port]");
    }
  }
  return ok_status();
}

bool origin_allowed(const ServerConfig& c, std::string_view origin) {
  if (c.allowed_origins.empty() || origin.empty()) return true;
  for (const auto& allowed : c.allowed_origins) {
    if (allowed == "*" || allowed == origin) return true;
  }
  return false;
}

}  // namespace parley::server
