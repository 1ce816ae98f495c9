// Embind glue: few, coarse, `_`-prefixed primitives (STYLE.md 5). Bytes cross as one
// copied Uint8Array, results as one JSON string the JS side parses. Nothing here throws:
// every failure is a JSON {"error":..., "code":...} value.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>

#include "codec/frame.h"
#include "codec/frame_json.h"

using emscripten::val;
using nlohmann::json;
namespace codec = parley::codec;

namespace {

std::string error_json(const parley::Error& e) {
  return json{{"error", e.message}, {"code", static_cast<int>(e.code)}}.dump();
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
  return out ? out.value().dump() : error_json(out.error());
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
  const std::string& b = bytes.value();
  // Copy into a fresh JS Uint8Array: never hand out a view into WASM memory.
  val view(emscripten::typed_memory_view(b.size(), reinterpret_cast<const uint8_t*>(b.data())));
  return val::global("Uint8Array").new_(view);
}

}  // namespace

EMSCRIPTEN_BINDINGS(parley) {
  emscripten::function("_decodeFrame", &decode_frame);
  emscripten::function("_encodeFrame", &encode_frame);
}
