// imserver: flags and config file, storage, the server loop, clean shutdown on SIGTERM.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "auth/crypto.h"
#include "config.h"
#include "http/server.h"
#include "log.h"
#include "metrics.h"
#include "storage/sqlite_storage.h"

namespace {

using namespace parley::server;

// --port-file FILE: written (via rename, so readers never see half a number) once the port
// is bound; the test harness starts imserver with --port 0 and reads it.
std::string port_file_flag(int argc, const char* const* argv) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string_view(argv[i]) == "--port-file") return argv[i + 1];
  return {};
}

bool write_port_file(const std::string& path, uint16_t port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << port << "\n";
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int run(int argc, const char* const* argv) {
  bool show_help = false;
  auto parsed = parse_command_line(argc, argv, &show_help);
  if (show_help) {
    std::fputs(command_line_help(), stdout);
    return 0;
  }
  if (!parsed) {
    std::fprintf(stderr, "imserver: %s\n", parsed.error().message.c_str());
    return 2;
  }
  const ServerConfig config = std::move(parsed.value());
  if (auto st = validate_config(config); !st) {
    std::fprintf(stderr, "imserver: %s\n", st.error().message.c_str());
    return 2;
  }
  set_log_level(config.log_level);

  auto storage = storage::SqliteStorage::open({config.db_path, config.durability == Durability::kFull});
  if (!storage) {
    log_error("storage.open_failed", {{"db", config.db_path}, {"error", storage.error().message}});
    return 1;
  }
  log_info("storage.open", {{"db", config.db_path}, {"journal", storage.value()->journal_mode()},
                            {"schema", storage.value()->schema_version()},
                            {"synchronous", config.durability == Durability::kFull ? "full" : "normal"}});

  Metrics metrics;
  boost::asio::io_context ioc{1};
  http::ImServer server(ioc, config, *storage.value(), metrics, auth::random_u64());
  if (auto st = server.start(); !st) {
    log_error("server.start_failed", {{"error", st.error().message}});
    return 1;
  }
  const std::string port_file = port_file_flag(argc, argv);
  if (!port_file.empty() && !write_port_file(port_file, server.port())) {
    log_error("server.port_file_failed", {{"path", port_file}});
    return 1;
  }
  log_info("server.listening", {{"address", config.listen_address}, {"port", server.port()},
                                {"apps", config.apps.size()}, {"dev", config.dev},
                                {"static_dir", config.static_dir}});
  std::printf("imserver listening on http://%s:%u\n",
              config.listen_address == "0.0.0.0" ? "127.0.0.1" : config.listen_address.c_str(),
              static_cast<unsigned>(server.port()));
  std::fflush(stdout);

  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log_info("server.signal", {{"signal", signal}});
    server.shutdown();
  });

  for (;;) {
    try {
      ioc.run();
      break;
    } catch (const std::exception& e) {
      // Handlers catch their own errors; this is the last line, and the loop goes on.
      log_error("server.loop_exception", {{"error", e.what()}});
    }
  }
  log_info("server.stopped", {{"messages_stored", metrics.messages_stored_total.load()}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "imserver: fatal: %s\n", e.what());
    return 1;
  }
}
