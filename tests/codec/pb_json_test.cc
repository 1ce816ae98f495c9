// The table-driven protobuf <-> JSON codec (pb_json.h): round trips through nested and
// repeated messages, the integer edge cases JavaScript numbers cannot hold, bytes that are
// not text, strict vs lenient keys; the official encoder's bytes; and protobuf-lite's
// generated classes as a second opinion on the wire format, so the schema table cannot
// drift from protoc unnoticed.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>


#include "codec/hex.h"
#include "codec/pb_json.h"
#include "rongcloud.pb.h"

namespace parley::codec {
namespace {

using json = parley::Json;

const schema::MessageDesc& message(const char* name) {
  const schema::MessageDesc* desc = schema::find_message(name);
  EXPECT_NE(desc, nullptr) << name << " is not in the schema table";
  static const schema::MessageDesc kNone{"<missing>", nullptr, 0};
  return desc ? *desc : kNone;
}

std::string bytes(const std::string& hex) {
  std::string out;
  EXPECT_TRUE(from_hex(hex, out)) << hex;
  return out;
}

std::string encode(const char* type, const json& j, const JsonToProtobufOptions& opt = {}) {
  auto out = json_to_protobuf(message(type), j, opt);
  EXPECT_TRUE(out.ok()) << type << " " << j.dump() << ": " << out.error().message;
  return out.ok() ? out.value() : std::string();
}

json decode(const char* type, const std::string& wire) {
  auto out = protobuf_to_json(message(type), wire);
  EXPECT_TRUE(out.ok()) << type << " " << to_hex(wire) << ": " << out.error().message;
  return out.ok() ? out.value() : json();
}

// JSON -> protobuf -> JSON gives the input back, and the bytes decode-encode stably.
// Returns the bytes.
std::string expect_round_trip(const char* type, const json& j) {
  SCOPED_TRACE(std::string(type) + " " + j.dump());
  const std::string wire = encode(type, j);
  EXPECT_EQ(decode(type, wire), j);
  EXPECT_EQ(to_hex(encode(type, decode(type, wire))), to_hex(wire));
  return wire;
}

// protobuf-lite's generated class reads our bytes and writes exactly the same bytes.
template <class PbMessage>
PbMessage expect_protoc_agrees(const std::string& wire) {
  PbMessage m;
  EXPECT_TRUE(m.ParseFromString(wire)) << "protobuf-lite rejects " << to_hex(wire);
  EXPECT_TRUE(m.IsInitialized()) << "protobuf-lite misses required fields";
  EXPECT_EQ(to_hex(m.SerializeAsString()), to_hex(wire));
  return m;
}

::testing::AssertionResult FailsWith(const Result<std::string>& r, ErrorCode want) {
  if (r.ok()) return ::testing::AssertionFailure() << "encoded as " << to_hex(r.value());
  if (r.error().code != want)
    return ::testing::AssertionFailure() << "error " << static_cast<int>(r.error().code) << ": "
                                         << r.error().message;
  return ::testing::AssertionSuccess();
}

const json kFullUpStream = {
    {"sessionId", 7},
    {"classname", "RC:TxtMsg"},
    {"content", "{\"content\":\"\xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98\x80\"}"},
    {"pushText", "push"},
    {"appData", "data"},
    {"userId", {"userA", "userB"}},
    {"delMsgTime", 1700000000123},
    {"delMsgId", "BFUJ-8GHM-G8O4-3T8A"},
    {"configFlag", 3},
    {"clientUniqueId", 42},
    {"extraContent", "{\"k\":{\"v\":\"1\"}}"},
    {"pushExt", {{"title", "t"}, {"templateIdNoUse", 0}, {"pushConfigs", "[]"}}}};

const json kDownStream = {{"fromUserId", "userA"}, {"type", 1},
                          {"classname", "RC:TxtMsg"}, {"content", "{\"content\":\"hi\"}"},
                          {"dataTime", 1700000000123}, {"status", 48},
                          {"msgId", "BFUJ-8GHM-G8O4-3T8A"}, {"direction", 2}};

const json kDownStreams = {
    {"list",
     {kDownStream,
      {{"fromUserId", "group1"}, {"type", 3}, {"groupId", "group1"},
       {"classname", "RC:ImgMsg"}, {"content", "{}"}, {"dataTime", 1700000000999},
       {"status", 112}, {"pushExt", {{"title", "x"}}}}}},
    {"syncTime", 1700000000999},
    {"finished", false}};

const json kSessionStateModifyReq = {
    {"version", 1700000000123},
    {"state",
     {{{"type", 1}, {"channelId", "userB"}, {"time", 1700000000000},
       {"stateItem",
        {{{"sessionStateType", 1}, {"value", "1"}},
         {{"sessionStateType", 3},
          {"value", ""},
          {"tags", {{{"tagId", "t1"}, {"name", "work"}, {"createdTime", 1}, {"isTop", true}},
                    {{"tagId", "t2"}}}}}}}},
      {{"type", 3}, {"channelId", "group1"}, {"stateItem", json::array()}}}}};

TEST(PbJson, OfficialUpStreamMessageBytes) {
  const json msg = {{"sessionId", 3},
                    {"classname", "RC:TxtMsg"},
                    {"content", "{\"content\":\"hi\"}"},
                    {"configFlag", 0}};
  const std::string official =
      bytes("08 03 12 09 52 43 3a 54 78 74 4d 73 67 1a 10 7b 22 63 6f 6e 74 65 6e 74 22 3a 22 68 "
            "69 22 7d 48 00");
  EXPECT_EQ(to_hex(encode("UpStreamMessage", msg)), to_hex(official));
  EXPECT_EQ(decode("UpStreamMessage", official), msg);
}

TEST(PbJson, UpStreamMessageWithEveryField) {
  const std::string wire = expect_round_trip("UpStreamMessage", kFullUpStream);
  auto m = expect_protoc_agrees<pb::UpStreamMessage>(wire);
  EXPECT_EQ(m.sessionid(), 7);
  EXPECT_EQ(m.userid_size(), 2);
  EXPECT_EQ(m.pushext().title(), "t");
  EXPECT_EQ(m.content(), kFullUpStream["content"].get<std::string>());
}

TEST(PbJson, DownStreamMessagesNestedRepeated) {
  const std::string wire = expect_round_trip("DownStreamMessages", kDownStreams);
  auto m = expect_protoc_agrees<pb::DownStreamMessages>(wire);
  ASSERT_EQ(m.list_size(), 2);
  EXPECT_EQ(m.list(1).groupid(), "group1");
  EXPECT_EQ(m.list(1).pushext().title(), "x");
  EXPECT_EQ(m.synctime(), 1700000000999);
  // An empty list is absent on the wire and in the JSON form.
  expect_round_trip("DownStreamMessages", {{"syncTime", 0}});
}

TEST(PbJson, SessionStateModifyReqRepeatedInsideRepeated) {
  const std::string wire = expect_round_trip(
      "SessionStateModifyReq",
      // an empty repeated field decodes as absent, so compare without it
      [] {
        json j = kSessionStateModifyReq;
        j["state"][1].erase("stateItem");
        return j;
      }());
  auto m = expect_protoc_agrees<pb::SessionStateModifyReq>(wire);
  ASSERT_EQ(m.state_size(), 2);
  ASSERT_EQ(m.state(0).stateitem_size(), 2);
  ASSERT_EQ(m.state(0).stateitem(1).tags_size(), 2);
  EXPECT_EQ(m.state(0).stateitem(1).tags(0).name(), "work");
  EXPECT_TRUE(m.state(0).stateitem(1).tags(0).istop());
  // "stateItem": [] encodes to nothing.
  EXPECT_EQ(encode("SessionStateModifyReq", kSessionStateModifyReq), wire);
}

// The comet form of server payloads (ProtobufToJsonOptions::empty_repeated_as_arrays):
// every repeated field the bytes lack is [], at every level; the bytes stay the same.
TEST(PbJson, EmptyRepeatedAsArraysWhenAsked) {
  ProtobufToJsonOptions arrays;
  arrays.empty_repeated_as_arrays = true;
  const auto& pull = message("DownStreamMessages");
  const std::string empty = encode("DownStreamMessages", {{"syncTime", 0}});
  EXPECT_EQ(protobuf_to_json(pull, empty, arrays).value(),
            json({{"list", json::array()}, {"syncTime", 0}}));
  json req = kSessionStateModifyReq;
  req["state"][0]["stateItem"][0].erase("tags");
  const std::string wire = encode("SessionStateModifyReq", req);
  json want = req;
  want["state"][0]["stateItem"][0]["tags"] = json::array();  // and state[1].stateItem is []
  auto got = protobuf_to_json(message("SessionStateModifyReq"), wire, arrays);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got.value().dump(), want.dump());
  EXPECT_EQ(to_hex(encode("SessionStateModifyReq", got.value())), to_hex(wire));
}

// ProtoBuf.js takes one value given for a repeated field as a one-element list
// (JsonToProtobufOptions::single_value_as_list); by default it is an error.
TEST(PbJson, SingleValueAsListWhenAsked) {
  JsonToProtobufOptions single;
  single.single_value_as_list = true;
  const json up = {{"sessionId", 3}, {"classname", "c"}, {"content", "x"}, {"userId", "u1"}};
  json listed = up;
  listed["userId"] = json::array({"u1"});
  EXPECT_TRUE(FailsWith(json_to_protobuf(message("UpStreamMessage"), up), ErrorCode::kBadJson));
  EXPECT_EQ(to_hex(encode("UpStreamMessage", up, single)),
            to_hex(encode("UpStreamMessage", listed)));
  // in nested messages too: a state, its item and the item's tag each given alone
  const json tag = kSessionStateModifyReq["state"][0]["stateItem"][1]["tags"][0];
  json item = kSessionStateModifyReq["state"][0]["stateItem"][1];
  json state = kSessionStateModifyReq["state"][0];
  item["tags"] = tag;
  state["stateItem"] = item;
  const json nested = {{"version", 1}, {"state", state}};
  item["tags"] = json::array({tag});
  state["stateItem"] = json::array({item});
  const json nested_listed = {{"version", 1}, {"state", json::array({state})}};
  EXPECT_EQ(to_hex(encode("SessionStateModifyReq", nested, single)),
            to_hex(encode("SessionStateModifyReq", nested_listed)));
  // a value of the wrong type is still refused
  json wrong = up;
  wrong["userId"] = 5;
  EXPECT_TRUE(FailsWith(json_to_protobuf(message("UpStreamMessage"), wrong, single),
                        ErrorCode::kBadJson));
}

TEST(PbJson, NegativeInt32IsATenByteVarint) {
  const std::string wire = expect_round_trip(
      "UpStreamMessage", {{"sessionId", -1}, {"classname", "c"}, {"content", ""}});
  EXPECT_EQ(to_hex(wire), "08ffffffffffffffffff01" "120163" "1a00");
  expect_protoc_agrees<pb::UpStreamMessage>(wire);
  const std::string min = expect_round_trip(
      "UpStreamMessage", {{"sessionId", std::numeric_limits<int32_t>::min()}, {"classname", "c"},
                          {"content", ""}});
  EXPECT_EQ(to_hex(min.substr(0, 11)), "0880808080f8ffffffff01");
  EXPECT_EQ(expect_protoc_agrees<pb::UpStreamMessage>(min).sessionid(),
            std::numeric_limits<int32_t>::min());
}

TEST(PbJson, Int64BeyondDoublePrecision) {
  const int64_t above_2_53 = (int64_t{1} << 53) + 1;  // not representable as a double
  for (int64_t v : {above_2_53, std::numeric_limits<int64_t>::max(),
                    std::numeric_limits<int64_t>::min(), int64_t{-2}}) {
    json j = kDownStream;
    j["dataTime"] = v;
    const std::string wire = expect_round_trip("DownStreamMessage", j);
    EXPECT_EQ(expect_protoc_agrees<pb::DownStreamMessage>(wire).datatime(), v);
  }
  // ProtoBuf.js Longs may arrive as decimal strings.
  json as_string = kDownStream;
  as_string["dataTime"] = "9007199254740993";
  json as_number = kDownStream;
  as_number["dataTime"] = above_2_53;
  EXPECT_EQ(encode("DownStreamMessage", as_string), encode("DownStreamMessage", as_number));
}

TEST(PbJson, BytesThatAreNotUtf8UseHexForm) {
  const json j = {{"sessionId", 1}, {"classname", "c"}, {"content", {{"$hex", "fffe00"}}}};
  const std::string wire = expect_round_trip("UpStreamMessage", j);
  EXPECT_EQ(to_hex(wire), "0801" "120163" "1a03fffe00");
  EXPECT_EQ(expect_protoc_agrees<pb::UpStreamMessage>(wire).content(), bytes("fffe00"));
  // CESU-8 is not UTF-8 either.
  EXPECT_EQ(decode("UpStreamMessage", bytes("0801 120163 1a06eda0bdedb880"))["content"],
            json({{"$hex", "eda0bdedb880"}}));
}

TEST(PbJson, UnknownKeysRejectedUnlessIgnored) {
  json j = {{"sessionId", 3}, {"classname", "RC:TxtMsg"}, {"content", "x"}, {"bogus", 1}};
  EXPECT_TRUE(FailsWith(json_to_protobuf(message("UpStreamMessage"), j), ErrorCode::kBadJson));
  JsonToProtobufOptions lenient;
  lenient.ignore_unknown_fields = true;
  const std::string with = encode("UpStreamMessage", j, lenient);
  j.erase("bogus");
  EXPECT_EQ(with, encode("UpStreamMessage", j));
  // also inside nested messages
  json nested = kDownStreams;
  nested["list"][0]["typo"] = true;
  EXPECT_TRUE(FailsWith(json_to_protobuf(message("DownStreamMessages"), nested), ErrorCode::kBadJson));
  EXPECT_EQ(encode("DownStreamMessages", nested, lenient), encode("DownStreamMessages", kDownStreams));
}

TEST(PbJson, UnknownFieldNumbersAreSkippedOnDecode) {
  // the official message plus field 99 (varint) and field 100 (LEN)
  const std::string wire = bytes("0803 120952433a5478744d7367 1a00 98 06 01 a2 06 02 6869");
  EXPECT_EQ(decode("UpStreamMessage", wire),
            json({{"sessionId", 3}, {"classname", "RC:TxtMsg"}, {"content", ""}}));
}

TEST(PbJson, BadJsonIsRejected) {
  const auto& up = message("UpStreamMessage");
  auto with = [](const char* key, json value) {
    json j = {{"sessionId", 3}, {"classname", "c"}, {"content", "x"}};
    j[key] = std::move(value);
    return j;
  };
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, json::array()), ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, {{"classname", "c"}, {"content", "x"}}),
                        ErrorCode::kBadJson));  // missing required sessionId
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, with("sessionId", "3x")), ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, with("sessionId", 2147483648)), ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, with("sessionId", -2147483649)), ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, with("sessionId", json::parse("1.5"))), ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, with("delMsgTime", json::parse("1e30"))), ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, with("delMsgTime", json::parse("-1e30"))), ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, with("delMsgTime", json::parse("9.3e18"))), ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, with("delMsgTime", "99999999999999999999")),
                        ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, with("classname", 5)), ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, with("userId", "notAnArray")), ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, with("pushExt", "notAnObject")), ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, with("content", {{"$hex", "zz"}})), ErrorCode::kBadJson));
  EXPECT_TRUE(FailsWith(json_to_protobuf(up, with("delMsgTime", json::parse("9223372036854775808.0"))),
                        ErrorCode::kBadJson));  // 2^63
  // A whole float is accepted as the integer it is, down to -2^63.
  EXPECT_EQ(encode("UpStreamMessage", with("sessionId", json::parse("3.0"))), encode("UpStreamMessage", with("sessionId", 3)));
  EXPECT_EQ(encode("UpStreamMessage", with("delMsgTime", json::parse("-9223372036854775808.0"))),
            encode("UpStreamMessage", with("delMsgTime", std::numeric_limits<int64_t>::min())));
}

