// libFuzzer target: the comet JSON decoders (PROTOCOL.md §5). The input is used as a poll
// response body (JSON array of frame objects) and as a POST body for several topics.
#include <cstdint>
#include <string>

#include "codec/comet.h"

using namespace parley::codec;
using json = parley::Json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!body.is_discarded()) {
    const json items = body.is_array() ? body : json::array({body});
    for (const auto& item : items) {
      for (const char* ack : {"", "pullMsg", "qryRelationR", "joinChrm"}) {
        if (auto f = decode_comet_response(item, ack)) {
          (void)encode_comet_response(f.value(), ack);
        }
      }
    }
  }
  for (const char* topic : {"ppMsgP", "pullMsg", "setSeAtt", "delMsg", "nope"}) {
    for (uint8_t header : {uint8_t{0x32}, uint8_t{0x50}, uint8_t{0x40}, uint8_t{0xe0}}) {
      CometRequest req{header, 7, true, topic, "userB", text};
      if (auto f = decode_comet_request(req)) (void)encode_comet_request(f.value());
    }
  }
  return 0;
}
