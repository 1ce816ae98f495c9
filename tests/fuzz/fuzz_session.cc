// libFuzzer target: a Session restored from arbitrary storage, connected, then fed
// arbitrary bytes as server frames, as comet bodies and as app commands. Nothing may crash
// or throw (the WASM build has no exceptions: a throw there aborts the module). Storage is
// input too: another script's keys, a truncated write, an older version, a user's edit.
#include <cstdint>
#include <string>

#include "codec/frame.h"
#include "session/session.h"

using namespace parley;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  session::SessionConfig cfg;
  cfg.app_key = "k";
  session::Session s(cfg, 7);
  int64_t now = 1000;
  const auto json_input = parley::Json::parse(input, nullptr, false);
  if (json_input.is_object()) s.restore(json_input);  // read at the CONNACK below
  s.command(now, {{"cmd", "connect"}, {"id", 1}, {"token", "t"}, {"hosts", {"h"}}});
  codec::ConnAck ack;
  ack.has_identity = true;
  ack.user_id = "me";
  ack.timestamp_ms = 1000;
  s.on_bytes(now, 1, codec::encode_server_frame(ack).value());
  // Split the input into frames at 0xFF bytes, so one input can carry several.
  size_t start = 0;
  for (size_t i = 0; i <= input.size(); ++i) {
    if (i == input.size() || static_cast<uint8_t>(input[i]) == 0xFF) {
      s.on_bytes(now, 1, input.substr(start, i - start));
      start = i + 1;
    }
  }
  s.on_comet(now, 1, input);
  if (!json_input.is_discarded()) s.command(now, json_input);
  now += 60000;
  s.on_timer(now);
  return 0;
}
