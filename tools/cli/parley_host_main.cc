// parley-host: the client core (Session) driven by a small native host — Beast WebSocket
// transports, an Asio timer, a JSON file for storage. The native twin of the browser
// shim, used by the integration tests and handy as a command-line client.
//
//   parley-host --app-key K --host 127.0.0.1:8080 [--store FILE] [--seed N]
//
// stdin: one Session command per line ({"cmd":"connect","id":1,"token":"..."}; "hosts"
// defaults to --host). stdout: one line per app event: {"type":"message","data":{...}}.
// The host does exactly what the actions say and nothing else (STYLE.md 1).
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "common/json_util.h"
#include "session/session.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = parley::Json;
using namespace parley;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Host;

// One WebSocket connection for one `conn` of the Session.
class Transport : public std::enable_shared_from_this<Transport> {
 public:
  Transport(asio::io_context& io, Host& host, uint32_t conn) : resolver_(io), ws_(io), host_(host), conn_(conn) {}

  void open(const std::string& url);
  void send(std::string bytes) {
    queue_.push_back(std::move(bytes));
    if (queue_.size() == 1 && open_) do_write();
  }
  void close() {
    closed_by_us_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

 private:
  void do_read();
  void do_write();
  void fail();

  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  Host& host_;
  uint32_t conn_;
  bool open_ = false;
  bool closed_by_us_ = false;
  bool reported_ = false;
};

class Host {
 public:
  Host(asio::io_context& io, session::SessionConfig cfg, uint64_t seed, std::string host, std::string store)
      : io_(io), timer_(io), session_(cfg, seed), default_host_(std::move(host)), store_path_(std::move(store)) {
    std::map<std::string, std::string> kv;
    if (!store_path_.empty()) {
      std::ifstream in(store_path_);
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      json j = json::parse(text, nullptr, false);
      if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it)
          if (it->is_string()) kv[it.key()] = it->get<std::string>();
      store_ = kv;
    }
    apply(session_.restore(kv));
  }

  void command(const std::string& line) {
    json cmd = json::parse(line, nullptr, false);
    if (!cmd.is_object()) {
      emit("log", {{"level", "error"}, {"message", "stdin line is not a JSON object"}});
      return;
    }
    if (jget(cmd, "cmd", "") == "connect" && !cmd.contains("hosts")) cmd["hosts"] = {default_host_};
    if (jget(cmd, "cmd", "") == "quit") {
      io_.stop();
      return;
    }
    apply(session_.command(now_ms(), cmd));
  }

  void on_open(uint32_t conn) { apply(session_.on_transport_open(now_ms(), conn)); }
  void on_bytes(uint32_t conn, const std::string& b) { apply(session_.on_bytes(now_ms(), conn, b)); }
  void on_closed(uint32_t conn) {
    transports_.erase(conn);
    apply(session_.on_transport_closed(now_ms(), conn));
  }

 private:
  void emit(const std::string& type, const json& data) {
    std::cout << to_text(json{{"type", type}, {"data", data}}) << std::endl;
  }

  void apply(const session::Actions& actions) {
    bool store_changed = false;
    for (const auto& a : actions) {
      if (auto* o = std::get_if<session::OpenTransport>(&a)) {
        auto t = std::make_shared<Transport>(io_, *this, o->conn);
        transports_[o->conn] = t;
        t->open(o->url);
      } else if (auto* c = std::get_if<session::CloseTransport>(&a)) {
        auto it = transports_.find(c->conn);
        if (it != transports_.end()) {
          it->second->close();
          transports_.erase(it);
        }
      } else if (auto* s = std::get_if<session::SendBytes>(&a)) {
        auto it = transports_.find(s->conn);
        if (it != transports_.end()) it->second->send(s->bytes);
      } else if (auto* e = std::get_if<session::EmitEvent>(&a)) {
        emit(e->type, e->data);
      } else if (auto* p = std::get_if<session::PersistValue>(&a)) {
        if (p->erase) store_.erase(p->key); else store_[p->key] = p->value;
        store_changed = true;
      } else if (auto* t = std::get_if<session::SetTimer>(&a)) {
        arm(t->deadline_ms);
      }
    }
    if (store_changed && !store_path_.empty()) {
      // Write then rename: a crash leaves the old or the new file, never half of one.
      const std::string tmp = store_path_ + ".tmp";
      {
        std::ofstream out(tmp, std::ios::trunc);
        json store = json::object();
        for (const auto& [key, value] : store_) store[key] = value;
        out << to_text(store);
      }
      std::rename(tmp.c_str(), store_path_.c_str());
    }
  }

