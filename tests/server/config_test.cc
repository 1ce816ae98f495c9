// Command line and config file.
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "config.h"

namespace parley::server {
namespace {

Result<ServerConfig> parse(std::vector<const char*> args, bool* help = nullptr) {
  args.insert(args.begin(), "imserver");
  bool h = false;
  return parse_command_line(static_cast<int>(args.size()), args.data(), help ? help : &h);
}

TEST(Config, FlagsSetEverything) {
  auto c = parse({"--port", "9000", "--listen", "127.0.0.1", "--db", "x.db", "--app-key", "K", "--app-secret", "S",
                  "--app-key", "K2", "--app-secret", "S2", "--dev", "--static-dir", "demo", "--navi-server",
                  "im.example.com:443", "--backup-server", "b1:1", "--backup-server", "b2:2", "--log-level", "debug",
                  "--durability", "normal", "--node-id", "7", "--max-frame-bytes", "4096", "--idle-timeout-ms", "5000"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  const ServerConfig& v = c.value();
  EXPECT_EQ(v.port, 9000);
  EXPECT_EQ(v.listen_address, "127.0.0.1");
  EXPECT_EQ(v.db_path, "x.db");
  ASSERT_EQ(v.apps.size(), 2u);
  EXPECT_EQ(v.find_app("K2")->secret, "S2");
  EXPECT_EQ(v.find_app("nope"), nullptr);
  EXPECT_TRUE(v.dev);
  EXPECT_EQ(v.static_dir, "demo");
  EXPECT_EQ(v.navi_server, "im.example.com:443");
  EXPECT_EQ(v.navi_backup_servers, (std::vector<std::string>{"b1:1", "b2:2"}));
  EXPECT_EQ(v.log_level, LogLevel::kDebug);
  EXPECT_EQ(v.durability, Durability::kNormal);
  EXPECT_EQ(v.node_id, 7);
  EXPECT_EQ(v.limits.max_frame_bytes, 4096u);
  EXPECT_EQ(v.limits.idle_timeout_ms, 5000);
  EXPECT_TRUE(validate_config(v).ok());
}

TEST(Config, BadFlagsAreNamed) {
  for (const auto& args : std::vector<std::vector<const char*>>{
           {"--port", "70000"}, {"--port"}, {"--app-key", "K"}, {"--app-secret", "S"}, {"--what"},
           {"--log-level", "loud"}, {"--durability", "maybe"}, {"--node-id", "1024"}}) {
    auto c = parse(args);
    EXPECT_FALSE(c.ok()) << args[0];
  }
  bool help = false;
  EXPECT_TRUE(parse({"--help"}, &help).ok());
  EXPECT_TRUE(help);
  EXPECT_FALSE(validate_config(parse({}).value()).ok()) << "no app";
}

TEST(Config, FileThenFlags) {
  const std::string path = ::testing::TempDir() + "/parley-imserver-config.json";
  {
    std::ofstream out(path);
    out << R"({
      // comments are allowed
      "listen": "127.0.0.1", "port": 8081, "db": "file.db",
      "apps": [{"key": "K", "secret": "file-secret"}, {"key": "K3", "secret": "S3"}],
      "navi": {"server": "a:1", "backup_servers": ["b:2"]},
      "limits": {"sync_batch_size": 50, "token_ttl_ms": 86400000, "max_connections": 5}
    })";
  }
  auto c = parse({"--config", path.c_str(), "--port", "8082", "--app-key", "K", "--app-secret", "flag-secret"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c.value().port, 8082);
  EXPECT_EQ(c.value().db_path, "file.db");
  EXPECT_EQ(c.value().find_app("K")->secret, "flag-secret");
  EXPECT_EQ(c.value().find_app("K3")->secret, "S3");
  EXPECT_EQ(c.value().navi_server, "a:1");
  EXPECT_EQ(c.value().limits.sync_batch_size, 50);
  EXPECT_EQ(c.value().limits.token_ttl_ms, 86400000);
  EXPECT_EQ(c.value().limits.max_connections, 5u);
  std::remove(path.c_str());
}

TEST(Config, UnknownKeysAndWrongTypesInTheFileAreErrors) {
  ServerConfig c;
  EXPECT_FALSE(apply_config_json(R"({"prot": 8080})", c).ok());
  EXPECT_FALSE(apply_config_json(R"({"port": "8080"})", c).ok());
  EXPECT_FALSE(apply_config_json(R"({"limits": {"max_frame": 1}})", c).ok());
  EXPECT_FALSE(apply_config_json(R"({"apps": [{"key": "K"}]})", c).ok());
  EXPECT_FALSE(apply_config_json("not json", c).ok());
  EXPECT_TRUE(apply_config_json("{}", c).ok());
}

TEST(Config, PoliciesLimitsAndOrigins) {
  ServerConfig c;
  ASSERT_TRUE(apply_config_json(R"({
      "apps": [{"key": "K", "secret": "S", "multi_device": false}, {"key": "K2", "secret": "S2"}],
      "allowed_origins": ["https://chat.example.com", "http://localhost:3000"],
      "group_read_receipts": false,
      "limits": {"max_sessions_per_user": 3, "send_rate_per_second": 5, "send_burst": 8,
                 "comet_poll_hold_ms": 15000, "comet_max_response_bytes": 524288,
                 "recall_window_ms": 60000, "chatroom_history_size": 50, "chatroom_pull_max": 20,
                 "max_group_members": 500}
    })", c).ok());
  EXPECT_FALSE(c.find_app("K")->multi_device);
  EXPECT_TRUE(c.find_app("K2")->multi_device) << "the default";
  EXPECT_FALSE(c.group_read_receipts);
  EXPECT_EQ(c.limits.max_sessions_per_user, 3u);
  EXPECT_EQ(c.limits.send_rate_per_second, 5);
  EXPECT_EQ(c.limits.send_burst, 8);
  EXPECT_EQ(c.limits.comet_poll_hold_ms, 15000);
  EXPECT_EQ(c.limits.comet_max_response_bytes, 524288u);
  EXPECT_EQ(c.limits.recall_window_ms, 60000);
  EXPECT_EQ(c.limits.chatroom_history_size, 50);
  EXPECT_EQ(c.limits.chatroom_pull_max, 20);
  EXPECT_EQ(c.limits.max_group_members, 500u);
  EXPECT_TRUE(validate_config(c).ok());

  EXPECT_TRUE(origin_allowed(c, "https://chat.example.com"));
  EXPECT_TRUE(origin_allowed(c, "")) << "not a browser";
  EXPECT_FALSE(origin_allowed(c, "https://evil.example.com"));
  EXPECT_FALSE(origin_allowed(c, "https://chat.example.com.evil.com"));
  c.allowed_origins.clear();
  EXPECT_TRUE(origin_allowed(c, "https://anything.example")) << "no list: any origin";

  EXPECT_FALSE(apply_config_json(R"({"apps": [{"key": "K", "secret": "S", "multidevice": true}]})", c).ok());
  ServerConfig bad = c;
  bad.limits.comet_poll_hold_ms = 50'000;
  EXPECT_FALSE(validate_config(bad).ok()) << "longer than the client's 45 s poll timeout";
  bad = c;
  bad.limits.send_rate_per_second = 0;
  EXPECT_FALSE(validate_config(bad).ok());
  bad = c;
  bad.allowed_origins = {"https://x.example/"};
  EXPECT_FALSE(validate_config(bad).ok());
  // A short idle timeout shortens the hold: a held poll ends well before the session is idle.
  bad = c;
  bad.limits.idle_timeout_ms = 4000;
  EXPECT_EQ(bad.limits.effective_comet_hold_ms(), 2000);
}

TEST(Config, FlagsForOriginsSingleSessionAndSendRate) {
  auto c = parse({"--app-key", "K", "--app-secret", "S", "--app-key", "K2", "--app-secret", "S2", "--single-session",
                  "K2", "--allow-origin", "https://a.example", "--allow-origin", "https://b.example", "--send-rate",
                  "100"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c.value().find_app("K")->multi_device);
  EXPECT_FALSE(c.value().find_app("K2")->multi_device);
  EXPECT_EQ(c.value().allowed_origins.size(), 2u);
  EXPECT_EQ(c.value().limits.send_rate_per_second, 100);
  EXPECT_GE(c.value().limits.send_burst, 100);
  EXPECT_FALSE(parse({"--app-key", "K", "--app-secret", "S", "--single-session", "nope"}).ok());
}

}  // namespace
}  // namespace parley::server
