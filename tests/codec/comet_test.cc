// The comet (XHR long polling) form, PROTOCOL.md §5: client frames as POST parameters
// plus a JSON body, server frames as JSON objects with protobuf payloads as JSON strings.
// Checked against the official examples, for canonical output (the client insists on
// JSON.stringify(JSON.parse(body)) === body for the connect answer), for reversibility,
// and for bad input.
#include <gtest/gtest.h>

#include <functional>
#include <string>


#include "codec/comet.h"
#include "codec/frame.h"
#include "codec/hex.h"
#include "codec/pb_json.h"
#include "codec/schema.h"
#include "codec/topics.h"

namespace parley::codec::testing {

// Defined in golden_test.cc: visits every block of tests/fixtures/golden_frames.txt.
void for_each_golden_frame(
    const std::function<void(const std::string& title, bool from_client,
                             const std::string& ack_topic, const std::string& bytes)>& visit);

namespace {

using json = parley::Json;

// Official frames (PROTOCOL.md §3.3/§3.4, shared/protocol/hex_*_frames.txt).
constexpr const char* kPublishHi =
    "32 0006 70704d736750 0005 7573657242 0001 "
    "0803 120952433a5478744d7367 1a107b22636f6e74656e74223a226869227d 4800";
constexpr const char* kQueryPullMsg = "50 0007 70756c6c4d7367 0005 7573657241 0002 08001000 20013000";
constexpr const char* kPubAck = "40 0005 6553f100 0000 007b 0013 4246554a2d3847484d2d47384f342d33543841";
constexpr const char* kQueryAckPullMsg = "62 0003 6553f100 0000 10001801";
constexpr const char* kPublishNtf = "32 6553f100 0005 735f6e7466 0005 7573657242 0001 0801 10fbd095ffbc31";
constexpr const char* kDisconnect = "e0 00 01";
constexpr const char* kConnAck = "20 00 00 0005 7573657241 0002 7331 0000018bcfe5687b";

std::string bytes(const std::string& hex) {
  std::string out;
  EXPECT_TRUE(from_hex(hex, out)) << hex;
  return out;
}

ClientFrame client_frame(const char* hex) {
  auto f = decode_client_frame(bytes(hex));
  EXPECT_TRUE(f.ok()) << hex;
  return f.ok() ? f.value() : ClientFrame{PingReq{}};
}

ServerFrame server_frame(const char* hex) {
  auto f = decode_server_frame(bytes(hex));
  EXPECT_TRUE(f.ok()) << hex;
  return f.ok() ? f.value() : ServerFrame{PingResp{}};
}

template <class T>
::testing::AssertionResult FailsWith(const Result<T>& r, ErrorCode want) {
  if (r.ok()) return ::testing::AssertionFailure() << "unexpectedly ok";
  if (r.error().code != want)
    return ::testing::AssertionFailure() << "error " << static_cast<int>(r.error().code) << ": "
                                         << r.error().message << ", want " << static_cast<int>(want);
  return ::testing::AssertionSuccess();
}

// `text` is compact canonical JSON: parsing and dumping it again gives it back.
void expect_canonical(const std::string& text) {
  const json parsed = json::parse(text, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << text;
  EXPECT_EQ(parsed.dump(), text);
}

// encode_comet_response, which must succeed.
json response(const ServerFrame& frame, std::string_view ack_topic = {}) {
  auto out = encode_comet_response(frame, ack_topic);
  EXPECT_TRUE(out.ok()) << out.error().message;
  return out.ok() ? out.value() : json();
}

// Parses a comet object's "data" string (a protobuf payload as JSON text).
json data_of(const json& object) {
  EXPECT_TRUE(object.contains("data") && object["data"].is_string()) << object.dump();
  return json::parse(object.value("data", "null"), nullptr, false);
}

// ---- client -> server: POST /websocket?messageid=&header=&topic=&targetid= + body ------

// PROTOCOL.md §5: PUBLISH header=50, body {"sessionId":3,"configFlag":0,"classname":..}.
constexpr const char* kOfficialPublishBody =
    R"({"sessionId":3,"configFlag":0,"classname":"RC:TxtMsg","content":"{\"content\":\"hi\"}"})";
constexpr const char* kOfficialQueryBody =
    R"({"ispolling":false,"isPullSend":true,"sendBoxSyncTime":0,"syncTime":0})";

TEST(CometRequest, EncodesTheOfficialPublishExample) {
  auto req = encode_comet_request(client_frame(kPublishHi));
  ASSERT_TRUE(req.ok()) << req.error().message;
  EXPECT_EQ(req.value().header, 50);
  EXPECT_EQ(req.value().message_id, 1);
  EXPECT_TRUE(req.value().has_topic);
  EXPECT_EQ(req.value().topic, "ppMsgP");
  EXPECT_EQ(req.value().target_id, "userB");
  EXPECT_EQ(json::parse(req.value().body), json::parse(kOfficialPublishBody));
  expect_canonical(req.value().body);  // ours has sorted keys
}

TEST(CometRequest, EncodesTheOfficialQueryExample) {
  auto req = encode_comet_request(client_frame(kQueryPullMsg));
  ASSERT_TRUE(req.ok()) << req.error().message;
  EXPECT_EQ(req.value().header, 80);
  EXPECT_EQ(req.value().message_id, 2);
  EXPECT_EQ(req.value().topic, "pullMsg");
  EXPECT_EQ(req.value().target_id, "userA");
  EXPECT_EQ(json::parse(req.value().body), json::parse(kOfficialQueryBody));
  expect_canonical(req.value().body);  // byte order: "isPullSend" before "ispolling"
}

TEST(CometRequest, FramesWithoutTopicHaveNoBody) {
  for (const char* hex : {"40 0007", "70 0007", "c0"}) {
    auto req = encode_comet_request(client_frame(hex));
    ASSERT_TRUE(req.ok()) << hex;
    EXPECT_EQ(req.value().header, static_cast<uint8_t>(bytes(hex)[0]));
    EXPECT_FALSE(req.value().has_topic);
    EXPECT_EQ(req.value().body, "");
    auto back = decode_comet_request(req.value());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(to_hex(encode_client_frame(back.value()).value()), to_hex(bytes(hex)));
  }
}

// The client reads a request's payload with the lite decoder (comet.cc): its JSON is the
// strict decoder's for binary content ({"$hex"}) and for an enum value the schema does not
// declare (kept as its number), and the body gives back the same bytes.
TEST(CometRequest, RequestFormMatchesTheStrictDecoder) {
  const std::string binary_content = std::string("\xff\x00\xfe", 3);
  const json up = json()
                      .set("sessionId", 1)
                      .set("classname", "RC:TxtMsg")
                      .set("content", json().set("$hex", to_hex(binary_content)));
  const json read = json().set("type", 12).set("msgTime", 5).set("channelId", "b");
  const struct {
    std::string_view topic;
    const char* type;
    json body;
  } cases[] = {{topics::kPrivateMessage, "UpStreamMessage", up},
               {topics::kMarkRead, "SessionMsgReadInput", read}};
  for (const auto& c : cases) {
    const auto* desc = schema::find_message(c.type);
    ASSERT_NE(desc, nullptr);
    auto payload = json_to_protobuf(*desc, c.body);
    ASSERT_TRUE(payload.ok()) << payload.error().message;
    auto strict = protobuf_to_json(*desc, payload.value());
    ASSERT_TRUE(strict.ok());
    EXPECT_EQ(strict.value(), c.body);
    ClientQuery q;
    q.topic = std::string(c.topic);
    q.target_id = "b";
    q.message_id = 3;
    q.payload = payload.value();
    auto req = encode_comet_request(ClientFrame{q});
    ASSERT_TRUE(req.ok()) << req.error().message;
    EXPECT_EQ(json::parse(req.value().body), strict.value()) << c.type;
    auto back = decode_comet_request(req.value());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(to_hex(std::get<ClientQuery>(back.value()).payload), to_hex(payload.value()));
  }
  // Without the request form, protobuf-lite's rules: the undeclared enum leaves the
  // required field unset, so the message does not parse.
  const auto* read_desc = schema::find_message("SessionMsgReadInput");
  EXPECT_FALSE(protobuf_to_json_lite(*read_desc, json_to_protobuf(*read_desc, read).value()).ok());
}

// The official client's body text (keys in its own order) gives the same protobuf as the
// binary frame, byte for byte.
TEST(CometRequest, DecodesTheOfficialBodiesToTheBinaryFrames) {
  CometRequest publish{50, 1, true, "ppMsgP", "userB", kOfficialPublishBody};
  auto frame = decode_comet_request(publish);
  ASSERT_TRUE(frame.ok()) << frame.error().message;
  EXPECT_EQ(to_hex(std::get<ClientPublish>(frame.value()).payload),
            "0803120952433a5478744d73671a107b22636f6e74656e74223a226869227d4800");
  EXPECT_EQ(to_hex(encode_client_frame(frame.value()).value()), to_hex(bytes(kPublishHi)));

  CometRequest query{80, 2, true, "pullMsg", "userA", kOfficialQueryBody};
  auto q = decode_comet_request(query);
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(to_hex(encode_client_frame(q.value()).value()), to_hex(bytes(kQueryPullMsg)));
}

TEST(CometRequest, ToleratesKeysTheOfficialClientMayAdd) {
  CometRequest publish{50, 1, true, "ppMsgP", "userB",
                       R"({"sessionId":3,"classname":"RC:TxtMsg","content":"x","extra":true})"};
  EXPECT_TRUE(decode_comet_request(publish).ok());
}

// ProtoBuf.js, which the official client encodes with, takes one value (not an array)
// given for a repeated field as a one-element list, and the client relies on it:
// getMessageReader sends rrList {"msgId":"<uid>"}. Nested messages are read the same way.
TEST(CometRequest, SingleValueForARepeatedFieldIsAOneElementList) {
  auto payload_of = [](const char* topic, const char* body) {
    auto frame = decode_comet_request({80, 4, true, topic, "group1", body});
    EXPECT_TRUE(frame.ok()) << body << ": " << (frame.ok() ? "" : frame.error().message);
    return frame.ok() ? to_hex(std::get<ClientQuery>(frame.value()).payload) : std::string("?");
  };
  EXPECT_EQ(payload_of("rrList", R"({"msgId":"x"})"), payload_of("rrList", R"({"msgId":["x"]})"));
  EXPECT_EQ(payload_of("rrList", R"({"msgId":"x"})"), "0a0178");
  // SessionStateModifyReq.state[].stateItem: an object for each list
  EXPECT_EQ(payload_of("setSeAtt", R"({"version":1,"state":{"type":1,"channelId":"b",
                                        "stateItem":{"sessionStateType":1,"value":"1"}}})"),
            payload_of("setSeAtt", R"({"version":1,"state":[{"type":1,"channelId":"b",
                                        "stateItem":[{"sessionStateType":1,"value":"1"}]}]})"));
  // null is still an absent field; a scalar of the wrong type is still refused
  EXPECT_EQ(payload_of("rrList", R"({"msgId":null})"), "");
  EXPECT_TRUE(FailsWith(decode_comet_request({80, 4, true, "rrList", "group1", R"({"msgId":5})"}),
                        ErrorCode::kBadJson));
}

