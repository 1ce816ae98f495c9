// One plain HTTP connection: reads requests, answers them from Routes (through ImServer),
// hands the socket to a WsSession when the request is a WebSocket upgrade to /websocket,
// and carries the comet requests (connect, long poll, send) to ImServer, which answers
// through respond() at once or, for a held poll, later.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/comet_sessions.h"
#include "http/routes.h"

namespace parley::server::http {

class ImServer;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, ImServer& server);
  void run();

  // Writes the answer to the request being served, then reads the next one.
  void respond(Response response);
  // The answer to a held poll: 200 with this JSON body.
  void respond_held(std::string body);
  // The current request is a long poll held by the server: wait, watching the socket so
  // that a client that goes away releases the poll (ImServer::comet_poll_gone).
  void hold(PollId poll);
  const std::string& remote_address() const { return remote_address_; }

 private:
  void do_read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void on_hold_wait(boost::beast::error_code ec);
  void do_write(Response response);
  void on_write(bool keep_alive, boost::beast::error_code ec, size_t bytes);
  void do_close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  ImServer& server_;
  std::string remote_address_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  std::shared_ptr<Response> response_;  // alive until its write completes
  Request comet_request_;               // the comet request being served (for a held answer)
  bool holding_ = false;
  PollId held_poll_ = 0;
};

}  // namespace parley::server::http
