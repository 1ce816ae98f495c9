// One WebSocket connection of the official protocol (§2): binary messages, one frame each.
// Incoming frames go to the hub through ImServer; outgoing frames wait in a bounded queue
// and are written one at a time (a write starts only when none is in flight). A client
// whose queue passes limits.max_write_queue_bytes is cut off: a slow reader must not
// grow the server's memory.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "http/routes.h"
#include "im/hub.h"

namespace parley::server::http {

class ImServer;

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(boost::asio::ip::tcp::socket&& socket, ImServer& server, std::string remote_address);
  ~WsSession();

  // Completes the upgrade `request` (already read by HttpSession) and starts reading.
  void run(Request request);

  // Queues one binary frame. Closes the session when the queue is over its limit.
  void send(std::string frame);
  // Closes after the frames queued so far are written.
  void close(im::CloseReason reason);

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void do_write();
  void on_write(boost::beast::error_code ec, size_t bytes);
  void do_close();
  void on_close(boost::beast::error_code ec);
  // Drops the TCP connection at once (slow client, failed write).
  void abort();
  // Tells the server (once) that this session is gone.
  void finish();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  ImServer& server_;
  std::string remote_address_;
  im::ConnectionId id_ = 0;
  Request upgrade_request_;          // kept until the handshake completes
  std::deque<std::string> queue_;   // frames not yet written; front() is being written
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool accepted_ = false;
  bool close_requested_ = false;    // close once the queue is empty
  bool closing_ = false;            // async_close started or socket dropped
  bool finished_ = false;
  boost::beast::websocket::close_code close_code_ = boost::beast::websocket::close_code::normal;
};

}  // namespace parley::server::http
