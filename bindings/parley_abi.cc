// The WASM boundary: a few coarse C functions, bytes and JSON text across, nothing per
// field (STYLE.md 5). This replaces Embind: Embind's JS runtime alone was 10 KB gzipped
// (a fifth of the SDK's size budget) and Debian's emscripten has no Closure to shrink it;
// these exports need a 1 KB loader (web/src/core_abi.js).
//
// Protocol, for the loader: JS asks for the input buffer (parley_in), writes the input
// there, makes one call; the call leaves its results in numbered output slots, which JS
// reads (parley_out_ptr/len) and copies before the next call. Slot 0 is the call's JSON
// answer; for client calls, slots 1..n are the payloads the "send" actions name by
// index (1-based here, 0-based in the JSON, as the bytes array JS builds). Nothing here
// throws or aborts on bad input: failures are JSON {"error":..., "code":...} values.
#include <emscripten/emscripten.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "session/session.h"
#ifdef PARLEY_ABI_CODEC
#include "codec/frame.h"
#include "codec/frame_json.h"
#endif

using json = parley::Json;
namespace session = parley::session;

namespace {

std::string g_in;                 // the input buffer JS writes into
std::vector<std::string> g_out;   // output slots of the last call

session::SessionConfig make_config(const std::string& text) {
  session::SessionConfig c;
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

// Slot 0: the actions as one JSON array; slots 1..n: the payloads of "send" actions.
uint32_t put_actions(const session::Actions& actions) {
  std::vector<std::string> payloads;
  std::string list = "[";
  for (const auto& a : actions) {
    if (list.size() > 1) list.push_back(',');
    session::append_action_text(list, a, &payloads);
  }
  list.push_back(']');
  g_out.clear();
  g_out.push_back(std::move(list));
  for (auto& p : payloads) g_out.push_back(std::move(p));
  return static_cast<uint32_t>(g_out.size());
}

// What a client call feeds the session; the numbers are the loader's.
enum Op : uint32_t { kCommand = 0, kRestore, kOpen, kBytes, kComet, kClosed, kTimer };

}  // namespace

extern "C" {

// The input buffer, at least `size` bytes; valid until the next parley_in call.
EMSCRIPTEN_KEEPALIVE char* parley_in(uint32_t size) {
  if (g_in.size() < size) g_in.resize(size);
  return g_in.data();
}

EMSCRIPTEN_KEEPALIVE const char* parley_out_ptr(uint32_t slot) {
  return slot < g_out.size() ? g_out[slot].data() : nullptr;
}
EMSCRIPTEN_KEEPALIVE uint32_t parley_out_len(uint32_t slot) {
  return slot < g_out.size() ? static_cast<uint32_t>(g_out[slot].size()) : 0;
}

// A new session from the JSON config in the input buffer [0, len).
EMSCRIPTEN_KEEPALIVE session::Session* parley_client_new(uint32_t len, double seed) {
  return new session::Session(make_config(g_in.substr(0, len)), static_cast<uint64_t>(seed));
}

EMSCRIPTEN_KEEPALIVE void parley_client_free(session::Session* s) { delete s; }

// One input (Op) with the input buffer [0, len) as its text or bytes; answers the
// number of output slots (the actions in slot 0).
EMSCRIPTEN_KEEPALIVE uint32_t parley_client_call(session::Session* s, uint32_t op, double now,
                                                 uint32_t conn, uint32_t len) {
  const auto t = static_cast<int64_t>(now);
  const std::string_view data(g_in.data(), len);  // the input buffer itself: no copy
  switch (op) {
    case kCommand: {
      json cmd = json::parse(data, nullptr, false);
      if (cmd.is_discarded()) cmd = json::object();  // the session answers "command without cmd"
      return put_actions(s->command(t, cmd));
    }
    case kRestore: return put_actions(s->restore(json::parse(data, nullptr, false)));
    case kOpen: return put_actions(s->on_transport_open(t, conn));
    case kBytes: return put_actions(s->on_bytes(t, conn, data));
    case kComet: return put_actions(s->on_comet(t, conn, data));
    case kClosed: return put_actions(s->on_transport_closed(t, conn));
    case kTimer: return put_actions(s->on_timer(t));
    default: return put_actions({});
  }
}

EMSCRIPTEN_KEEPALIVE double parley_client_deadline(session::Session* s) {
  return static_cast<double>(s->next_deadline());
}

#ifdef PARLEY_ABI_CODEC
static std::string error_json(const parley::Error& e) {
  return parley::to_text(json{{"error", e.message}, {"code", static_cast<int>(e.code)}});
}

// The frame codec, for tools and tests (not in the shipped wasm): `from` 0 = client,
// 1 = server. Decode: input [0, len) is the frame, [len, len + ack_len) the topic of the
// request a server ack answers; slot 0 gets the frame's JSON form or an error.
EMSCRIPTEN_KEEPALIVE void parley_decode_frame(uint32_t from, uint32_t len, uint32_t ack_len) {
  namespace codec = parley::codec;
  const std::string bytes = g_in.substr(0, len);
  const std::string ack_topic = g_in.substr(len, ack_len);
  parley::Result<json> out = parley::make_error(parley::ErrorCode::kBadJson, "bad direction");
  if (from == 0) {
    auto f = codec::decode_client_frame(bytes);
    out = f ? codec::frame_to_json(f.value()) : parley::Result<json>(f.error());
  } else if (from == 1) {
    auto f = codec::decode_server_frame(bytes);
    out = f ? codec::frame_to_json(f.value(), ack_topic) : parley::Result<json>(f.error());
  }
  g_out.assign(1, out ? parley::to_text(out.value()) : error_json(out.error()));
}

// Encode: input [0, len) is the frame's JSON form; slot 0 gets the bytes (answer 1) or a
// JSON error (answer 0).
EMSCRIPTEN_KEEPALIVE uint32_t parley_encode_frame(uint32_t from, uint32_t len) {
  namespace codec = parley::codec;
  json j = json::parse(g_in.substr(0, len), nullptr, false);
  parley::Result<std::string> bytes =
      parley::make_error(parley::ErrorCode::kBadJson, "bad direction");
  if (j.is_discarded()) {
    bytes = parley::make_error(parley::ErrorCode::kBadJson, "not valid JSON");
  } else if (from == 0) {
    auto f = codec::client_frame_from_json(j);
    bytes = f ? codec::encode_client_frame(f.value()) : parley::Result<std::string>(f.error());
  } else if (from == 1) {
    auto f = codec::server_frame_from_json(j);
    bytes = f ? codec::encode_server_frame(f.value()) : parley::Result<std::string>(f.error());
  }
  g_out.assign(1, bytes ? bytes.value() : error_json(bytes.error()));
  return bytes ? 1 : 0;
}
#endif

}  // extern "C"
