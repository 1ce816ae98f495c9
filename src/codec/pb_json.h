// Protobuf wire format <-> JSON, driven by the generated schema table (schema.h).
//
// JSON form (the comet transport's, PROTOCOL.md §5, and tools/rmtp's): field names as in
// WIRE-SCHEMA.md; only fields present on the wire; int64 as JSON numbers; enums as
// numbers; `bytes` as a string when they are valid UTF-8 (message content is JSON text),
// otherwise as {"$hex": "..."}; repeated fields as arrays; nested messages as objects.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"

#include "codec/schema.h"
#include "common/result.h"

namespace parley::codec {

// Decodes `bytes` as message `desc`. Unknown field numbers are skipped (as protobuf
// does); a wrong wire type, a truncated field, nesting deeper than 32 or a missing
// required field is an error (kBadProtobuf).
Result<Json> protobuf_to_json(const schema::MessageDesc& desc, std::string_view bytes);

struct JsonToProtobufOptions {
  // Peers (the official comet client) may add keys we do not model; tools want to hear
  // about typos. Default: strict.
  bool ignore_unknown_fields = false;
};

// Encodes `json` as message `desc`, fields in number order (as protobuf-lite and the
// official ProtoBuf.js do). Unknown keys (unless ignored), wrong JSON types, out-of-range
// numbers and missing required fields are errors (kBadJson).
Result<std::string> json_to_protobuf(const schema::MessageDesc& desc, const Json& json,
                                     const JsonToProtobufOptions& options = {});

}  // namespace parley::codec
