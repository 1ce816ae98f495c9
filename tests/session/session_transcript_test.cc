// A scripted session run whose every input and every action (frames byte for byte, as hex;
// events, persisted keys, timers and comet POSTs as JSON) is checked against a recorded
// transcript (tests/fixtures/session_transcript.txt). The fixture was recorded while the
// session still used protoc's classes, so it pins the exact frames the protocol code builds
// and the exact way it reads the server's payloads, including odd ones (unknown fields,
// repeated singular fields, invalid enums, non-UTF-8 strings, truncated payloads).
//
// To re-record after an intended change: PARLEY_RECORD_TRANSCRIPT=1 ./session_tests
// --gtest_filter=SessionTranscript.*, then review the diff of the fixture.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "codec/hex.h"
#include "common/json_util.h"
#include "harness.h"

namespace parley::testing {
namespace {

using codec::ClientQuery;

std::string bytes_of(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

// A protobuf key (field number, wire type) followed by a varint.
std::string varint_field(uint32_t number, uint64_t v) {
  std::string s;
  auto put = [&](uint64_t x) {
    while (x >= 0x80) {
      s.push_back(static_cast<char>((x & 0x7F) | 0x80));
      x >>= 7;
    }
    s.push_back(static_cast<char>(x));
  };
  put(static_cast<uint64_t>(number) << 3);
  put(v);
  return s;
}

std::string len_field(uint32_t number, const std::string& v) {
  std::string s;
  s.push_back(static_cast<char>((number << 3) | 2));  // numbers < 16 only
  s.push_back(static_cast<char>(v.size()));          // < 128 bytes only
  return s + v;
}

class Script {
 public:
  explicit Script(Harness& h) : h_(h) {}

  void note(const std::string& what) { log_ << "# " << what << "\n"; }
  Actions cmd(const json& c) {
    log_ << "> cmd " << to_text(c) << "\n";
    return record(h_.cmd(c));
  }
  Actions server(uint32_t conn, const codec::ServerFrame& f) {
    log_ << "> server " << codec::to_hex(frame_bytes(f)) << "\n";
    return record(h_.server(conn, f));
  }
  Actions comet(uint32_t conn, const json& body) {
    log_ << "> comet " << to_text(body) << "\n";
    return record(h_.keep(h_.s.on_comet(h_.now, conn, body.dump())));
  }
  Actions closed(uint32_t conn) {
    log_ << "> closed " << conn << "\n";
    return record(h_.closed(conn));
  }
  Actions timer(int64_t until) {
    log_ << "> run_until " << until << "\n";
    return record(h_.run_until(until));
  }
  // Answers the latest query on `topic` with `payload`.
  Actions answer(uint32_t conn, std::string_view topic, const std::string& payload, uint16_t status = 0) {
    return server(conn, codec::QueryAck{{}, last_query(topic), 1700000100, status, payload});
  }
  Actions puback(uint32_t conn, std::string_view topic, const std::string& uid, uint16_t status = 0,
                 uint32_t date = 1700000200, uint16_t millis = 5) {
    return server(conn, codec::ServerPubAck{{}, last_publish(topic), date, status, millis, uid});
  }
  Actions publish(uint32_t conn, const std::string& topic, const std::string& payload, uint8_t qos = 1,
                  bool dup = false, uint16_t message_id = 77) {
    return server(conn, codec::ServerPublish{{qos, dup, false}, 1700000300, topic, "userA", message_id, payload});
  }

  uint16_t last_query(std::string_view topic) {
    for (auto it = h_.all.rbegin(); it != h_.all.rend(); ++it)
      if (auto* s = std::get_if<session::SendBytes>(&*it)) {
        auto f = codec::decode_client_frame(s->bytes);
        if (f)
          if (auto* q = std::get_if<ClientQuery>(&f.value()); q && q->topic == topic) return q->message_id;
      }
    ADD_FAILURE() << "no query on " << topic;
    return 0;
  }
  uint16_t last_publish(std::string_view topic) {
    for (auto it = h_.all.rbegin(); it != h_.all.rend(); ++it)
      if (auto* s = std::get_if<session::SendBytes>(&*it)) {
        auto f = codec::decode_client_frame(s->bytes);
        if (f)
          if (auto* p = std::get_if<codec::ClientPublish>(&f.value()); p && p->topic == topic) return p->message_id;
      }
    ADD_FAILURE() << "no publish on " << topic;
    return 0;
  }

  std::string text() const { return log_.str(); }

 private:
  Actions record(Actions a) {
    std::vector<std::string> bytes;
    for (const auto& x : a) {
      json j = session::action_to_json(x, &bytes);
      if (j.contains("bytes")) j["bytes"] = codec::to_hex(bytes[j["bytes"].get<size_t>()]);
      log_ << "< " << to_text(j) << "\n";
    }
    return a;
  }

  Harness& h_;
  std::ostringstream log_;
};

pb::DownStreamMessage downstream(const std::string& from, pb::ChannelType type, const std::string& classname,
                                 const std::string& content, int64_t time, const std::string& uid,
                                 int64_t status = 48) {
  pb::DownStreamMessage m;
  m.set_fromuserid(from);
  m.set_type(type);
  m.set_classname(classname);
  m.set_content(content);
  m.set_datatime(time);
  m.set_status(status);
  m.set_msgid(uid);
  return m;
}

void websocket_run(Script& s, Harness& h) {
  s.note("connect, CONNACK, the first answers");
  s.cmd({{"cmd", "connect"}, {"id", 1}, {"token", "tok-userA"}, {"hosts", {"h1:80", "h2:81"}}});
  const uint32_t conn = 1;
  s.server(conn, connack("userA"));

  pb::SessionStates states;
  states.set_version(5);
  auto* st = states.add_state();
  st->set_type(pb::PERSON);
  st->set_channelid("userB");
  auto* item = st->add_stateitem();
  item->set_sessionstatetype(pb::IsTop);
  item->set_value("1");
  auto* st2 = states.add_state();
  st2->set_type(pb::GROUP);
  st2->set_channelid("g1");
  auto* item2 = st2->add_stateitem();
  item2->set_sessionstatetype(pb::IsSilent);
  item2->set_value("1");
  s.answer(conn, "pullSeAtts", states.SerializeAsString());

  pb::DownStreamMessages batch;
  *batch.add_list() = downstream("userB", pb::PERSON, "RC:TxtMsg", R"({"content":"hello A"})", 1700000000100, "U-1");
  auto* g = batch.add_list();
  *g = downstream("userC", pb::GROUP, "RC:TxtMsg", R"({"content":"hi group","extra":"x"})", 1700000000200, "U-2", 48 | 64);
  g->set_groupid("g1");
  g->set_clientuniqueid(123456789);
  g->set_pushcontent("push text");
  g->mutable_pushext()->set_title("title");
  auto* own = batch.add_list();
  *own = downstream("userB", pb::PERSON, "RC:TxtMsg", R"({"content":"mine"})", 1700000000300, "U-3", 16);
  own->set_direction(1);
  auto* img = batch.add_list();
  *img = downstream("userD", pb::PERSON, "RC:ImgMsg", "not json content", 1700000000400, "U-4", 2 | 16 | 32);
  auto* custom = batch.add_list();
  *custom = downstream("userD", pb::PERSON, "App:Custom", R"({"n":1})", 1700000000450, "U-5", 16 | 512 | 1024);
  custom->set_extracontent("ext");
  custom->set_configflag(3);
  custom->set_source("web");
  batch.set_synctime(1700000000450);
  batch.set_finished(false);
  s.answer(conn, "pullMsg", batch.SerializeAsString());

  pb::RelationsOutput rel;
  auto* info = rel.add_info();
  info->set_type(pb::PERSON);
  info->set_userid("userB");
  *info->mutable_msg() = downstream("userB", pb::PERSON, "RC:TxtMsg", R"({"content":"hello A"})", 1700000000100, "U-1");
  info->set_readmsgtime(1700000000000);
  info->set_unreadcount(3);
  auto* info2 = rel.add_info();
  info2->set_type(pb::GROUP);
  info2->set_userid("g1");
  info2->set_unreadcount(1);
  s.answer(conn, "qryRelationR", rel.SerializeAsString());
  s.answer(conn, "pullMsg", empty_pull_payload(1700000000450));
  // The pulls began without a position: one more pull tells the server they arrived.
  s.answer(conn, "pullMsg", empty_pull_payload(1700000000450));

  s.note("sends: private, group (mention, push), typing, read receipt, recall");
  s.cmd({{"cmd", "sendMessage"}, {"id", 10}, {"conversationType", 1}, {"targetId", "userB"},
         {"objectName", "RC:TxtMsg"}, {"content", {{"content", "hi B"}}}});
  s.puback(conn, "ppMsgP", "S-1");
  s.cmd({{"cmd", "sendMessage"}, {"id", 11}, {"conversationType", 3}, {"targetId", "g1"},
         {"objectName", "RC:TxtMsg"}, {"content", {{"content", "@C hi"}}}, {"isMentioned", true},
         {"pushContent", "you were mentioned"}, {"pushData", "{\"k\":1}"}, {"disableNotification", true}});
  s.puback(conn, "pgMsgP", "S-2");
  s.cmd({{"cmd", "sendMessage"}, {"id", 12}, {"conversationType", 1}, {"targetId", "userB"},
         {"objectName", "RC:TypSts"}, {"content", {{"typingContentType", "RC:TxtMsg"}}}});
  s.cmd({{"cmd", "sendMessage"}, {"id", 13}, {"conversationType", 3}, {"targetId", "g1"},
         {"objectName", "RC:TypSts"}, {"content", {{"typingContentType", "RC:TxtMsg"}}}});
  s.cmd({{"cmd", "sendMessage"}, {"id", 14}, {"conversationType", 1}, {"targetId", "userB"},
         {"objectName", "RC:ReadNtf"}, {"content", {{"lastMessageSendTime", 1700000000100}, {"messageUId", "U-1"}, {"type", 1}}}});
  s.puback(conn, "ppMsgP", "S-3");
  s.cmd({{"cmd", "sendMessage"}, {"id", 15}, {"conversationType", 1}, {"targetId", "userB"},
         {"objectName", "App:Custom"}, {"content", "raw text"}, {"isPersited", false}, {"isCounted", false}});
  s.puback(conn, "ppMsgP", "", 405);
  s.cmd({{"cmd", "recallMessage"}, {"id", 16}, {"conversationType", 1}, {"targetId", "userB"},
         {"messageUId", "S-1"}, {"sentTime", 1700000200005}, {"disableNotification", true}});
  s.puback(conn, "recallMsg", "R-1");
  s.cmd({{"cmd", "clearUnreadCount"}, {"id", 17}, {"conversationType", 1}, {"targetId", "userB"}});
  s.answer(conn, "updRRTime", "");

  s.note("chatroom: join, pull, send, typing");
  s.cmd({{"cmd", "joinChatroom"}, {"id", 20}, {"chatroomId", "room1"}, {"count", 5}});
  pb::ChrmOutput chrm;
  chrm.set_nothing(1);
  chrm.set_jointime(1700000000000);
  s.answer(conn, "joinChrm", chrm.SerializeAsString());
  pb::DownStreamMessages room;
  auto* r1 = room.add_list();
  *r1 = downstream("userC", static_cast<pb::ChannelType>(4), "RC:TxtMsg", R"({"content":"room hi"})", 1700000000500, "CR-1", 16);
  r1->set_groupid("room1");
  auto* r2 = room.add_list();
  *r2 = downstream("userA", static_cast<pb::ChannelType>(4), "RC:TxtMsg", R"({"content":"my room msg"})", 1700000000510, "CR-2", 16);
  r2->set_groupid("room1");
  room.set_synctime(1700000000510);
  room.set_finished(false);
  s.answer(conn, "chrmPull", room.SerializeAsString());
  pb::DownStreamMessages room_end;
  room_end.set_synctime(1700000000510);
  room_end.set_finished(true);
  s.answer(conn, "chrmPull", room_end.SerializeAsString());
  s.cmd({{"cmd", "sendMessage"}, {"id", 21}, {"conversationType", 4}, {"targetId", "room1"},
         {"objectName", "RC:TxtMsg"}, {"content", {{"content", "to the room"}}}});
  s.puback(conn, "chatMsg", "S-4");
  s.cmd({{"cmd", "sendMessage"}, {"id", 22}, {"conversationType", 4}, {"targetId", "room1"},
         {"objectName", "RC:TypSts"}, {"content", {{"typingContentType", "RC:TxtMsg"}}}});
  pb::NotifyMsg rn;
  rn.set_type(2);
  rn.set_chrmid("room1");
  s.publish(conn, "s_ntf", rn.SerializeAsString(), 0);
  s.answer(conn, "chrmPull", room_end.SerializeAsString());

  s.note("pushes: s_ntf then pull with typing, recall, read receipt; s_msg; s_cmd");
  pb::NotifyMsg n;
  n.set_type(1);
  n.set_time(1700000000900);
  s.publish(conn, "s_ntf", n.SerializeAsString(), 1, false, 31);
  pb::DownStreamMessages b2;
  *b2.add_list() = downstream("userB", pb::PERSON, "RC:TypSts", R"({"typingContentType":"RC:TxtMsg"})", 1700000000600, "");
  *b2.add_list() = downstream("userB", pb::PERSON, "RC:RcCmd",
                              R"({"conversationType":1,"targetId":"userA","messageUId":"U-1","sentTime":1700000000100})",
                              1700000000700, "U-6");
  *b2.add_list() = downstream("userB", pb::PERSON, "RC:ReadNtf", R"({"lastMessageSendTime":1700000200005,"messageUId":"S-1","type":1})",
                              1700000000800, "U-7");
  auto* gr = b2.add_list();
  *gr = downstream("userC", pb::GROUP, "RC:RcCmd",
                   R"({"conversationType":3,"targetId":"g1","messageUId":"U-2","sentTime":1700000000200})",
                   1700000000850, "U-8");
  gr->set_groupid("g1");
  auto* own_read = b2.add_list();
  *own_read = downstream("userD", pb::PERSON, "RC:ReadNtf", R"({"lastMessageSendTime":1700000000450})", 1700000000880, "U-9");
  own_read->set_direction(1);
  b2.set_synctime(1700000000900);
  b2.set_finished(true);
  s.answer(conn, "pullMsg", b2.SerializeAsString());
  s.publish(conn, "s_msg",
            downstream("userE", pb::PERSON, "RC:TxtMsg", R"({"content":"direct"})", 1700000000950, "U-10").SerializeAsString(),
            1, false, 32);
  s.publish(conn, "s_msg",  // a repeat: filtered
            downstream("userE", pb::PERSON, "RC:TxtMsg", R"({"content":"direct"})", 1700000000950, "U-10").SerializeAsString(),
            1, false, 33);
  pb::NotifyMsg cmdn;
  cmdn.set_type(3);
  s.publish(conn, "s_cmd", cmdn.SerializeAsString(), 0);
  s.answer(conn, "pullSeAtts", pb::SessionStates().SerializePartialAsString());
  s.publish(conn, "s_xyz", "", 0);

  s.note("a sync copy: our own message sent from another device");
  pb::UpStreamMessage up;
  up.set_sessionid(3);
  up.set_classname("RC:TxtMsg");
  up.set_content(R"({"content":"from my phone"})");
  s.server(conn, codec::ServerPublish{{1, true, false}, 1700000400, "pgMsgP", "g1", 501, up.SerializeAsString()});
  s.server(conn, codec::ServerPubAck{{}, 501, 1700000400, 0, 9, "SC-1"});
  up.set_sessionid(0);
  s.server(conn, codec::ServerPublish{{1, true, false}, 1700000401, "ppMsgP", "userF", 502, up.SerializeAsString()});
  s.server(conn, codec::ServerPubAck{{}, 502, 1700000401, 0, 10, "SC-2"});
  s.server(conn, codec::ServerPublish{{1, true, false}, 1700000402, "ppMsgP", "userF", 503, "\x0a\x01"});
  s.server(conn, codec::ServerPubAck{{}, 503, 1700000402, 0, 11, "SC-3"});

  s.note("queries and their answers");
  s.cmd({{"cmd", "getHistory"}, {"id", 30}, {"conversationType", 1}, {"targetId", "userB"}, {"timestamp", 0}, {"count", 2}});
  pb::HistoryMsgOuput hist;
  *hist.add_list() = downstream("userB", pb::PERSON, "RC:TxtMsg", R"({"content":"new"})", 1700000000100, "U-1");
  auto* hmine = hist.add_list();
  *hmine = downstream("userB", pb::PERSON, "RC:TxtMsg", R"({"content":"old"})", 1700000000050, "H-0", 16);
  hmine->set_direction(1);
  hist.set_synctime(0);
  hist.set_hasmsg(1);
  s.answer(conn, "qryPMsg", hist.SerializeAsString());
  s.cmd({{"cmd", "getHistory"}, {"id", 31}, {"conversationType", 3}, {"targetId", "g1"}, {"count", 500}, {"order", 1}});
  pb::HistoryMsgOuput ghist;
  auto* gh = ghist.add_list();
  *gh = downstream("userC", pb::GROUP, "RC:TxtMsg", R"({"content":"g old"})", 1700000000010, "GH-1");
  gh->set_groupid("g1");
  ghist.set_synctime(0);
  ghist.set_hasmsg(0);
  s.answer(conn, "qryGMsg", ghist.SerializeAsString());
  s.cmd({{"cmd", "getChatroomHistory"}, {"id", 32}, {"chatroomId", "room1"}, {"timestamp", 1700000000600}});
  s.answer(conn, "qryCHMsg", "", 0);
  s.cmd({{"cmd", "getHistory"}, {"id", 33}, {"conversationType", 1}, {"targetId", "userB"}});
  s.answer(conn, "qryPMsg", "", 1);
  s.cmd({{"cmd", "getHistory"}, {"id", 34}, {"conversationType", 1}, {"targetId", "userB"}});
  s.answer(conn, "qryPMsg", bytes_of({0x0a, 0x05, 0x0a}));  // truncated
  s.cmd({{"cmd", "getConversationListRemote"}, {"id", 35}, {"count", 50}});
  s.answer(conn, "qryRelationR", rel.SerializeAsString());
  s.cmd({{"cmd", "getConversationList"}, {"id", 36}});
  s.cmd({{"cmd", "getTotalUnreadCount"}, {"id", 37}});
  s.cmd({{"cmd", "removeConversation"}, {"id", 38}, {"conversationType", 3}, {"targetId", "g1"}});
  s.answer(conn, "delRelation", "");
  s.cmd({{"cmd", "deleteMessages"}, {"id", 39}, {"conversationType", 1}, {"targetId", "userB"},
         {"messages", {{{"messageUId", "U-1"}, {"sentTime", 1700000000100}, {"messageDirection", 2}},
                       {{"messageUId", "S-1"}}}}});
  s.answer(conn, "delMsg", "");
  s.cmd({{"cmd", "clearHistory"}, {"id", 40}, {"conversationType", 1}, {"targetId", "userB"}});
  s.answer(conn, "cleanPMsg", "");
  s.cmd({{"cmd", "clearHistory"}, {"id", 41}, {"conversationType", 3}, {"targetId", "g1"}, {"timestamp", 1700000000000}});
  s.answer(conn, "cleanGMsg", "");
  s.cmd({{"cmd", "setConversationStatus"}, {"id", 42}, {"conversationType", 1}, {"targetId", "userB"},
         {"isTop", false}, {"notificationStatus", 1}});
  s.answer(conn, "setSeAtt", "");
  s.cmd({{"cmd", "setConversationStatus"}, {"id", 43}, {"conversationType", 3}, {"targetId", "g1"}});
  s.answer(conn, "setSeAtt", "\x08\x07");
  s.cmd({{"cmd", "getChatroomInfo"}, {"id", 44}, {"chatroomId", "room1"}, {"count", 30}, {"order", 2}});
  pb::QueryChatRoomInfoOutput ci;
  ci.set_usertotalnums(2);
  auto* mem = ci.add_userinfos();
  mem->set_time(1700000000000);
  mem->set_id("userC");
  s.answer(conn, "queryChrmI", ci.SerializeAsString());
  s.cmd({{"cmd", "addToBlacklist"}, {"id", 45}, {"userId", "userX"}});
  s.answer(conn, "addBlack", "");
  s.cmd({{"cmd", "removeFromBlacklist"}, {"id", 46}, {"userId", "userY"}});
  s.answer(conn, "rmBlack", "");
  s.cmd({{"cmd", "getBlacklistStatus"}, {"id", 47}, {"userId", "userX"}});
  pb::QueryBlackListOutput bl;
  bl.add_userids("userZ");
  bl.add_userids("userX");
  s.answer(conn, "blackStat", bl.SerializeAsString());
  s.cmd({{"cmd", "getBlacklistStatus"}, {"id", 48}, {"userId", "userQ"}});
  s.answer(conn, "blackStat", bl.SerializeAsString());
  s.cmd({{"cmd", "getBlacklistStatus"}, {"id", 49}, {"userId", "userX"}});
  s.answer(conn, "blackStat", "\x0a\x09");  // truncated: not listed
  s.cmd({{"cmd", "getBlacklist"}, {"id", 50}});
  s.answer(conn, "qryBlack", bl.SerializeAsString() + bytes_of({0x0a, 0x00}) + varint_field(9, 1) + varint_field(1, 1));
  s.cmd({{"cmd", "getBlacklist"}, {"id", 54}});
  s.answer(conn, "qryBlack", bl.SerializeAsString() + bytes_of({0x0a, 0x48}));
  s.cmd({{"cmd", "getBlacklist"}, {"id", 51}});
  s.answer(conn, "qryBlack", "\xff");
  s.cmd({{"cmd", "query"}, {"id", 52}, {"topic", "pullUS"}, {"body", {{"version", 3}}}});
  s.answer(conn, "pullUS", "\x10\x05");
  s.cmd({{"cmd", "quitChatroom"}, {"id", 53}, {"chatroomId", "room1"}});
  s.answer(conn, "exitChrm", "");

  s.note("payloads the way other encoders or hostile peers write them");
  // Unknown fields of every wire type, a repeated singular field (the last wins), a
  // repeated message field (merged), fields out of order.
  std::string odd = downstream("userB", pb::PERSON, "RC:TxtMsg", R"({"content":"odd"})", 1700000001000, "O-1")
                        .SerializeAsString();
  odd += varint_field(99, 5) + bytes_of({0xa2, 0x06, 0x02, 'x', 'y'}) + bytes_of({0x1d, 1, 2, 3, 4}) +
         bytes_of({0x19, 1, 2, 3, 4, 5, 6, 7, 8}) + bytes_of({0xab, 0x02, 0x08, 0x01, 0xac, 0x02});
  odd += varint_field(7, 48 | 64);   // status again: the last wins
  odd += len_field(1, "userB2");    // fromUserId again
  odd += bytes_of({0x92, 0x01, 0x02, 0x0a, 0x00}) + bytes_of({0x92, 0x01, 0x03, 0x1a, 0x01, 'p'});  // pushExt twice
  s.publish(conn, "s_msg", odd, 1, false, 40);
  // Invalid enum value (type 12): protobuf-lite sets no value, so the required field is missing.
  std::string bad_enum = downstream("userB", pb::PERSON, "RC:TxtMsg", "{}", 1700000001100, "O-2").SerializeAsString();
  pb::DownStreamMessage no_type = downstream("userB", pb::PERSON, "RC:TxtMsg", "{}", 1700000001100, "O-2");
  no_type.clear_type();
  s.publish(conn, "s_msg", no_type.SerializePartialAsString() + varint_field(2, 12), 1, false, 41);
  s.publish(conn, "s_msg", no_type.SerializePartialAsString() + varint_field(2, 0), 1, false, 39);
  // An invalid enum value after a valid one: the valid one stays.
  s.publish(conn, "s_msg", bad_enum + varint_field(2, 12) + len_field(9, "O-3"), 1, false, 42);
  // Enum sent as a 64-bit varint whose low 32 bits are 3 (GROUP).
  s.publish(conn, "s_msg", bad_enum + varint_field(2, (uint64_t{1} << 32) | 3) + len_field(9, "O-4") + len_field(3, "g1"),
            1, false, 43);
  // Strings that are not UTF-8 (CESU-8 surrogates, a stray byte).
  s.publish(conn, "s_msg",
            downstream("us\xc0r", pb::PERSON, "RC:TxtMsg", "{\"content\":\"\xed\xa0\xbd\xed\xb8\x80\"}", 1700000001200,
                       "O-5\xff")
                .SerializeAsString(),
            1, false, 44);
  // A wrong wire type for a known field: kept as an unknown field.
  s.publish(conn, "s_msg", bad_enum + bytes_of({0x50, 0x01}) + len_field(10, "zz") + len_field(9, "O-6"), 1, false, 45);
  // Missing required field (no status), truncated, group end, field 0.
  pb::DownStreamMessage partial = downstream("userB", pb::PERSON, "RC:TxtMsg", "{}", 1700000001300, "O-7");
  partial.clear_status();
  s.publish(conn, "s_msg", partial.SerializePartialAsString(), 1, false, 46);
  s.publish(conn, "s_msg", bad_enum.substr(0, bad_enum.size() - 1), 1, false, 47);
  s.publish(conn, "s_msg", bad_enum + bytes_of({0x0c}), 1, false, 48);
  s.publish(conn, "s_msg", bad_enum + bytes_of({0x00}), 1, false, 49);
  s.publish(conn, "s_msg", bad_enum + bytes_of({0x02, 0x00}), 1, false, 50);
  // Overlong varints: a 10-byte status, a 6-byte length.
  s.publish(conn, "s_msg",
            bad_enum + bytes_of({0x38, 0x90, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}) + len_field(9, "O-8"), 1,
            false, 51);
  s.publish(conn, "s_msg", bad_enum + bytes_of({0x4a, 0x83, 0x80, 0x80, 0x80, 0x80, 0x00, 'O', '-', '9'}), 1, false, 52);
  // s_ntf: missing the required type; a bad payload; a pull answer that does not parse.
  s.publish(conn, "s_ntf", varint_field(2, 1700000002000), 1, false, 53);
  s.publish(conn, "s_ntf", n.SerializeAsString(), 1, false, 54);
  s.answer(conn, "pullMsg", "\x08");
  s.publish(conn, "s_ntf", n.SerializeAsString() + varint_field(2, 1700000003000), 1, false, 55);
  // A pull answer with a packed-looking list and a nested message that misses a required field.
  pb::DownStreamMessages mixed;
  *mixed.add_list() = downstream("userG", pb::PERSON, "RC:TxtMsg", R"({"content":"m1"})", 1700000003000, "M-1");
  mixed.set_synctime(1700000003000);
  s.answer(conn, "pullMsg", mixed.SerializeAsString() + len_field(1, varint_field(2, 1)));
  s.answer(conn, "pullMsg", mixed.SerializeAsString() + varint_field(3, 1));

  s.note("timers: pings, the periodic pull, a request timeout; then a drop and reconnect");
  s.timer(h.now + 20'000);
  s.server(conn, codec::PingResp{});
  s.cmd({{"cmd", "getBlacklist"}, {"id", 60}});
  s.timer(h.now + 200'000);
  s.cmd({{"cmd", "sendMessage"}, {"id", 61}, {"conversationType", 1}, {"targetId", "userB"},
         {"objectName", "RC:TxtMsg"}, {"content", {{"content", "queued"}}}});
  s.note("transport closed; reconnect, the outbox and read marks go again");
  s.closed(conn);
  s.timer(h.now + 60'000);
  s.server(2, connack("userA", 1700000500000));
  s.answer(2, "pullMsg", empty_pull_payload(1700000003000));
  s.puback(2, "ppMsgP", "S-9");
  s.cmd({{"cmd", "logout"}});
}

void comet_run(Script& s, Harness& h) {
  s.note("comet: connect, pull, send, pushes");
  s.cmd({{"cmd", "connect"}, {"id", 1}, {"token", "tok-userA"}, {"hosts", {"h:80"}}, {"transport", "comet"}});
  const uint32_t conn = 1;
  s.comet(conn, {{"status", 0}, {"userId", "userA"}, {"sessionid", "s1"}, {"timestamp", 1700000000000}});
  (void)h;
  s.comet(conn, json::array({{{"headerCode", 98}, {"messageId", 2}, {"status", 0},
                              {"data", R"({"list":[{"fromUserId":"userB","type":1,"classname":"RC:TxtMsg","content":"{\"content\":\"hi\"}","dataTime":1700000000500,"status":48,"msgId":"C-1","direction":2}],"syncTime":1700000000500,"finished":true})"}}}));
  s.comet(conn, json::array({{{"headerCode", 98}, {"messageId", 3}, {"status", 0},
                              {"data", R"({"info":[{"type":1,"userId":"userB","unreadCount":2,"msg":{"fromUserId":"userB","type":1,"classname":"RC:TxtMsg","content":"{}","dataTime":1700000000500,"status":48,"msgId":"C-1"}}]})"}}}));
  // The pull that began without a position is confirmed by the next one (4).
  s.comet(conn, json::array({{{"headerCode", 98}, {"messageId", 4}, {"status", 0},
                              {"data", R"({"list":[],"syncTime":1700000000500,"finished":true})"}}}));
  s.cmd({{"cmd", "sendMessage"}, {"id", 2}, {"conversationType", 1}, {"targetId", "userB"},
         {"objectName", "RC:TxtMsg"}, {"content", {{"content", "yo"}}}});
  s.comet(conn, json::array({{{"headerCode", 64}, {"messageId", 5}, {"status", 0}, {"timestamp", 1700000000900}, {"messageUId", "C-2"}}}));
  s.comet(conn, json::array({{{"headerCode", 50}, {"messageId", 5}, {"topic", "s_msg"}, {"targetId", "userA"},
                              {"data", R"({"fromUserId":"userC","type":1,"classname":"RC:TxtMsg","content":"{\"content\":\"c\"}","dataTime":1700000001000,"status":48,"msgId":"C-3","unknownKey":1})"}},
                             {{"headerCode", 50}, {"messageId", 6}, {"topic", "s_ntf"}, {"targetId", "userA"},
                              {"data", R"({"type":1,"time":1700000002000})"}}}));
  s.cmd({{"cmd", "getHistory"}, {"id", 3}, {"conversationType", 1}, {"targetId", "userB"}});
  s.comet(conn, json::array({{{"headerCode", 98}, {"messageId", 7}, {"status", 0},
                              {"data", R"({"list":[],"syncTime":0,"hasMsg":0})"}}}));
  s.comet(conn, "not json");
}

std::string run_transcript() {
  std::ostringstream all;
  {
    Harness h(7);
    Script s(h);
    websocket_run(s, h);
    all << s.text();
  }
  {
    Harness h(8);
    Script s(h);
    comet_run(s, h);
    all << s.text();
  }
  return all.str();
}

TEST(SessionTranscript, ReproducesTheRecordedRunExactly) {
  const std::string path = std::string(PARLEY_FIXTURE_DIR) + "/session_transcript.txt";
  const std::string now = run_transcript();
  if (std::getenv("PARLEY_RECORD_TRANSCRIPT")) {
    std::ofstream(path, std::ios::binary) << now;
    GTEST_SKIP() << "recorded " << path;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "missing " << path;
  std::stringstream want;
  want << in.rdbuf();
  // Line by line, so a failure names the first step that differs.
  std::istringstream a(want.str()), b(now);
  std::string la, lb;
  int line = 0;
  for (;;) {
    ++line;
    const bool ga = static_cast<bool>(std::getline(a, la));
    const bool gb = static_cast<bool>(std::getline(b, lb));
    if (!ga && !gb) break;
    ASSERT_EQ(la, lb) << "first difference at line " << line;
  }
}

}  // namespace
}  // namespace parley::testing