TEST(CometRequest, RejectsBadRequests) {
  EXPECT_TRUE(FailsWith(decode_comet_request({50, 1, true, "ppMsgP", "userB", "{not json"}),
                        ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(decode_comet_request({50, 1, true, "ppMsgP", "userB", "[1,2]"}),
                        ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(decode_comet_request({50, 1, true, "ppMsgP", "userB", "{}"}),
                        ErrorCode::kBadJson));  // required fields missing
  EXPECT_TRUE(FailsWith(decode_comet_request({50, 1, true, "noSuchTopic", "userB", "{}"}),
                        ErrorCode::kUnknownTopic));
  EXPECT_TRUE(FailsWith(decode_comet_request({50, 1, false, "", "", ""}), ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(decode_comet_request({16, 1, false, "", "", ""}), ErrorCode::kBadFrameType));
  EXPECT_TRUE(FailsWith(decode_comet_request({98, 1, false, "", "", ""}), ErrorCode::kBadFrameType));
  // A payload we cannot express as JSON cannot go over comet.
  ClientPublish rtc;
  rtc.topic = "rtcUDel";
  rtc.payload = bytes("0a036b6579");
  EXPECT_TRUE(FailsWith(encode_comet_request(ClientFrame{rtc}), ErrorCode::kUnknownTopic));
}

// 100k nested arrays in a body: refused (parley::Json takes at most Json::kMaxDepth
// levels), never a stack overflow; nesting within the limit under an unknown key is ignored.
TEST(CometRequest, JsonNestingBombDoesNotCrash) {
  const std::string bomb = std::string(100000, '[') + std::string(100000, ']');
  CometRequest deep{50, 1, true, "ppMsgP", "userB",
                    R"({"sessionId":3,"classname":"c","content":"x","deep":)" + bomb + "}"};
  EXPECT_TRUE(FailsWith(decode_comet_request(deep), ErrorCode::kBadJson));
  const std::string nested = std::string(200, '[') + std::string(200, ']');
  CometRequest ignored{50, 1, true, "ppMsgP", "userB",
                       R"({"sessionId":3,"classname":"c","content":"x","deep":)" + nested + "}"};
  EXPECT_TRUE(decode_comet_request(ignored).ok());
  CometRequest refused{50, 1, true, "ppMsgP", "userB",
                       R"({"sessionId":3,"classname":"c","content":)" + bomb + "}"};
  EXPECT_TRUE(FailsWith(decode_comet_request(refused), ErrorCode::kBadJson));
}

// ---- server -> client: JSON objects ---------------------------------------------------

TEST(CometResponse, PubAckMatchesProtocolMd) {
  const json out = response(server_frame(kPubAck));
  EXPECT_EQ(out, json::parse(R"({"headerCode":64,"messageId":5,"status":0,
                                 "timestamp":1700000000123,"messageUId":"BFUJ-8GHM-G8O4-3T8A"})"));
  expect_canonical(out.dump());
}

TEST(CometResponse, QueryAckCarriesThePayloadAsAJsonString) {
  const json out = response(server_frame(kQueryAckPullMsg), topics::kPullMessages);
  EXPECT_EQ(out.value("headerCode", 0), 98);
  EXPECT_EQ(out.value("messageId", 0), 3);
  EXPECT_EQ(out.value("status", -1), 0);
  EXPECT_EQ(data_of(out), json::parse(R"({"list":[],"syncTime":0,"finished":true})"));
  EXPECT_EQ(out.size(), 4u) << out.dump();  // headerCode, messageId, status, data
  expect_canonical(out.dump());
  expect_canonical(out["data"].get<std::string>());
  // Without the request topic the payload cannot be rendered and is left out.
  EXPECT_EQ(response(server_frame(kQueryAckPullMsg)),
            json::parse(R"({"headerCode":98,"messageId":3,"status":0})"));
}

// The official client's binary decoder yields [] for a repeated field the payload does not
// hold, and its comet path reads the JSON form without a check (`list.forEach` of an empty
// pullMsg answer): every missing repeated field is there as [], in nested messages too.
TEST(CometResponse, MissingRepeatedFieldsAreEmptyArrays) {
  const json empty_pull = response(server_frame(kQueryAckPullMsg), topics::kPullMessages);
  EXPECT_NE(empty_pull.value("data", "").find(R"("list":[])"), std::string::npos)
      << empty_pull.dump();

  // SessionStates.state[].stateItem[].tags: the first state has no items, the second one
  // an item without tags.
  const auto* states = schema::find_message("SessionStates");
  ASSERT_NE(states, nullptr);
  auto payload = json_to_protobuf(*states, json::parse(R"({"version":7,"state":[
      {"type":1,"channelId":"a"},
      {"type":3,"channelId":"g","stateItem":[{"sessionStateType":1,"value":"1"}]}]})"));
  ASSERT_TRUE(payload.ok()) << payload.error().message;
  QueryAck ack;
  ack.message_id = 9;
  ack.payload = payload.value();
  const json out = response(ServerFrame{ack}, topics::kPullSessionStates);
  EXPECT_EQ(data_of(out).dump(), json::parse(R"({"version":7,"state":[
      {"type":1,"channelId":"a","stateItem":[]},
      {"type":3,"channelId":"g","stateItem":[{"sessionStateType":1,"value":"1","tags":[]}]}
    ]})").dump());
  expect_canonical(out["data"].get<std::string>());
  // and back to the same bytes
  auto back = decode_comet_response(out, topics::kPullSessionStates);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(to_hex(std::get<QueryAck>(back.value()).payload), to_hex(payload.value()));

  // A server PUBLISH: the sync copy of one's own message is an UpStreamMessage (userId).
  ServerPublish copy;
  copy.flags.dup = true;
  copy.topic = "ppMsgP";
  copy.target_id = "userB";
  copy.payload = bytes("0803120952433a5478744d7367 1a107b22636f6e74656e74223a226869227d 4800");
  EXPECT_EQ(data_of(response(ServerFrame{copy})).dump(),
            json::parse(R"({"sessionId":3,"classname":"RC:TxtMsg","content":"{\"content\":\"hi\"}",
                            "configFlag":0,"userId":[]})").dump());
}

// PROTOCOL.md shows {"headerCode":50,"messageId":1,"topic":"s_ntf","targetId":"userB",
// "data":"{\"type\":1,\"time\":..}"}; we also send "date" (the binary frame's), which the
// client copies onto the message object and otherwise ignores.
TEST(CometResponse, PublishMatchesProtocolMdPlusDate) {
  json out = response(server_frame(kPublishNtf));
  EXPECT_EQ(data_of(out), json::parse(R"({"type":1,"time":1700000000123})"));
  expect_canonical(out.dump());
  EXPECT_EQ(out.value("date", 0), 1700000000);
  out.erase("date");
  out.erase("data");
  EXPECT_EQ(out, json::parse(R"({"headerCode":50,"messageId":1,"topic":"s_ntf","targetId":"userB"})"));
}

TEST(CometResponse, DisconnectAndConnectAnswer) {
  EXPECT_EQ(response(server_frame(kDisconnect)), json::parse(R"({"headerCode":224,"status":1})"));
  const json connect = response(server_frame(kConnAck));
  EXPECT_EQ(connect, json::parse(R"({"status":0,"userId":"userA","sessionid":"s1","timestamp":1700000000123})"));
  expect_canonical(connect.dump());
}

TEST(CometResponse, DecodeReversesEncode) {
  struct Case {
    const char* hex;
    std::string_view ack_topic;
  };
  for (const Case& c : {Case{kPubAck, {}}, Case{kQueryAckPullMsg, topics::kPullMessages},
                        Case{kPublishNtf, {}}, Case{kDisconnect, {}}, Case{kConnAck, {}}}) {
    SCOPED_TRACE(c.hex);
    const ServerFrame original = server_frame(c.hex);
    const json object = response(original, c.ack_topic);
    auto back = decode_comet_response(object, c.ack_topic);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(response(back.value(), c.ack_topic), object);
    if (std::holds_alternative<QueryAck>(original)) {
      // comet has no date for QUERYACK: everything else survives
      auto q = std::get<QueryAck>(back.value());
      EXPECT_EQ(to_hex(q.payload), to_hex(std::get<QueryAck>(original).payload));
      EXPECT_EQ(q.message_id, 3);
    } else {
      EXPECT_EQ(to_hex(encode_server_frame(back.value()).value()), to_hex(bytes(c.hex)));
    }
  }
}

// The objects as PROTOCOL.md writes them (payload keys in the official order) decode to
// the official payload bytes.
TEST(CometResponse, DecodesTheProtocolMdObjects) {
  auto publish = decode_comet_response(json::parse(
      R"({"headerCode":50,"messageId":1,"topic":"s_ntf","targetId":"userB","data":"{\"type\":1,\"time\":1700000000123}"})"));
  ASSERT_TRUE(publish.ok()) << publish.error().message;
  EXPECT_EQ(to_hex(std::get<ServerPublish>(publish.value()).payload), "080110fbd095ffbc31");

  auto ack = decode_comet_response(
      json::parse(R"({"headerCode":98,"messageId":3,"status":0,"data":"{\"syncTime\":0,\"finished\":true}"})"),
      topics::kPullMessages);
  ASSERT_TRUE(ack.ok()) << ack.error().message;
  EXPECT_EQ(to_hex(std::get<QueryAck>(ack.value()).payload), "10001801");

  auto pub_ack = decode_comet_response(json::parse(
      R"({"headerCode":64,"messageId":5,"status":0,"timestamp":1700000000123,"messageUId":"BFUJ-8GHM-G8O4-3T8A"})"));
  ASSERT_TRUE(pub_ack.ok());
  const auto& a = std::get<ServerPubAck>(pub_ack.value());
  EXPECT_EQ(a.date, 1700000000u);
  EXPECT_EQ(a.millis, 123);
  EXPECT_EQ(a.msg_uid, "BFUJ-8GHM-G8O4-3T8A");

  auto kicked = decode_comet_response(json::parse(R"({"headerCode":224,"status":1})"));
  ASSERT_TRUE(kicked.ok());
  EXPECT_EQ(std::get<Disconnect>(kicked.value()).status, 1);
}

TEST(CometResponse, RejectsBadObjects) {
  auto fails = [](const char* text, ErrorCode want, std::string_view ack_topic = {}) {
    EXPECT_TRUE(FailsWith(decode_comet_response(json::parse(text), ack_topic), want)) << text;
  };
  // not an object
  fails("[]", ErrorCode::kBadJson);
  fails(R"("headerCode")", ErrorCode::kBadJson);
  fails("64", ErrorCode::kBadJson);
  fails("null", ErrorCode::kBadJson);
  // bad headerCode
  fails(R"({"headerCode":"64","messageId":5})", ErrorCode::kBadJson);
  fails(R"({"headerCode":-1})", ErrorCode::kBadJson);
  fails(R"({"headerCode":256})", ErrorCode::kBadJson);
  fails(R"({"headerCode":64.5})", ErrorCode::kBadJson);
  fails(R"({"headerCode":16})", ErrorCode::kBadFrameType);  // CONNECT
  fails(R"({"headerCode":80})", ErrorCode::kBadFrameType);  // QUERY is client->server
  fails(R"({"headerCode":0})", ErrorCode::kBadFrameType);
  // no headerCode: a connect answer, which needs a status, and an identity if accepted
  fails(R"({"messageId":5})", ErrorCode::kBadJson);
  fails(R"({"status":0})", ErrorCode::kBadJson);
  // data that is not JSON, or not of the payload type
  fails(R"({"headerCode":50,"messageId":1,"topic":"s_ntf","targetId":"u","data":"{oops"})",
        ErrorCode::kBadJson);
  fails(R"({"headerCode":50,"messageId":1,"topic":"s_ntf","targetId":"u","data":"{\"time\":1}"})",
        ErrorCode::kBadJson);  // NotifyMsg.type is required
  fails(R"({"headerCode":98,"messageId":3,"status":0,"data":"not json"})", ErrorCode::kBadJson,
        topics::kPullMessages);
  fails(R"({"headerCode":50,"messageId":1,"topic":"noSuchTopic","data":"{}"})",
        ErrorCode::kUnknownTopic);
  // missing or wrongly typed fields
  fails(R"({"headerCode":50,"messageId":1,"data":"{}"})", ErrorCode::kBadJson);  // no topic
  fails(R"({"headerCode":64,"status":0})", ErrorCode::kBadJson);                 // no messageId
  fails(R"({"headerCode":224})", ErrorCode::kBadJson);                           // no status
}

// Every golden frame that comet can carry goes through the comet form and back.
TEST(CometGolden, EveryGoldenFrameSurvivesTheCometForm) {
  size_t client = 0, server = 0;
  for_each_golden_frame([&](const std::string& title, bool from_client,
                            const std::string& ack_topic, const std::string& wire) {
    SCOPED_TRACE(title);
    if (from_client) {
      auto frame = decode_client_frame(wire);
      ASSERT_TRUE(frame.ok());
      auto req = encode_comet_request(frame.value());
      if (!req.ok()) {  // only payloads of a type we do not model cannot become JSON
        EXPECT_EQ(req.error().code, ErrorCode::kUnknownTopic);
        return;
      }
      expect_canonical(req.value().body.empty() ? "{}" : req.value().body);
      auto back = decode_comet_request(req.value());
      ASSERT_TRUE(back.ok()) << back.error().message;
      EXPECT_EQ(to_hex(encode_client_frame(back.value()).value()), to_hex(wire));
      ++client;
    } else {
      auto frame = decode_server_frame(wire);
      ASSERT_TRUE(frame.ok());
      auto object = encode_comet_response(frame.value(), ack_topic);
      ASSERT_TRUE(object.ok()) << object.error().message;
      expect_canonical(object.value().dump());
      auto back = decode_comet_response(object.value(), ack_topic);
      ASSERT_TRUE(back.ok()) << back.error().message;
      EXPECT_EQ(response(back.value(), ack_topic), object.value());
      ++server;
    }
  });
  EXPECT_GT(client, 0u);
  EXPECT_GT(server, 0u);
}

}  // namespace
}  // namespace parley::codec::testing
