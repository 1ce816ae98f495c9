// imserver configuration: a JSON file (--config) overlaid by command-line flags.
//
//   {
//     "listen": "0.0.0.0", "port": 8080,
//     "db": "parley.db", "durability": "full",
//     "apps": [{"key": "K", "secret": "S"}],
//     "navi": {"server": "im.example.com:8080", "backup_servers": ["im2.example.com:8080"]},
//     "static_dir": "demo", "dev": false, "log_level": "info", "node_id": 0,
//     "limits": {"max_frame_bytes": 196608, "max_content_bytes": 131072,
//                "idle_timeout_ms": 45000, "max_write_queue_bytes": 8388608,
//                "max_http_body_bytes": 65536, "sync_batch_size": 200,
//                "api_timestamp_window_ms": 300000, "token_ttl_ms": 0,
//                "max_connections": 10000}
//   }
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "log.h"

namespace parley::server {

struct AppConfig {
  std::string key;
  std::string secret;
};

struct Limits {
  size_t max_frame_bytes = 192 * 1024;     // one WebSocket message; larger closes the session
  size_t max_content_bytes = 128 * 1024;   // UpStreamMessage.content (client MAX_MESSAGE_CONTENT_BYTES)
  int64_t idle_timeout_ms = 45'000;        // nothing received for this long closes the session
  size_t max_write_queue_bytes = 8 << 20;  // a session that cannot keep up is closed
  size_t max_http_body_bytes = 64 * 1024;
  int sync_batch_size = 200;               // messages per pullMsg answer
  int64_t api_timestamp_window_ms = 300'000;
  int64_t token_ttl_ms = 0;                // 0: tokens do not expire (RongCloud's default)
  size_t max_connections = 10'000;
};

// SQLite synchronous mode. kFull: every commit is fsynced before the PUBACK (survives
// power loss). kNormal: WAL commits reach the OS before the PUBACK and survive a crash or
// kill -9 of the server, but the last ones may be lost if the machine loses power.
enum class Durability { kFull, kNormal };

struct ServerConfig {
  std::string listen_address = "0.0.0.0";
  uint16_t port = 8080;
  std::string db_path = "parley.db";
  Durability durability = Durability::kFull;
  std::vector<AppConfig> apps;
  std::string navi_server;                   // "host:port" for navi; empty: the request's Host
  std::vector<std::string> navi_backup_servers;
  std::string static_dir;                    // served at "/"; empty: none
  bool dev = false;                          // enables GET /demo/token (never in production)
  LogLevel log_level = LogLevel::kInfo;
  uint16_t node_id = 0;                      // 0..1023, part of every msgUId
  Limits limits;

  const AppConfig* find_app(std::string_view key) const;
};

// Applies the JSON text of a config file on top of `config`. Unknown keys are errors, so a
// typo does not silently keep a default.
Status apply_config_json(std::string_view json_text, ServerConfig& config);

// Parses the command line (argv[0] skipped): --config FILE first, then every flag over it.
// Sets *show_help for --help. Errors name the offending flag.
Result<ServerConfig> parse_command_line(int argc, const char* const* argv, bool* show_help);

const char* command_line_help();

// Problems that make the configuration unusable (no app, bad port, ...).
Status validate_config(const ServerConfig& config);

}  // namespace parley::server
