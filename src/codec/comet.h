// The comet (XHR long polling) form of frames, PROTOCOL.md §5. No binary and no protobuf:
//  - client -> server: POST /websocket?messageid=&header=&topic=&targetid=... with the
//    payload as JSON text (field names of the schema) in the body;
//  - server -> client: JSON objects {"headerCode":<header byte>,"messageId":n,...} in the
//    poll/POST response arrays, with protobuf payloads as a JSON *string* in "data";
//  - the connect answer {"status":0,"userId":..,"sessionid":..,"timestamp":ms} plays the
//    part of CONNACK.
// JSON text produced here is compact and canonical (sorted keys, as parley::Json dumps it):
// the official client requires JSON.stringify(JSON.parse(body)) === body.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"

#include "codec/frame.h"
#include "common/result.h"

namespace parley::codec {

// A client frame as carried by a comet POST: the query parameters that describe the frame
// (transport parameters such as sessionid and pid belong to the host) and the body text.
struct CometRequest {
  uint8_t header = 0;       // "header" parameter: the binary header byte, e.g. 50 (PUBLISH)
  uint16_t message_id = 0;  // "messageid"
  bool has_topic = false;   // PUBLISH/QUERY carry "topic" and "targetid"
  std::string topic;
  std::string target_id;
  std::string body;         // JSON text of the payload ("" when none)
};

Result<CometRequest> encode_comet_request(const ClientFrame& frame);
// The body is read as ProtoBuf.js (the official client's encoder) reads its input: unknown
// keys are ignored (the client may add some), and one value given for a repeated field is a
// one-element list (its rrList body is {"msgId":"<uid>"}). Wrong types, missing required
// fields and unknown topics are errors.
Result<ClientFrame> decode_comet_request(const CometRequest& request);

// A server frame as one comet JSON object. QUERYACK needs the request topic to render
// its payload; without a known type "data" is left out (the client then sees no payload).
// In "data" every repeated field the payload lacks is [], in nested messages too: the
// official client's comet path reads them as its binary decoder yields them, unchecked.
Result<Json> encode_comet_response(const ServerFrame& frame,
                                             std::string_view ack_topic = {});
Result<ServerFrame> decode_comet_response(const Json& object,
                                          std::string_view ack_topic = {});

}  // namespace parley::codec
