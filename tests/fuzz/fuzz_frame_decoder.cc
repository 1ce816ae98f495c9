// libFuzzer target: the binary frame decoder, both directions, with payload decoding.
// Properties: never crashes or reads out of bounds (ASan/UBSan), and a frame that decodes
// re-encodes to bytes that decode to the same JSON form (encode is a fixed point).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codec/frame.h"
#include "codec/frame_json.h"

using namespace parley::codec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto f = decode_client_frame(bytes)) {
    auto j = frame_to_json(f.value());
    auto again = encode_client_frame(f.value());
    if (!again) std::abort();
    auto f2 = decode_client_frame(again.value());
    if (!f2) std::abort();
    auto j2 = frame_to_json(f2.value());
    if (j.ok() != j2.ok() || (j.ok() && j.value() != j2.value())) std::abort();
  }
  for (std::string_view ack : {"", "pullMsg", "qryRelationR", "pullSeAtts", "qryPMsg"}) {
    if (auto f = decode_server_frame(bytes)) {
      auto j = frame_to_json(f.value(), ack);
      auto again = encode_server_frame(f.value());
      if (!again) std::abort();
      auto f2 = decode_server_frame(again.value());
      if (!f2) std::abort();
      auto j2 = frame_to_json(f2.value(), ack);
      if (j.ok() != j2.ok() || (j.ok() && j.value() != j2.value())) std::abort();
    }
  }
  return 0;
}