// The other direction of the protoc check: messages built with the generated setters
// decode to the JSON we expect.
TEST(PbJson, DecodesWhatProtobufLiteWrites) {
  pb::SyncRequestMsg sync;
  sync.set_synctime(1700000000123);
  sync.set_ispolling(false);
  sync.set_ispullsend(true);
  sync.set_sendboxsynctime(0);
  EXPECT_EQ(to_hex(sync.SerializeAsString()), "08fbd095ffbc31" "1000" "2001" "3000");
  EXPECT_EQ(decode("SyncRequestMsg", sync.SerializeAsString()),
            json({{"syncTime", 1700000000123}, {"ispolling", false}, {"isPullSend", true},
                  {"sendBoxSyncTime", 0}}));

  pb::RelationsOutput rel;
  auto* info = rel.add_info();
  info->set_type(pb::GROUP);
  info->set_userid("group1");
  info->set_unreadcount(5);
  auto* msg = info->mutable_msg();
  msg->set_fromuserid("userA");
  msg->set_type(pb::GROUP);
  msg->set_classname("RC:TxtMsg");
  msg->set_content("{}");
  msg->set_datatime(-1);
  msg->set_status(0);
  EXPECT_EQ(decode("RelationsOutput", rel.SerializeAsString()),
            json({{"info",
                   {{{"type", 3},
                     {"userId", "group1"},
                     {"msg",
                      {{"fromUserId", "userA"}, {"type", 3}, {"classname", "RC:TxtMsg"},
                       {"content", "{}"}, {"dataTime", -1}, {"status", 0}}},
                     {"unreadCount", 5}}}}}));
}

}  // namespace
}  // namespace parley::codec
