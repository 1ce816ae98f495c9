// What the session asks its host to do (STYLE.md 1, 2). Every Session input returns a list
// of these; the host (JS in the browser, a test harness natively) carries them out in
// order. The core never calls back into the host.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/json.h"

#include "codec/comet.h"

namespace parley::session {

enum class TransportKind : uint8_t { kWebSocket = 0, kComet = 1 };

// Open a transport; later inputs name it by `conn`. WebSocket: `url` is the ws(s):// URL.
// Comet: `url` is the http(s):// connect URL; the host runs the long-poll loop itself
// (pullmsg.js with the sessionid of the connect answer) and feeds every response body.
struct OpenTransport {
  uint32_t conn = 0;
  TransportKind kind = TransportKind::kWebSocket;
  std::string host;
  std::string url;
};
struct CloseTransport {
  uint32_t conn = 0;
};
// One binary WebSocket message (= one frame).
struct SendBytes {
  uint32_t conn = 0;
  std::string bytes;
};
// One comet POST (/websocket?messageid&header&topic&targetid + the host's sessionid, pid).
struct SendComet {
  uint32_t conn = 0;
  codec::CometRequest request;
};
// An event for the app: "status", "result", "message", "recall", "typing",
// "readReceipt", "conversation", "outbox", "log". `data` is the event's JSON.
struct EmitEvent {
  std::string type;
  Json data;
};
// Store (or with erase, remove) a key; keys start with "parley/<appKey>/<userId>/".
struct PersistValue {
  std::string key;
  std::string value;
  bool erase = false;
};
// Call on_timer() at this time (ms, the host's clock); -1: no timer needed.
struct SetTimer {
  int64_t deadline_ms = -1;
};

using Action =
    std::variant<OpenTransport, CloseTransport, SendBytes, SendComet, EmitEvent, PersistValue, SetTimer>;
using Actions = std::vector<Action>;

// The JSON form of actions, for the WASM boundary and logs: {"do":"open",...}. Bytes travel
// separately (see bindings): a SendBytes becomes {"do":"send","conn":n,"bytes":<index>},
// the index into byte_payloads, where its bytes are appended (no "bytes" without it).
// append_action_text writes the text (keys in byte order, as Json::dump), action_to_json
// gives it as a value (for tests and logs).
void append_action_text(std::string& out, const Action& action, std::vector<std::string>* byte_payloads);
Json action_to_json(const Action& action, std::vector<std::string>* byte_payloads);

}  // namespace parley::session
