// One error model for the whole core (STYLE.md 4). Values are the RongCloud error codes
// where one exists, so they pass to the JS `ErrorCode` unchanged; Parley's own codes for
// local failures (bad bytes, bad JSON) live in the 47xxx block, which RongCloud's tables
// leave free (its 36xxx block is chatroom errors).
#pragma once

#include <string>
#include <utility>

namespace parley {

enum class ErrorCode : int {
  kOk = 0,
  kTimeout = -1,                 // no PUBACK/QUERYACK in time
  kNetUnavailable = 30002,       // RC_NET_UNAVAILABLE
  kNaviResourceError = 30007,    // RC_NAVI_RESOURCE_ERROR
  kSocketNotCreated = 30010,     // RC_SOCKET_NOT_CREATED
  kMessageContentTooLong = 30016,
  kTokenIncorrect = 31004,       // RC_CONN_USER_OR_PASSWD_ERROR
  kParameterError = 33003,       // PARAMETER_ERROR
  kNotSupport = 39002,

  // Parley-local: bytes or text that could not be decoded.
  kTruncated = 47001,            // input ended inside a field
  kTrailingBytes = 47002,        // bytes left after a complete frame
  kBadFrameType = 47003,         // header names a frame this direction never carries
  kBadString = 47004,            // a UTF string that is not (CESU-8 tolerant) UTF-8
  kOversized = 47005,            // frame or field larger than the configured maximum
  kBadProtobuf = 47006,          // payload is not valid for the topic's message type
  kBadJson = 47007,              // JSON form malformed or of the wrong shape
  kUnknownTopic = 47008,         // no payload type is known for the topic
  kBadFrame = 47009,             // structurally complete but inconsistent frame
};

struct Error {
  ErrorCode code = ErrorCode::kOk;
  std::string message;
};

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace parley
