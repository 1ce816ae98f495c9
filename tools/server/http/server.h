// The network side of imserver: one io_context thread, one listening port for HTTP,
// WebSocket and comet (split in HttpSession: websocket::is_upgrade, then the path), the hub
// driven from here.
//
// Transports: a WebSocket session (WsSession) carries binary frames; a comet session is a
// series of HTTP requests (GET /websocket connects, GET /pullmsg.js long-polls, POST
// /websocket sends) tied together by the sessionid this server hands out, with its queue
// and held poll in CometSessions. Both are ConnectionIds to the hub, so routing, storage
// and sync are shared.
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
#include "http/comet_sessions.h"
#include "http/routes.h"
#include "im/hub.h"
#include "im/server_api.h"
#include "metrics.h"
#include "storage/storage.h"

namespace parley::server::http {

class WsSession;
class HttpSession;

class ImServer {
 public:
  ImServer(boost::asio::io_context& ioc, const ServerConfig& config, storage::Storage& storage,
           Metrics& metrics, uint64_t random_seed);

  // Starts the hub and binds the port (0: any free one). port() is valid afterwards.
  Status start();
  uint16_t port() const { return port_; }

  // Stops accepting, closes every WebSocket session (1001 going away), answers held polls
  // and stops the io_context after a short grace period.
  void shutdown();

  // ---- for the sessions ----
  const ServerConfig& config() const { return config_; }
  Metrics& metrics() { return metrics_; }
  static int64_t now_ms();

  // A plain HTTP request (navi, ping, server API, static files): the routes' answer, with
  // what a server API call did to live sessions dispatched.
  Response handle_http(const Request& request);

  // False when at max_connections (WebSocket and comet together): refused with 503.
  bool can_accept_connection() const;
  im::ConnectionId register_websocket(const std::shared_ptr<WsSession>& session);
  void websocket_opened(im::ConnectionId id, const im::ConnectRequest& request);
  void websocket_frame(im::ConnectionId id, std::string_view bytes);
  void websocket_closed(im::ConnectionId id);

  // GET /websocket (no upgrade), GET /pullmsg.js, POST /websocket: the comet transport.
  static bool is_comet_request(const Request& request);
  // Answers through http->respond(), now or (a held poll) later.
  void comet_request(const std::shared_ptr<HttpSession>& http, const Request& request);
  // The client closed the connection of a held poll.
  void comet_poll_gone(PollId poll);

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  void do_tick();
  void on_tick(boost::system::error_code ec);
  // A comet POST's request id as the client numbered it (no 16-bit wrap) and as the hub
  // saw it: the answers to that POST get the client's id back.
  struct CometRequestId {
    im::ConnectionId connection = 0;
    uint16_t wire_id = 0;
    uint64_t client_id = 0;
  };
  // Sends the hub's frames to their sessions, then applies its closes.
  void dispatch(const im::HubOutput& output, const CometRequestId* request_id = nullptr);

  void comet_connect(const std::shared_ptr<HttpSession>& http, const Request& request, const Target& target);
  void comet_poll(const std::shared_ptr<HttpSession>& http, const Request& request, const Target& target);
  void comet_post(const std::shared_ptr<HttpSession>& http, const Request& request, const Target& target);
  void answer_polls(const std::vector<PollAnswer>& answers);
  // The JSON object text of a frame for a comet client; "" when it cannot be rendered.
  std::string render_comet(const im::OutgoingFrame& frame);
  void close_comet(im::ConnectionId id, bool drop);

  boost::asio::io_context& ioc_;
  const ServerConfig& config_;
  Metrics& metrics_;
  auth::ApiSignatureVerifier signatures_;
  im::Hub hub_;
  im::ServerApi api_;
  Routes routes_;
  CometSessions comet_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer shutdown_timer_;
  uint16_t port_ = 0;
  bool stopping_ = false;
  im::ConnectionId next_connection_id_ = 1;
  PollId next_poll_id_ = 1;
  std::unordered_map<im::ConnectionId, std::weak_ptr<WsSession>> websockets_;
  std::unordered_map<PollId, std::weak_ptr<HttpSession>> held_polls_;
};

}  // namespace parley::server::http
