#include "http/server.h"

#include <chrono>

#include <boost/beast/core/bind_handler.hpp>

#include "http/http_session.h"
#include "http/ws_session.h"
#include "log.h"
#include "status.h"

namespace parley::server::http {

namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

ImServer::ImServer(net::io_context& ioc, const ServerConfig& config, storage::Storage& storage,
                   Metrics& metrics, uint64_t random_seed)
    : ioc_(ioc),
      config_(config),
      metrics_(metrics),
      signatures_(config.limits.api_timestamp_window_ms),
      routes_(config, storage, metrics, signatures_),
      hub_(storage, config.apps, im::HubOptions{config.limits, config.limits.token_ttl_ms, config.node_id},
           metrics, random_seed),
      acceptor_(ioc),
      tick_timer_(ioc),
      shutdown_timer_(ioc) {}

int64_t ImServer::now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Status ImServer::start() {
  PARLEY_TRY(hub_.start());
  boost::system::error_code ec;
  const auto address = net::ip::make_address(config_.listen_address, ec);
  if (ec) return server_error("bad listen address " + config_.listen_address + ": " + ec.message());
  const tcp::endpoint endpoint(address, config_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return server_error("cannot listen on " + config_.listen_address + ":" + std::to_string(config_.port) +
                        ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  do_accept();
  do_tick();
  return ok_status();
}

void ImServer::do_accept() {
  acceptor_.async_accept(ioc_, boost::beast::bind_front_handler(&ImServer::on_accept, this));
}

void ImServer::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (stopping_) return;
  if (ec) {
    if (ec == net::error::operation_aborted) return;
    log_warn("http.accept_failed", {{"error", ec.message()}});
  } else {
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<HttpSession>(std::move(socket), *this)->run();
  }
  do_accept();
}

void ImServer::do_tick() {
  tick_timer_.expires_after(std::chrono::seconds(1));
  tick_timer_.async_wait(boost::beast::bind_front_handler(&ImServer::on_tick, this));
}

void ImServer::on_tick(boost::system::error_code ec) {
  if (ec || stopping_) return;
  dispatch(hub_.tick(now_ms()));
  do_tick();
}

bool ImServer::can_accept_websocket() const {
  return !stopping_ && websockets_.size() < config_.limits.max_connections;
}

im::ConnectionId ImServer::register_websocket(const std::shared_ptr<WsSession>& session) {
  const im::ConnectionId id = next_connection_id_++;
  websockets_.emplace(id, session);
  metrics_.websocket_sessions.fetch_add(1, std::memory_order_relaxed);
  metrics_.websocket_sessions_total.fetch_add(1, std::memory_order_relaxed);
  return id;
}

void ImServer::websocket_opened(im::ConnectionId id, const im::ConnectRequest& request) {
  if (stopping_) {
    if (auto s = websockets_[id].lock()) s->close(im::CloseReason::kShutdown);
    return;
  }
  dispatch(hub_.connect(id, request, now_ms()));
}

void ImServer::websocket_frame(im::ConnectionId id, std::string_view bytes) {
  try {
    dispatch(hub_.receive(id, bytes, now_ms()));
  } catch (const std::exception& e) {
    // Nothing may escape into the event loop: this session ends, the others go on.
    log_error("hub.failed", {{"conn", id}, {"error", e.what()}});
    hub_.disconnected(id);
    auto it = websockets_.find(id);
    if (it != websockets_.end()) {
      if (auto s = it->second.lock()) s->close(im::CloseReason::kProtocolError);
    }
  }
}

void ImServer::websocket_closed(im::ConnectionId id) {
  hub_.disconnected(id);
  if (websockets_.erase(id)) metrics_.websocket_sessions.fetch_sub(1, std::memory_order_relaxed);
}

void ImServer::dispatch(const im::HubOutput& output) {
  for (const auto& f : output.frames) {
    auto it = websockets_.find(f.connection);
    if (it == websockets_.end()) continue;
    auto session = it->second.lock();
    if (!session) continue;
    auto bytes = codec::encode_server_frame(f.frame);
    if (!bytes) {
      log_error("frame.encode_failed", {{"conn", f.connection}, {"error", bytes.error().message}});
      continue;
    }
    metrics_.frames_out_total.fetch_add(1, std::memory_order_relaxed);
    metrics_.bytes_out_total.fetch_add(bytes.value().size(), std::memory_order_relaxed);
    session->send(std::move(bytes.value()));
  }
  for (const auto& c : output.closes) {
    auto it = websockets_.find(c.connection);
    if (it == websockets_.end()) continue;
    if (auto session = it->second.lock()) session->close(c.reason);
  }
}

void ImServer::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  log_info("server.stopping", {{"sessions", websockets_.size()}});
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  tick_timer_.cancel();
  const bool had_sessions = !websockets_.empty();
  // Copy: closing may end sessions and change the map.
  std::vector<std::shared_ptr<WsSession>> sessions;
  for (auto& [id, weak] : websockets_)
    if (auto s = weak.lock()) sessions.push_back(s);
  for (auto& s : sessions) s->close(im::CloseReason::kShutdown);
  // A moment for the close frames to go out, then stop (idle keep-alive HTTP connections
  // would otherwise keep the loop running).
  shutdown_timer_.expires_after(had_sessions ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(0));
  shutdown_timer_.async_wait([this](boost::system::error_code) { ioc_.stop(); });
}

}  // namespace parley::server::http
