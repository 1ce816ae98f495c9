// imserver configuration: a JSON file (--config) overlaid by command-line flags.
//
//   {
//     "listen": "0.0.0.0", "port": 8080,
//     "db": "parley.db", "durability": "full",
//     "apps": [{"key": "K", "secret": "S", "multi_device": true}],
//     "navi": {"server": "im.example.com:8080", "backup_servers": ["im2.example.com:8080"]},
//     "allowed_origins": ["https://chat.example.com"],
//     "group_read_receipts": true,
//     "static_dir": "demo", "dev": false, "log_level": "info", "node_id": 0,
//     "limits": {"max_frame_bytes": 196608, "max_content_bytes": 131072,
//                "idle_timeout_ms": 45000, "max_write_queue_bytes": 8388608,
//                "max_http_body_bytes": 65536, "sync_batch_size": 200,
//                "api_timestamp_window_ms": 300000, "token_ttl_ms": 0,
//                "max_connections": 10000, "max_sessions_per_user": 10,
//                "send_rate_per_second": 20, "send_burst": 50,
//                "comet_poll_hold_ms": 20000, "comet_max_response_bytes": 262144,
//                "recall_window_ms": 120000, "chatroom_history_size": 200,
//                "chatroom_pull_max": 50, "max_group_members": 3000}
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
  // Several sessions per user (each gets the others' sends as sync copies), or one: a new
  // login kicks the old session (DISCONNECT status 1).
  bool multi_device = true;
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
  // A user's sessions beyond this: the oldest is kicked (DISCONNECT status 1).
  size_t max_sessions_per_user = 10;
  // Per session token bucket for message sends (PUBLISH): refills at this rate up to the
  // burst; an empty bucket answers 20604 SEND_FREQUENCY_TOO_FAST.
  int send_rate_per_second = 20;
  int send_burst = 50;
  // Comet: how long a poll is held when nothing waits (under the client's 45 s timeout and
  // idle_timeout_ms), and how much one poll answer carries (the rest waits for the next).
  int64_t comet_poll_hold_ms = 20'000;
  size_t comet_max_response_bytes = 256 * 1024;
  int64_t recall_window_ms = 120'000;      // a sender may recall for this long after sending
  int chatroom_history_size = 200;         // messages kept per chatroom
  int chatroom_pull_max = 50;              // messages per chrmPull answer
  size_t max_group_members = 3000;

  // The hold actually used: a held poll must also end well before the session counts as idle.
  int64_t effective_comet_hold_ms() const {
    return comet_poll_hold_ms < idle_timeout_ms / 2 ? comet_poll_hold_ms : idle_timeout_ms / 2;
  }
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
  // Origins (scheme://host[:port]) allowed to open sessions from a browser (WebSocket
  // upgrade, comet requests). Empty: any. Requests without Origin (not a browser) pass.
  std::vector<std::string> allowed_origins;
  bool group_read_receipts = true;           // navi grpRRVer 1: rrMsg / rrList
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

// Whether a browser request with this Origin header value may open a session.
bool origin_allowed(const ServerConfig& config, std::string_view origin);

// Problems that make the configuration unusable (no app, bad port, ...).
Status validate_config(const ServerConfig& config);

}  // namespace parley::server