  void arm(int64_t deadline) {
    timer_.cancel();
    if (deadline < 0) return;
    timer_.expires_after(std::chrono::milliseconds(std::max<int64_t>(0, deadline - now_ms())));
    timer_.async_wait([this](beast::error_code ec) {
      if (!ec) apply(session_.on_timer(now_ms()));
    });
  }

  asio::io_context& io_;
  asio::steady_timer timer_;
  session::Session session_;
  std::string default_host_;
  std::string store_path_;
  std::map<std::string, std::string> store_;
  std::map<uint32_t, std::shared_ptr<Transport>> transports_;
};

void Transport::open(const std::string& url) {
  // ws://host:port/path?query
  const auto scheme_end = url.find("://");
  const std::string rest = url.substr(scheme_end == std::string::npos ? 0 : scheme_end + 3);
  const auto slash = rest.find('/');
  const std::string hostport = rest.substr(0, slash);
  const std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = hostport.rfind(':');
  const std::string host = hostport.substr(0, colon);
  const std::string port = colon == std::string::npos ? "80" : hostport.substr(colon + 1);
  auto self = shared_from_this();
  resolver_.async_resolve(host, port, [self, hostport, target](beast::error_code ec, tcp::resolver::results_type r) {
    if (ec) return self->fail();
    beast::get_lowest_layer(self->ws_).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(self->ws_).async_connect(r, [self, hostport, target](beast::error_code ec2, auto) {
      if (ec2) return self->fail();
      beast::get_lowest_layer(self->ws_).expires_never();
      self->ws_.binary(true);
      self->ws_.async_handshake(hostport, target, [self](beast::error_code ec3) {
        if (ec3) return self->fail();
        self->open_ = true;
        self->host_.on_open(self->conn_);
        if (!self->queue_.empty()) self->do_write();
        self->do_read();
      });
    });
  });
}

void Transport::do_read() {
  auto self = shared_from_this();
  ws_.async_read(buffer_, [self](beast::error_code ec, size_t) {
    if (ec) return self->fail();
    std::string bytes = beast::buffers_to_string(self->buffer_.data());
    self->buffer_.consume(self->buffer_.size());
    self->host_.on_bytes(self->conn_, bytes);
    self->do_read();
  });
}

void Transport::do_write() {
  auto self = shared_from_this();
  ws_.async_write(asio::buffer(queue_.front()), [self](beast::error_code ec, size_t) {
    if (ec) return self->fail();
    self->queue_.pop_front();
    if (!self->queue_.empty()) self->do_write();
  });
}

void Transport::fail() {
  if (reported_ || closed_by_us_) return;
  reported_ = true;
  host_.on_closed(conn_);
}

}  // namespace

int main(int argc, char** argv) {
  session::SessionConfig cfg;
  std::string host = "127.0.0.1:8080", store;
  uint64_t seed = static_cast<uint64_t>(now_ms());
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--app-key") cfg.app_key = v;
    else if (k == "--host") host = v;
    else if (k == "--store") store = v;
    else if (k == "--seed") seed = std::stoull(v);
    else {
      std::fprintf(stderr, "usage: parley-host --app-key K --host H:P [--store FILE] [--seed N]\n");
      return 2;
    }
  }
  asio::io_context io;
  Host h(io, cfg, seed, host, store);
  // stdin on its own thread; each line is handed to the io thread.
  std::thread reader([&] {
    std::string line;
    while (std::getline(std::cin, line)) asio::post(io, [&h, line] { h.command(line); });
    asio::post(io, [&io] { io.stop(); });
  });
  reader.detach();
  auto guard = asio::make_work_guard(io);
  io.run();
  return 0;
}
