// Protocol payloads (the protobuf bodies of PUBLISH, QUERY and their answers) as JSON,
// through the schema codec (codec/pb_json.h): the core needs neither the protobuf runtime
// nor protoc's classes, which keeps both out of parley.wasm.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"

#include "common/result.h"

namespace parley::session {

// The wire bytes of message `type` ("UpStreamMessage") holding `body` (field names as in
// proto/rongcloud.proto), fields in number order as protobuf-lite writes them. "" when the
// body does not fit the schema, which only a bug here can cause.
// `type` is a schema message name, usually a literal (const char*: cheaper call sites).
std::string encode_payload(const char* type, const Json& body);

// Reads `bytes` as message `type`, accepting and rejecting exactly what protobuf-lite's
// ParseFromString did (ProtobufToJsonOptions::as_protobuf_lite): an error where it failed.
// Fields absent on the wire are absent from the object (read them with jget and the
// proto2 default).
Result<Json> decode_payload(const char* type, std::string_view bytes);

}  // namespace parley::session
