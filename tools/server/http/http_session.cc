#include "http/http_session.h"

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

HttpSession::HttpSession(boost::asio::ip::tcp::socket&& socket, ImServer& server)
    : stream_(std::move(socket)), server_(server) {}

void HttpSession::run() { do_read(); }

void HttpSession::do_read() {
  parser_.emplace();
  parser_->body_limit(server_.config().limits.max_http_body_bytes);
  parser_->header_limit(16 * 1024);
  stream_.expires_after(std::chrono::seconds(30));
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

  if (websocket::is_upgrade(request)) {
    const auto target = parse_target(request.target());
    if (!target || target->path != "/websocket") {
      return do_write(api_error(request, beast_http::status::not_found, 404, "WebSocket endpoint is /websocket"));
    }
    if (!server_.can_accept_websocket()) {
      return do_write(api_error(request, beast_http::status::service_unavailable, status::kApiInternalError,
                                "too many connections"));
    }
    beast::error_code ignored;
    const auto remote = stream_.socket().remote_endpoint(ignored);
    std::string remote_address = ignored ? std::string() : remote.address().to_string() + ":" + std::to_string(remote.port());
    stream_.expires_never();
    std::make_shared<WsSession>(stream_.release_socket(), server_, std::move(remote_address))->run(std::move(request));
    return;
  }

  Response response;
  try {
    response = server_.routes().handle(request, ImServer::now_ms());
  } catch (const std::exception& e) {
    log_error("http.handler_failed", {{"target", std::string(request.target())}, {"error", e.what()}});
    response = api_error(request, beast_http::status::internal_server_error, status::kApiInternalError,
                         "internal error");
  }
  do_write(std::move(response));
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
