// One plain HTTP connection: reads requests, answers them from Routes, and hands the
// socket to a WsSession when the request is a WebSocket upgrade to /websocket.
#pragma once

#include <memory>
#include <optional>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/routes.h"

namespace parley::server::http {

class ImServer;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, ImServer& server);
  void run();

 private:
  void do_read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void do_write(Response response);
  void on_write(bool keep_alive, boost::beast::error_code ec, size_t bytes);
  void do_close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  ImServer& server_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  std::shared_ptr<Response> response_;  // alive until its write completes
};

}  // namespace parley::server::http
