#include "http/ws_session.h"

#include <chrono>

#include "http/server.h"
#include "http/url.h"
#include "log.h"

namespace parley::server::http {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

WsSession::WsSession(boost::asio::ip::tcp::socket&& socket, ImServer& server, std::string remote_address)
    : ws_(std::move(socket)), server_(server), remote_address_(std::move(remote_address)) {}

// Nothing to tell the server here: every way a session ends passes through a handler
// that calls finish() while the server is alive; at shutdown the server goes first.
WsSession::~WsSession() = default;

void WsSession::run(Request request) {
  id_ = server_.register_websocket(shared_from_this());
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(10);  // opening and closing handshakes
  timeouts.idle_timeout = websocket::stream_base::none();  // the hub closes idle sessions
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast_http::field::server, "parley-imserver"); }));
  ws_.binary(true);
  ws_.read_message_max(server_.config().limits.max_frame_bytes);
  beast::get_lowest_layer(ws_).expires_never();
  upgrade_request_ = std::move(request);
  ws_.async_accept(upgrade_request_, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) {
    log_debug("ws.handshake_failed", {{"conn", id_}, {"remote", remote_address_}, {"error", ec.message()}});
    return finish();
  }
  accepted_ = true;
  // The official client authenticates in the URL (§2.2): appId, token, sdkVer, ...
  im::ConnectRequest request;
  if (const auto target = parse_target(upgrade_request_.target())) {
    request.app_key = param(target->query, "appId");
    request.token = param(target->query, "token");
    request.sdk_version = param(target->query, "sdkVer");
  }
  request.remote_address = remote_address_;
  upgrade_request_ = {};
  server_.websocket_opened(id_, request);
  do_read();
}

void WsSession::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
}

void WsSession::on_read(beast::error_code ec, size_t) {
  if (ec) {
    if (ec == websocket::error::message_too_big) {
      server_.metrics().count_error(Metrics::Error::kFrameTooLarge);
      log_warn("frame.rejected", {{"conn", id_}, {"reason", "larger than max_frame_bytes"}});
    } else if (ec != websocket::error::closed && ec != boost::asio::error::operation_aborted &&
               ec != boost::asio::error::eof) {
      log_debug("ws.read_failed", {{"conn", id_}, {"error", ec.message()}});
    }
    return finish();
  }
  const std::string frame = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  if (!closing_ && !close_requested_) server_.websocket_frame(id_, frame);
  do_read();  // also while closing: the close handshake completes through this read
}

void WsSession::send(std::string frame) {
  if (close_requested_ || closing_ || finished_) return;
  const size_t limit = server_.config().limits.max_write_queue_bytes;
  if (queued_bytes_ + frame.size() > limit) {
    server_.metrics().count_error(Metrics::Error::kSlowClient);
    log_warn("ws.slow_client", {{"conn", id_}, {"queued_bytes", queued_bytes_}, {"limit", limit}});
    return abort();
  }
  queued_bytes_ += frame.size();
  queue_.push_back(std::move(frame));
  if (!writing_) do_write();
}

void WsSession::do_write() {
  writing_ = true;
  ws_.async_write(boost::asio::buffer(queue_.front()),
                  beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
}

void WsSession::on_write(beast::error_code ec, size_t) {
  writing_ = false;
  if (ec) {
    log_debug("ws.write_failed", {{"conn", id_}, {"error", ec.message()}});
    return abort();
  }
  queued_bytes_ -= queue_.front().size();
  queue_.pop_front();
  if (!queue_.empty()) return do_write();
  if (close_requested_) do_close();
}

void WsSession::close(im::CloseReason reason) {
  if (close_requested_ || closing_) return;
  switch (reason) {
    case im::CloseReason::kProtocolError: close_code_ = websocket::close_code::protocol_error; break;
    case im::CloseReason::kFrameTooLarge: close_code_ = websocket::close_code::too_big; break;
    case im::CloseReason::kShutdown: close_code_ = websocket::close_code::going_away; break;
    case im::CloseReason::kAuthRejected: close_code_ = websocket::close_code::policy_error; break;
    case im::CloseReason::kIdleTimeout: close_code_ = websocket::close_code::normal; break;
    case im::CloseReason::kKicked: close_code_ = websocket::close_code::normal; break;
  }
  close_requested_ = true;
  if (!writing_ && queue_.empty()) do_close();
}

void WsSession::do_close() {
  if (closing_) return;
  closing_ = true;
  if (!accepted_) return abort();
  ws_.async_close(close_code_, beast::bind_front_handler(&WsSession::on_close, shared_from_this()));
}

void WsSession::on_close(beast::error_code ec) {
  // The pending read completes with websocket::error::closed and calls finish().
  if (ec) abort();
}

void WsSession::abort() {
  closing_ = true;
  beast::get_lowest_layer(ws_).close();
}

void WsSession::finish() {
  if (finished_) return;
  finished_ = true;
  server_.websocket_closed(id_);
}

}  // namespace parley::server::http
