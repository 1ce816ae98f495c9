// Embind glue: few, coarse, `_`-prefixed primitives (STYLE.md 5). Bytes cross as one
// copied Uint8Array, results as one JSON string the JS side parses. Nothing here throws:
// every failure is a JSON {"error":..., "code":...} value.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>

#include "codec/frame.h"
#include "codec/frame_json.h"
#include "common/json_util.h"
#include "session/session.h"

using emscripten::val;
using json = parley::Json;
namespace codec = parley::codec;

namespace {

// Copies bytes into a fresh Uint8Array (never a view into WASM memory, which moves
// when memory grows).
val to_uint8array(const std::string& b) {
  val view(emscripten::typed_memory_view(b.size(), reinterpret_cast<const uint8_t*>(b.data())));
  return val::global("Uint8Array").new_(view);
}

std::string error_json(const parley::Error& e) {
  return parley::to_text(json{{"error", e.message}, {"code", static_cast<int>(e.code)}});
}

// _decodeFrame(from, bytes, ackTopic): `from` is "client" or "server"; `bytes` a Uint8Array
// (Embind copies it into the std::string once); returns the JSON
// form of the frame (frame_json.h) as a string.
std::string decode_frame(const std::string& from, const std::string& bytes,
                         const std::string& ack_topic) {
  parley::Result<json> out = parley::make_error(parley::ErrorCode::kBadJson, "bad direction");
  if (from == "client") {
    auto f = codec::decode_client_frame(bytes);
    out = f ? codec::frame_to_json(f.value()) : parley::Result<json>(f.error());
  } else if (from == "server") {
    auto f = codec::decode_server_frame(bytes);
    out = f ? codec::frame_to_json(f.value(), ack_topic) : parley::Result<json>(f.error());
  }
  return out ? parley::to_text(out.value()) : error_json(out.error());
}

// _encodeFrame(from, jsonText): the frame bytes, or a JSON error string.
val encode_frame(const std::string& from, const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return val(error_json({parley::ErrorCode::kBadJson, "not valid JSON"}));
  parley::Result<std::string> bytes =
      parley::make_error(parley::ErrorCode::kBadJson, "bad direction");
  if (from == "client") {
    auto f = codec::client_frame_from_json(j);
    bytes = f ? codec::encode_client_frame(f.value()) : parley::Result<std::string>(f.error());
  } else if (from == "server") {
    auto f = codec::server_frame_from_json(j);
    bytes = f ? codec::encode_server_frame(f.value()) : parley::Result<std::string>(f.error());
  }
  if (!bytes) return val(error_json(bytes.error()));
  return to_uint8array(bytes.value());
}

// The one object JS holds (and deletes): a Session. Every call returns one JS object
// {actions: "<JSON array>", bytes: [Uint8Array, ...]}; a "send" action names its
// payload by index into `bytes`. One crossing per input, not per field.
class Client {
 public:
  Client(const std::string& config_json, double seed)
      : session_(make_config(config_json), static_cast<uint64_t>(seed)) {}

  val command(double now, const std::string& text) {
    json cmd = json::parse(text, nullptr, false);
    if (cmd.is_discarded()) cmd = json::object();  // the session answers "command without cmd"
    return out(session_.command(ms(now), cmd));
  }
  val restore(const std::string& text) {
    std::map<std::string, std::string> kv;
    json j = json::parse(text, nullptr, false);
    if (j.is_object())
      for (auto it = j.begin(); it != j.end(); ++it)
        if (it->is_string()) kv[it.key()] = it->get<std::string>();
    return out(session_.restore(kv));
  }
  val onOpen(double now, unsigned conn) { return out(session_.on_transport_open(ms(now), conn)); }
  val onBytes(double now, unsigned conn, const std::string& bytes) {
    return out(session_.on_bytes(ms(now), conn, bytes));
  }
  val onComet(double now, unsigned conn, const std::string& body) {
    return out(session_.on_comet(ms(now), conn, body));
  }
  val onClosed(double now, unsigned conn) { return out(session_.on_transport_closed(ms(now), conn)); }
  val onTimer(double now) { return out(session_.on_timer(ms(now))); }
  double nextDeadline() const { return static_cast<double>(session_.next_deadline()); }

 private:
  static int64_t ms(double t) { return static_cast<int64_t>(t); }

  static parley::session::SessionConfig make_config(const std::string& text) {
    parley::session::SessionConfig c;
    json j = json::parse(text, nullptr, false);
    if (!j.is_object()) return c;
    c.app_key = parley::jget(j, "appKey", std::string());
    c.sdk_version = parley::jget(j, "sdkVersion", c.sdk_version);
    c.ping_interval_ms = parley::jget(j, "pingIntervalMs", c.ping_interval_ms);
    c.ping_timeout_ms = parley::jget(j, "pingTimeoutMs", c.ping_timeout_ms);
    c.request_timeout_ms = parley::jget(j, "requestTimeoutMs", c.request_timeout_ms);
    c.connack_timeout_ms = parley::jget(j, "connackTimeoutMs", c.connack_timeout_ms);
    c.pull_interval_ms = parley::jget(j, "pullIntervalMs", c.pull_interval_ms);
    c.backoff_base_ms = parley::jget(j, "backoffBaseMs", c.backoff_base_ms);
    c.backoff_cap_ms = parley::jget(j, "backoffCapMs", c.backoff_cap_ms);
    c.outbox_give_up_ms = parley::jget(j, "outboxGiveUpMs", c.outbox_give_up_ms);
    c.dedupe_capacity = parley::jget(j, "dedupeCapacity", c.dedupe_capacity);
    c.max_content_bytes = parley::jget(j, "maxContentBytes", c.max_content_bytes);
    return c;
  }

  val out(const parley::session::Actions& actions) {
    std::vector<std::string> payloads;
    json list = json::array();
    for (const auto& a : actions) list.push_back(parley::session::action_to_json(a, &payloads));
    val result = val::object();
    result.set("actions", parley::to_text(list));
    val bytes = val::array();
    for (size_t i = 0; i < payloads.size(); ++i) bytes.set(i, to_uint8array(payloads[i]));
    result.set("bytes", bytes);
    return result;
  }

  parley::session::Session session_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(parley) {
  emscripten::function("_decodeFrame", &decode_frame);
  emscripten::function("_encodeFrame", &encode_frame);
  emscripten::class_<Client>("_Client")
      .constructor<std::string, double>()
      .function("command", &Client::command)
      .function("restore", &Client::restore)
      .function("onOpen", &Client::onOpen)
      .function("onBytes", &Client::onBytes)
      .function("onComet", &Client::onComet)
      .function("onClosed", &Client::onClosed)
      .function("onTimer", &Client::onTimer)
      .function("nextDeadline", &Client::nextDeadline);
}
