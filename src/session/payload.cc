#include "session/payload.h"

#include "codec/pb_json.h"
#include "codec/schema.h"

namespace parley::session {

std::string encode_payload(const char* type, const Json& body) {
  const codec::schema::MessageDesc* desc = codec::schema::find_message(type);
  if (!desc) return std::string();
  auto bytes = codec::json_to_protobuf(*desc, body);
  return bytes ? std::move(bytes).value() : std::string();
}

Result<Json> decode_payload(const char* type, std::string_view bytes) {
  const codec::schema::MessageDesc* desc = codec::schema::find_message(type);
  if (!desc)
    return make_error(ErrorCode::kBadProtobuf,
                      "no message " + std::string(type) + " in the schema");
  return codec::protobuf_to_json_lite(*desc, bytes);
}

}  // namespace parley::session
