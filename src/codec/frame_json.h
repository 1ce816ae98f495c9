// The JSON form of frames, as printed and read by tools/rmtp and used by the
// cross-checks with the official engine:
//   {"type":"PUBLISH","qos":1,"dup":false,"retain":false,"topic":"ppMsgP",
//    "targetId":"userB","messageId":1,"body":{...}}
// Frame fields carry their PROTOCOL.md names (messageId, topic, targetId, date, status,
// userId, sessionId, timestamp, millis, msgUId); `body` is the protobuf payload decoded by
// topic (pb_json.h), or `bodyHex` when no payload type is known. QUERYACK carries no topic,
// so its body is decoded only when the caller names the request topic (`ackTopic`).
#pragma once

#include <string_view>

#include "common/json.h"

#include "codec/frame.h"
#include "common/result.h"

namespace parley::codec {

Result<Json> frame_to_json(const ClientFrame& frame);
Result<Json> frame_to_json(const ServerFrame& frame, std::string_view ack_topic = {});

// The reverse. A QUERYACK `body` needs "ackTopic" in the object to pick its type.
// Missing or wrongly typed fields are errors (kBadJson), never defaults.
Result<ClientFrame> client_frame_from_json(const Json& json);
Result<ServerFrame> server_frame_from_json(const Json& json);

// Decodes `payload` as the message named `type` (nullptr: unknown) into `out` as
// "body" or "bodyHex". Shared with the comet form.
Status put_body(Json& out, const char* type, std::string_view payload);
// Reads "body" (as `type`) or "bodyHex" from `in` into `payload`; neither means empty.
Status take_body(const Json& in, const char* type, std::string& payload);

}  // namespace parley::codec
