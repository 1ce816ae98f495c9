// The network side of imserver: one io_context thread, one listening port for HTTP and
// WebSocket (split by websocket::is_upgrade in HttpSession), the hub driven from here.
//
// Threading: everything (Beast handlers, the hub, SQLite) runs on the one io_context
// thread, so the hub and storage need no locks. A commit's fsync therefore pauses every
// session for its duration; moving storage to its own thread is the next step when one
// node must carry more than a few hundred messages per second.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "auth/api_signature.h"
#include "config.h"
#include "http/routes.h"
#include "im/hub.h"
#include "metrics.h"
#include "storage/storage.h"

namespace parley::server::http {

class WsSession;

class ImServer {
 public:
  ImServer(boost::asio::io_context& ioc, const ServerConfig& config, storage::Storage& storage,
           Metrics& metrics, uint64_t random_seed);

  // Starts the hub and binds the port (0: any free one). port() is valid afterwards.
  Status start();
  uint16_t port() const { return port_; }

  // Stops accepting, closes every WebSocket session (1001 going away) and stops the
  // io_context after a short grace period.
  void shutdown();

  // ---- for the sessions ----
  const ServerConfig& config() const { return config_; }
  Routes& routes() { return routes_; }
  Metrics& metrics() { return metrics_; }
  static int64_t now_ms();

  // False when at max_connections: the upgrade is answered 503.
  bool can_accept_websocket() const;
  im::ConnectionId register_websocket(const std::shared_ptr<WsSession>& session);
  void websocket_opened(im::ConnectionId id, const im::ConnectRequest& request);
  void websocket_frame(im::ConnectionId id, std::string_view bytes);
  void websocket_closed(im::ConnectionId id);

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  void do_tick();
  void on_tick(boost::system::error_code ec);
  // Sends the hub's frames to their sessions, then applies its closes.
  void dispatch(const im::HubOutput& output);

  boost::asio::io_context& ioc_;
  const ServerConfig& config_;
  Metrics& metrics_;
  auth::ApiSignatureVerifier signatures_;
  Routes routes_;
  im::Hub hub_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer shutdown_timer_;
  uint16_t port_ = 0;
  bool stopping_ = false;
  im::ConnectionId next_connection_id_ = 1;
  std::unordered_map<im::ConnectionId, std::weak_ptr<WsSession>> websockets_;
};

}  // namespace parley::server::http
