// Statuses the server answers with: PUBACK/QUERYACK `status` on the wire and `code` in the
// server API's JSON. RongCloud's numbers where one exists; the client-side ErrorCode list
// (src/common/error.h) supplies the protocol ones (unknown topic, bad payload, ...).
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"

namespace parley::server::status {

inline constexpr uint16_t kOk = 0;

// Server API (`code` in the JSON body), RongCloud's table.
inline constexpr int kApiOk = 200;
inline constexpr int kApiInternalError = 1000;   // HTTP 500
inline constexpr int kApiBadParameter = 1002;    // HTTP 400
inline constexpr int kApiBadSignature = 1004;    // HTTP 401: signature, timestamp, nonce, app key
inline constexpr int kApiParameterTooLong = 1005;
inline constexpr int kApiTooManyRequests = 1008;  // HTTP 429

// Wire status for a request the server could not carry out (storage failure). RongCloud's
// "internal server error" number; the client passes it through as the API error code.
inline constexpr uint16_t kServerError = 1000;

// PUBACK/QUERYACK statuses, RongCloud's numbers (the official client passes them through
// as the API's error code, Appendix C).
inline constexpr uint16_t kRejectedByBlacklist = 405;   // the target blacklisted the sender
inline constexpr uint16_t kSendTooFast = 20604;         // SEND_FREQUENCY_TOO_FAST
inline constexpr uint16_t kNotInGroup = 22406;          // NOT_IN_GROUP
inline constexpr uint16_t kNotInChatroom = 23406;       // NOT_IN_CHATROOM
inline constexpr uint16_t kRecallFailed = 25101;        // RECALL_MESSAGE: not the sender, too late, unknown

// DISCONNECT status byte (§6.4).
inline constexpr uint8_t kDisconnectOtherLogin = 1;  // the client shows KICKED_OFFLINE_BY_OTHER_CLIENT (6)
inline constexpr uint8_t kDisconnectBlocked = 2;     // BLOCKED (9)
inline constexpr uint8_t kDisconnectByServer = 3;    // DISCONNECT_BY_SERVER (13)

// CONNACK status byte (PROTOCOL.md §2.4).
inline constexpr uint8_t kConnAccepted = 0;
inline constexpr uint8_t kConnIdentifierRejected = 2;  // unknown appId
inline constexpr uint8_t kConnServerUnavailable = 3;
inline constexpr uint8_t kConnTokenIncorrect = 4;      // token unreadable, forged, other app
inline constexpr uint8_t kConnUserBlocked = 9;         // BLOCK: /user/block.json
inline constexpr uint8_t kConnTokenExpired = 10;

// The wire status for an ErrorCode (all fit in the u16 status field).
inline uint16_t from_error(ErrorCode code) { return static_cast<uint16_t>(static_cast<int>(code)); }

}  // namespace parley::server::status

namespace parley::server {

// A failure of the server itself (storage), carried in Result like any other error.
// ErrorCode has no server-failure value, so the wire status is cast in; see status::kServerError.
inline Error server_error(std::string message) {
  return Error{static_cast<ErrorCode>(status::kServerError), std::move(message)};
}

}  // namespace parley::server
