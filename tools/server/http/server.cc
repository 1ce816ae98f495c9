#include "http/server.h"

#include <charconv>
#include <chrono>

#include <boost/beast/core/bind_handler.hpp>
#include <nlohmann/json.hpp>

#include "auth/crypto.h"
#include "codec/comet.h"
#include "http/http_session.h"
#include "http/ws_session.h"
#include "log.h"
#include "status.h"

namespace parley::server::http {

namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;

namespace {

constexpr auto kTickPeriod = std::chrono::milliseconds(250);

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

template <class T>
bool parse_number(const std::string& text, T* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

std::string header_value(const Request& request, beast_http::field name) {
  auto it = request.find(name);
  return it == request.end() ? std::string() : std::string(it->value());
}

im::HubOutput without_frame_for(im::HubOutput output, im::ConnectionId id, std::optional<codec::ConnAck>* ack) {
  im::HubOutput rest;
  for (auto& f : output.frames) {
    if (f.connection == id) {
      if (auto* a = std::get_if<codec::ConnAck>(&f.frame)) *ack = *a;
      continue;
    }
    rest.frames.push_back(std::move(f));
  }
  for (auto& c : output.closes)
    if (c.connection != id) rest.closes.push_back(c);
  return rest;
}

}  // namespace

ImServer::ImServer(net::io_context& ioc, const ServerConfig& config, storage::Storage& storage,
                   Metrics& metrics, uint64_t random_seed)
    : ioc_(ioc),
      config_(config),
      metrics_(metrics),
      signatures_(config.limits.api_timestamp_window_ms),
      hub_(storage, config.apps, im::HubOptions{config.limits, config.limits.token_ttl_ms, config.node_id},
           metrics, random_seed),
      api_(hub_, storage, config_.limits),
      routes_(config, storage, metrics, signatures_, api_),
      comet_(CometLimits{config.limits.effective_comet_hold_ms(), config.limits.max_write_queue_bytes,
                         config.limits.comet_max_response_bytes, 10'000}),
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
  tick_timer_.expires_after(kTickPeriod);
  tick_timer_.async_wait(boost::beast::bind_front_handler(&ImServer::on_tick, this));
}

void ImServer::on_tick(boost::system::error_code ec) {
  if (ec || stopping_) return;
  const int64_t now = now_ms();
  dispatch(hub_.tick(now));
  std::vector<im::ConnectionId> forgotten;
  answer_polls(comet_.expire(now, &forgotten));
  do_tick();
}

Response ImServer::handle_http(const Request& request) {
  im::HubOutput effects;
  Response response = routes_.handle(request, now_ms(), &effects);
  dispatch(effects);
  return response;
}

bool ImServer::can_accept_connection() const {
  return !stopping_ && websockets_.size() + comet_.size() < config_.limits.max_connections;
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

void ImServer::dispatch(const im::HubOutput& output, const CometRequestId* request_id) {
  std::vector<im::ConnectionId> comet_touched;
  std::vector<im::ConnectionId> comet_overflow;
  for (const auto& f : output.frames) {
    auto it = websockets_.find(f.connection);
    if (it != websockets_.end()) {
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
      continue;
    }
    if (!comet_.contains(f.connection)) continue;
    std::string text = render_comet(f);
    if (text.empty()) continue;
    metrics_.frames_out_total.fetch_add(1, std::memory_order_relaxed);
    metrics_.bytes_out_total.fetch_add(text.size(), std::memory_order_relaxed);
    if (request_id && f.connection == request_id->connection && request_id->client_id > 65535 &&
        codec::message_id_of(f.frame) == request_id->wire_id &&
        (std::holds_alternative<codec::ServerPubAck>(f.frame) || std::holds_alternative<codec::QueryAck>(f.frame))) {
      json j = json::parse(text, nullptr, false);
      if (j.is_object()) {
        j["messageId"] = request_id->client_id;
        text = dump(j);
      }
    }
    // Every frame for a comet client, the answers to its own POSTs included, goes through
    // its one queue and out in poll answers: the client handles one poll answer at a time,
    // so it sees frames in the order they were made. (Answers split between concurrent
    // POST and poll responses can be handled out of order: a pullMsg answer overtaking the
    // PUBACK of a message it contains made the official client deliver its own message
    // back to itself as a received one.)
    if (comet_.enqueue(f.connection, std::move(text))) {
      comet_touched.push_back(f.connection);
    } else {
      comet_overflow.push_back(f.connection);
    }
  }
  for (im::ConnectionId id : comet_touched) answer_polls(comet_.flush(id));
  for (im::ConnectionId id : comet_overflow) {
    if (!comet_.contains(id)) continue;
    metrics_.count_error(Metrics::Error::kSlowClient);
    log_warn("comet.slow_client", {{"conn", id}, {"queued_bytes", comet_.queued_bytes(id)},
                                   {"limit", config_.limits.max_write_queue_bytes}});
    hub_.disconnected(id);
    close_comet(id, /*drop=*/true);
  }
  for (const auto& c : output.closes) {
    auto it = websockets_.find(c.connection);
    if (it != websockets_.end()) {
      if (auto session = it->second.lock()) session->close(c.reason);
    } else if (comet_.contains(c.connection)) {
      close_comet(c.connection, /*drop=*/false);
    }
  }
}

// ---- comet ------------------------------------------------------------------------------

bool ImServer::is_comet_request(const Request& request) {
  const auto target = parse_target(request.target());
  if (!target) return false;
  const auto method = request.method();
  if (target->path == "/pullmsg.js") return method == beast_http::verb::get;
  if (target->path == "/websocket") return method == beast_http::verb::get || method == beast_http::verb::post;
  return false;
}

void ImServer::comet_request(const std::shared_ptr<HttpSession>& http, const Request& request) {
  metrics_.http_requests_total.fetch_add(1, std::memory_order_relaxed);
  const auto target = parse_target(request.target());
  if (!target) {
    return http->respond(api_error(request, beast_http::status::bad_request, status::kApiBadParameter, "bad target"));
  }
  if (!origin_allowed(config_, header_value(request, beast_http::field::origin))) {
    metrics_.count_error(Metrics::Error::kOriginRejected);
    return http->respond(api_error(request, beast_http::status::forbidden, 403, "origin not allowed"));
  }
  if (stopping_) {
    return http->respond(
        api_error(request, beast_http::status::service_unavailable, status::kApiInternalError, "stopping"));
  }
  try {
    if (target->path == "/pullmsg.js") return comet_poll(http, request, *target);
    if (request.method() == beast_http::verb::post) return comet_post(http, request, *target);
    return comet_connect(http, request, *target);
  } catch (const std::exception& e) {
    log_error("comet.failed", {{"target", std::string(request.target())}, {"error", e.what()}});
    http->respond(api_error(request, beast_http::status::internal_server_error, status::kApiInternalError,
                            "internal error"));
  }
}

// GET /websocket?appId=&token=&sdkVer=&pid=&apiVer= : the comet connect (§5). The answer
// is the CONNACK as compact canonical JSON; its sessionid (random, not the hub's) is what
// authenticates the session's later polls and POSTs.
void ImServer::comet_connect(const std::shared_ptr<HttpSession>& http, const Request& request, const Target& target) {
  if (!can_accept_connection()) {
    return http->respond(api_error(request, beast_http::status::service_unavailable, status::kApiInternalError,
                                   "too many connections"));
  }
  im::ConnectRequest cr;
  cr.app_key = param(target.query, "appId");
  cr.token = param(target.query, "token");
  cr.sdk_version = param(target.query, "sdkVer");
  cr.remote_address = http->remote_address();
  cr.transport = im::Transport::kComet;
  const std::string pid = param(target.query, "pid");
  const im::ConnectionId id = next_connection_id_++;
  std::optional<codec::ConnAck> ack;
  im::HubOutput rest = without_frame_for(hub_.connect(id, cr, now_ms()), id, &ack);
  json body;
  if (ack && ack->status == status::kConnAccepted) {
    const std::string key = auth::hex_encode(auth::random_bytes(16));
    comet_.open(id, key, pid);
    metrics_.comet_sessions.fetch_add(1, std::memory_order_relaxed);
    metrics_.comet_sessions_total.fetch_add(1, std::memory_order_relaxed);
    body = {{"status", ack->status}, {"userId", ack->user_id}, {"sessionid", key}, {"timestamp", ack->timestamp_ms}};
  } else {
    body = {{"status", ack ? ack->status : status::kConnServerUnavailable}};
  }
  dispatch(rest);  // other sessions kicked by this login
  http->respond(make_response(request, beast_http::status::ok, "application/json", dump(body)));
}

// GET /pullmsg.js?sessionid=&timestrap=&pid= : the long poll.
void ImServer::comet_poll(const std::shared_ptr<HttpSession>& http, const Request& request, const Target& target) {
  const auto id = comet_.find_for_poll(param(target.query, "sessionid"), param(target.query, "pid"));
  if (!id) {
    // Unknown or expired: the client reports NETWORK_UNAVAILABLE and connects again.
    return http->respond(api_error(request, beast_http::status::not_found, 404, "no such comet session"));
  }
  metrics_.comet_polls_total.fetch_add(1, std::memory_order_relaxed);
  hub_.keep_alive(*id, now_ms());
  const PollId poll = next_poll_id_++;
  bool answered = false;
  for (auto& a : comet_.poll(*id, poll, now_ms())) {
    if (a.poll == poll) {
      answered = true;
      http->respond(make_response(request, beast_http::status::ok, "application/json", std::move(a.body)));
    } else {
      answer_polls({a});
    }
  }
  if (!answered) {
    held_polls_[poll] = http;
    http->hold(poll);
  }
}

// POST /websocket?messageid=&header=&sessionid=&topic=&targetid=&pid= : one client frame,
// the body its payload as JSON. The answer is "[]": this frame's own answers (PUBACK /
// QUERYACK) are queued behind what already waits and go out in the next poll answer
// (see dispatch: one ordered channel per comet client).
void ImServer::comet_post(const std::shared_ptr<HttpSession>& http, const Request& request, const Target& target) {
  const auto id = comet_.find(param(target.query, "sessionid"), param(target.query, "pid"));
  if (!id) return http->respond(api_error(request, beast_http::status::not_found, 404, "no such comet session"));
  unsigned header = 0;
  uint64_t message_id = 0;
  if (!parse_number(param(target.query, "header"), &header) || header > 255 ||
      !parse_number(param(target.query, "messageid"), &message_id)) {
    return http->respond(api_error(request, beast_http::status::bad_request, status::kApiBadParameter,
                                   "header and messageid expected"));
  }
  // Comet clients number their requests without wrapping; frames carry 16 bits. Ids past
  // 65535 are mapped into 1..65535 here and restored in this POST's answers (dispatch).
  const auto wire_id = static_cast<uint16_t>(message_id <= 65535 ? message_id : message_id % 65535 + 1);
  codec::CometRequest cr;
  cr.header = static_cast<uint8_t>(header);
  cr.message_id = wire_id;
  cr.has_topic = target.query.count("topic") > 0;
  cr.topic = param(target.query, "topic");
  cr.target_id = param(target.query, "targetid");
  cr.body = request.body();
  const int64_t now = now_ms();
  hub_.keep_alive(*id, now);
  const CometRequestId request_id{*id, wire_id, message_id};
  try {
    dispatch(hub_.receive_comet(*id, cr, now), &request_id);
  } catch (const std::exception& e) {
    log_error("hub.failed", {{"conn", *id}, {"error", e.what()}});
    hub_.disconnected(*id);
    close_comet(*id, /*drop=*/true);
  }
  http->respond(make_response(request, beast_http::status::ok, "application/json", "[]"));
}

void ImServer::comet_poll_gone(PollId poll) {
  held_polls_.erase(poll);
  comet_.poll_gone(poll);
}

void ImServer::answer_polls(const std::vector<PollAnswer>& answers) {
  for (const auto& a : answers) {
    auto it = held_polls_.find(a.poll);
    if (it == held_polls_.end()) continue;  // answered right where it arrived
    auto http = it->second.lock();
    held_polls_.erase(it);
    if (http) http->respond_held(a.body);
  }
}

std::string ImServer::render_comet(const im::OutgoingFrame& f) {
  auto j = codec::encode_comet_response(f.frame, f.ack_topic);
  if (!j) {
    log_error("frame.encode_failed", {{"conn", f.connection}, {"transport", "comet"}, {"error", j.error().message}});
    return {};
  }
  return j.value().dump();
}

void ImServer::close_comet(im::ConnectionId id, bool drop) {
  if (!comet_.contains(id)) return;
  if (comet_.live(id)) metrics_.comet_sessions.fetch_sub(1, std::memory_order_relaxed);
  answer_polls(drop ? comet_.drop(id) : comet_.close(id, now_ms()));
}

void ImServer::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  log_info("server.stopping", {{"sessions", websockets_.size()}, {"comet_sessions", comet_.size()}});
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  tick_timer_.cancel();
  const bool had_sessions = !websockets_.empty() || comet_.size() > 0;
  // Copy: closing may end sessions and change the map.
  std::vector<std::shared_ptr<WsSession>> sessions;
  for (auto& [id, weak] : websockets_)
    if (auto s = weak.lock()) sessions.push_back(s);
  for (auto& s : sessions) s->close(im::CloseReason::kShutdown);
  // Held polls are answered "[]"; the clients find the server gone on their next request.
  std::vector<PollAnswer> answers;
  for (auto& [poll, weak] : held_polls_) answers.push_back({poll, "[]"});
  answer_polls(answers);
  // A moment for the close frames to go out, then stop (idle keep-alive HTTP connections
  // would otherwise keep the loop running).
  shutdown_timer_.expires_after(had_sessions ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(0));
  shutdown_timer_.async_wait([this](boost::system::error_code) { ioc_.stop(); });
}

}  // namespace parley::server::http
