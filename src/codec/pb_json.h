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

struct ProtobufToJsonOptions {
  // Accept, reject and decode exactly as protobuf-lite 3.21's ParseFromString does with
  // protoc's classes (the session read payloads that way, so it must keep doing so; the
  // differential test in tests/codec holds the two together):
  // - a known field with the wrong wire type is an unknown field, skipped; unknown groups
  //   are skipped too; wire types 6 and 7, field number 0 and a stray end-group fail;
  // - a singular field seen twice: the last scalar wins, messages are merged; repeated
  //   scalars may come packed or not;
  // - an enum value the enum does not declare (low 32 bits) leaves the field unset;
  // - strings and bytes are kept as they are (no UTF-8 check, no {"$hex"});
  // - varints of up to 10 bytes (extra bits dropped), keys and lengths of up to 5 bytes;
  //   nesting (messages and groups) up to 100 deep;
  // - required fields are checked once the whole message is read, in every nested message.
  bool as_protobuf_lite = false;
  // Every repeated field the bytes do not hold is given as [], in nested messages too: the
  // comet form of a server payload, which the official client reads as its binary decoder
  // yields it, [] for an absent list (e.g. `list.forEach` of an empty pullMsg answer,
  // without a check). The strict decoder only: ignored with as_protobuf_lite.
  bool empty_repeated_as_arrays = false;
};

// Decodes `bytes` as message `desc`. Unknown field numbers are skipped (as protobuf
// does); a wrong wire type, a truncated field, nesting deeper than 32 or a missing
// required field is an error (kBadProtobuf). See the options for protobuf-lite's rules.
Result<Json> protobuf_to_json(const schema::MessageDesc& desc, std::string_view bytes,
                            const ProtobufToJsonOptions& options = {});

// The protobuf-lite rules alone (ProtobufToJsonOptions::as_protobuf_lite), without the
// strict decoder: what the client calls, so that the WASM carries one decoder (1.3 KB
// gzipped less). With `request_form`, the comet form of a request (encode_comet_request),
// which must say what the binary form says: an enum value the enum does not declare is
// kept as its number, and `bytes` that are not UTF-8 become {"$hex"} as in the strict form.
Result<Json> protobuf_to_json_lite(const schema::MessageDesc& desc, std::string_view bytes,
                                   bool request_form = false);

struct JsonToProtobufOptions {
  // Peers (the official comet client) may add keys we do not model; tools want to hear
  // about typos. Default: strict.
  bool ignore_unknown_fields = false;
  // A value that is not an array, given for a repeated field, is a one-element list, as
  // ProtoBuf.js (the official client's encoder) takes it: its comet client sends rrList
  // {"msgId":"<uid>"}. Default: an error.
  bool single_value_as_list = false;
};

// Encodes `json` as message `desc`, fields in number order (as protobuf-lite and the
// official ProtoBuf.js do). Unknown keys (unless ignored), wrong JSON types, out-of-range
// numbers and missing required fields are errors (kBadJson).
Result<std::string> json_to_protobuf(const schema::MessageDesc& desc, const Json& json,
                                     const JsonToProtobufOptions& options = {});

}  // namespace parley::codec
