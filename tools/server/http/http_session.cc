#include "http/http_session.h"

#include <algorithm>
#include <chrono>

#include <boost/beast/websocket.hpp>

#include "http/server.h"
#include "http/url.h"
#include "http/ws_session.h"
#include "log.h"
#include "status.h"

namespace parley::server::http {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

namespace {
constexpr auto kIoTimeout = std::chrono::seconds(30);
}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket&& socket, ImServer& server)
    : stream_(std::move(socket)), server_(server) {
  beast::error_code ec;
  const auto remote = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_address_ = remote.address().to_string() + ":" + std::to_string(remote.port());
}

void HttpSession::run() { do_read(); }

void HttpSession::do_read() {
  parser_.emplace();
  // The comet POST carries a frame as JSON (a 128 KB message doubles when escaped): its
  // limit follows max_frame_bytes; every other body is checked against
  // max_http_body_bytes after the read.
  const auto& limits = server_.config().limits;
  parser_->body_limit(std::max(limits.max_http_body_bytes, 2 * limits.max_frame_bytes + 1024));
  parser_->header_limit(16 * 1024);
  stream_.expires_after(kIoTimeout);
  beast_http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, size_t) {
  if (ec == beast_http::error::end_of_stream) return do_close();
  if (ec == beast_http::error::body_limit) {
    Request request;
    request.version(11);
    request.keep_alive(false);
    return do_write(api_error(request, beast_http::status::payload_too_large, status::kApiParameterTooLong,
                              "request body too large"));
  }
  if (ec) {
    if (ec != beast::error::timeout && ec != boost::asio::error::operation_aborted) {
      log_debug("http.read_failed", {{"error", ec.message()}});
    }
    return;
  }
  Request request = parser_->release();
  const auto& config = server_.config();

  if (websocket::is_upgrade(request)) {
    const auto target = parse_target(request.target());
    if (!target || target->path != "/websocket") {
      return do_write(api_error(request, beast_http::status::not_found, 404, "WebSocket endpoint is /websocket"));
    }
    const auto origin = request.find(beast_http::field::origin);
    if (origin != request.end() && !origin_allowed(config, origin->value())) {
      server_.metrics().count_error(Metrics::Error::kOriginRejected);
      log_info("ws.origin_rejected", {{"origin", std::string(origin->value())}, {"remote", remote_address_}});
      return do_write(api_error(request, beast_http::status::forbidden, 403, "origin not allowed"));
    }
    if (!server_.can_accept_connection()) {
      return do_write(api_error(request, beast_http::status::service_unavailable, status::kApiInternalError,
                                "too many connections"));
    }
    stream_.expires_never();
    std::make_shared<WsSession>(stream_.release_socket(), server_, remote_address_)->run(std::move(request));
    return;
  }

  if (ImServer::is_comet_request(request)) {
    comet_request_ = std::move(request);
    server_.comet_request(shared_from_this(), comet_request_);
    return;  // answered through respond()
  }
  if (request.body().size() > config.limits.max_http_body_bytes) {
    return do_write(api_error(request, beast_http::status::payload_too_large, status::kApiParameterTooLong,
                              "request body too large"));
  }

  Response response;
  try {
    response = server_.handle_http(request);
  } catch (const std::exception& e) {
    log_error("http.handler_failed", {{"target", std::string(request.target())}, {"error", e.what()}});
    response = api_error(request, beast_http::status::internal_server_error, status::kApiInternalError,
                         "internal error");
  }
  do_write(std::move(response));
}

void HttpSession::hold(PollId poll) {
  holding_ = true;
  held_poll_ = poll;
  stream_.expires_never();
  // Readable while a poll is held means the client closed the connection (an XHR never
  // sends another request on it before the answer).
  stream_.socket().async_wait(boost::asio::ip::tcp::socket::wait_read,
                              beast::bind_front_handler(&HttpSession::on_hold_wait, shared_from_this()));
}

void HttpSession::on_hold_wait(beast::error_code) {
  if (!holding_) return;  // answered meanwhile (the wait was cancelled)
  holding_ = false;
  server_.comet_poll_gone(held_poll_);
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

void HttpSession::respond(Response response) {
  if (holding_) {
    holding_ = false;
    beast::error_code ignored;
    stream_.socket().cancel(ignored);  // the pending wait
  }
  if (!stream_.socket().is_open()) return;
  stream_.expires_after(kIoTimeout);
  do_write(std::move(response));
}

void HttpSession::respond_held(std::string body) {
  respond(make_response(comet_request_, beast_http::status::ok, "application/json", std::move(body)));
}

void HttpSession::do_write(Response response) {
  response_ = std::make_shared<Response>(std::move(response));
  const bool keep_alive = response_->keep_alive();
  beast_http::async_write(stream_, *response_,
                          beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, size_t) {
  if (ec) return;
  response_.reset();
  if (!keep_alive) return do_close();
  do_read();
}

void HttpSession::do_close() {
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace parley::server::http
