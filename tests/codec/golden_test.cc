// Golden vectors (STYLE.md 3): every frame of tests/fixtures/golden_frames.txt decodes to
// the JSON written there, re-encodes to the same bytes, and its JSON encodes to the same
// bytes. The fixture is tied to the official vectors: every frame of the shared hex files
// must be in it, and our decode of the server frames must agree with what the official
// engine decoded from them.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>


#include "codec/frame.h"
#include "codec/frame_json.h"
#include "codec/hex.h"

namespace parley::codec::testing {

using json = parley::Json;

namespace {

template <class T>
::testing::AssertionResult IsOk(const Result<T>& r) {
  if (r.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "error " << static_cast<int>(r.error().code) << ": " << r.error().message;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return {};
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    out.push_back(line);
  }
  return out;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") + 1 - b);
}

// "32 00 06 ..." -> bytes; false on anything that is not pairs of hex digits.
bool parse_hex_pairs(const std::string& text, std::string& out) {
  std::istringstream in(text);
  for (std::string tok; in >> tok;) {
    if (tok.size() != 2 || !from_hex(tok, out)) return false;
  }
  return true;
}

// ---- the fixture file ---------------------------------------------------------------

struct GoldenFrame {
  std::string title;
  bool from_client = false;
  std::string ack_topic;
  std::string bytes;
  json expected;  // the "json:" line
  int line = 0;   // of the "==" line, for messages
};

std::string fixture_path() { return std::string(PARLEY_FIXTURE_DIR) + "/golden_frames.txt"; }

// Parses golden_frames.txt (format in its header). Malformed blocks are test failures.
std::vector<GoldenFrame> load_golden_frames() {
  std::vector<GoldenFrame> frames;
  const auto lines = lines_of(read_file(fixture_path()));
  GoldenFrame* cur = nullptr;
  bool has_from = false;
  auto finish = [&]() {
    if (!cur) return;
    if (!has_from || cur->bytes.empty() || cur->expected.is_null()) {
      ADD_FAILURE() << "golden_frames.txt:" << cur->line << ": incomplete block \"" << cur->title
                    << "\" (needs from:, hex lines and json:)";
    }
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    const int lineno = static_cast<int>(i + 1);
    if (trim(line).empty() || starts_with(trim(line), "#")) continue;
    if (starts_with(line, "== ")) {
      finish();
      frames.push_back(GoldenFrame{line.substr(3), false, "", "", json(), lineno});
      cur = &frames.back();
      has_from = false;
      continue;
    }
    if (!cur) {
      ADD_FAILURE() << "golden_frames.txt:" << lineno << ": text outside a block: " << line;
      continue;
    }
    if (starts_with(line, "from:")) {
      const std::string from = trim(line.substr(5));
      if (from != "client" && from != "server")
        ADD_FAILURE() << "golden_frames.txt:" << lineno << ": from must be client or server";
      cur->from_client = from == "client";
      has_from = true;
    } else if (starts_with(line, "ackTopic:")) {
      cur->ack_topic = trim(line.substr(9));
    } else if (starts_with(line, "json:")) {
      cur->expected = json::parse(line.substr(5), nullptr, /*allow_exceptions=*/false);
      if (cur->expected.is_discarded() || !cur->expected.is_object()) {
        ADD_FAILURE() << "golden_frames.txt:" << lineno << ": json: is not a JSON object";
        cur->expected = json();
      }
    } else if (!parse_hex_pairs(line.substr(0, line.find('|')), cur->bytes)) {
      ADD_FAILURE() << "golden_frames.txt:" << lineno << ": not hex bytes: " << line;
    }
  }
  finish();
  if (frames.empty()) ADD_FAILURE() << fixture_path() << " has no frames";
  return frames;
}

const std::vector<GoldenFrame>& golden_frames() {
  static const std::vector<GoldenFrame> frames = load_golden_frames();
  return frames;
}

std::string describe(const GoldenFrame& f) {
  return "golden_frames.txt:" + std::to_string(f.line) + " " + f.title;
}

// Decodes a golden frame and renders it as JSON, as tools/rmtp does.
Result<json> decode_to_json(const GoldenFrame& f) {
  if (f.from_client) {
    auto frame = decode_client_frame(f.bytes);
    if (!frame) return frame.error();
    return frame_to_json(frame.value());
  }
  auto frame = decode_server_frame(f.bytes);
  if (!frame) return frame.error();
  return frame_to_json(frame.value(), f.ack_topic);
}

Result<std::string> decode_and_reencode(const GoldenFrame& f) {
  if (f.from_client) {
    auto frame = decode_client_frame(f.bytes);
    if (!frame) return frame.error();
    return encode_client_frame(frame.value());
  }
  auto frame = decode_server_frame(f.bytes);
  if (!frame) return frame.error();
  return encode_server_frame(frame.value());
}

Result<std::string> encode_from_json(const GoldenFrame& f) {
  if (f.from_client) {
    auto frame = client_frame_from_json(f.expected);
    if (!frame) return frame.error();
    return encode_client_frame(frame.value());
  }
  auto frame = server_frame_from_json(f.expected);
  if (!frame) return frame.error();
  return encode_server_frame(frame.value());
}

// ---- the shared hex files -----------------------------------------------------------

// One hex blob of a shared file with the label line above it and, in the server file,
// the "engine decodes:" JSON below it.
struct SharedBlob {
  std::string label;
  std::string bytes;
  json engine;  // null when the file gives none
  bool is_frame = false;  // the label starts with a frame type name; else a bare protobuf
};

struct SharedFile {
  std::vector<SharedBlob> blobs;
  std::vector<std::string> labels_without_hex;  // "header ...", "writeUTF(...)" lines
};

bool names_a_frame(const std::string& label) {
  static const char* const kTypes[] = {"CONNACK", "PUBLISH", "PUBACK",   "QUERY",     "QUERYACK",
                                       "QUERYCON", "PINGREQ", "PINGRESP", "DISCONNECT"};
  const std::string first = label.substr(0, label.find(' '));
  for (const char* t : kTypes)
    if (first == t) return true;
  return false;
}

// Layout of hex_client_frames.txt / hex_server_frames.txt: an unindented label line, then
// indented lines: the bytes (bare, or after "hex:"), optionally "engine decodes: {json}".
SharedFile load_shared(const char* name) {
  SharedFile file;
  const std::string path = std::string(PARLEY_SHARED_PROTOCOL_DIR) + "/" + name;
  std::string label;
  bool label_used = true;
  for (const std::string& line : lines_of(read_file(path))) {
    if (trim(line).empty()) continue;
    if (line[0] != ' ') {
      if (!label_used) file.labels_without_hex.push_back(label);
      label = line;
      label_used = false;
      continue;
    }
    std::string body = trim(line);
    if (starts_with(body, "engine decodes:")) {
      if (file.blobs.empty()) {
        ADD_FAILURE() << name << ": engine decodes: without a hex line";
        continue;
      }
      file.blobs.back().engine = json::parse(body.substr(15), nullptr, false);
      if (file.blobs.back().engine.is_discarded())
        ADD_FAILURE() << name << ": bad engine JSON after " << file.blobs.back().label;
      continue;
    }
    if (starts_with(body, "engine formats as:")) continue;  // a formatted Message, not a frame
    if (starts_with(body, "hex:")) body = body.substr(4);
    SharedBlob blob;
    blob.label = label;
    blob.is_frame = names_a_frame(label);
    if (!parse_hex_pairs(body, blob.bytes) || blob.bytes.empty()) {
      ADD_FAILURE() << name << ": unreadable hex under \"" << label << "\": " << line;
      continue;
    }
    file.blobs.push_back(std::move(blob));
    label_used = true;
  }
  if (!label_used) file.labels_without_hex.push_back(label);
  size_t frames = 0;
  for (const auto& b : file.blobs) frames += b.is_frame ? 1 : 0;
  if (frames == 0) ADD_FAILURE() << path << ": no frames found (missing or changed format?)";
  return file;
}

const SharedFile& client_file() {
  static const SharedFile f = load_shared("hex_client_frames.txt");
  return f;
}
const SharedFile& server_file() {
  static const SharedFile f = load_shared("hex_server_frames.txt");
  return f;
}

const GoldenFrame* find_golden(bool from_client, const std::string& bytes) {
  for (const auto& g : golden_frames())
    if (g.from_client == from_client && g.bytes == bytes) return &g;
  return nullptr;
}

std::string payload_of(const ServerFrame& frame) {
  if (auto* p = std::get_if<ServerPublish>(&frame)) return p->payload;
  if (auto* q = std::get_if<QueryAck>(&frame)) return q->payload;
  return {};
}
std::string payload_of(const ClientFrame& frame) {
  if (auto* p = std::get_if<ClientPublish>(&frame)) return p->payload;
  if (auto* q = std::get_if<ClientQuery>(&frame)) return q->payload;
  return {};
}

// Our decode of a server frame in the official engine's vocabulary (the field names of
// its message objects): msgUId -> messageUId, millis -> millisecond, payload -> dataHex,
// dup -> dup and syncMsg. The engine reports `timestamp` on every frame: the CONNACK
// time, date*1000+millis for PUBACK, 0 for the rest.
json engine_view(const ServerFrame& frame, const json& ours) {
  json v;
  v["type"] = static_cast<int>(frame_type(frame));
  v["qos"] = ours.at("qos");
  v["dup"] = ours.at("dup");
  v["syncMsg"] = ours.at("dup");
  v["messageId"] = ours.value("messageId", 0);
  const std::pair<const char*, const char*> renamed[] = {
      {"status", "status"}, {"userId", "userId"},           {"date", "date"},
      {"topic", "topic"},   {"targetId", "targetId"},       {"messageUId", "msgUId"},
      {"millisecond", "millis"}};
  for (const auto& [engine, our] : renamed)
    if (ours.contains(our)) v[engine] = ours[our];
  uint64_t timestamp = 0;
  if (std::holds_alternative<ConnAck>(frame)) timestamp = ours.value("timestamp", uint64_t{0});
  if (auto* a = std::get_if<ServerPubAck>(&frame)) timestamp = uint64_t{a->date} * 1000 + a->millis;
  v["timestamp"] = timestamp;
  if (std::holds_alternative<ServerPublish>(frame) || std::holds_alternative<QueryAck>(frame))
    v["dataHex"] = to_hex(payload_of(frame));
  return v;
}

}  // namespace

// Declared in garbage_test.cc, which cuts and mangles the same frames.
void for_each_golden_frame(
    const std::function<void(const std::string& title, bool from_client,
                             const std::string& ack_topic, const std::string& bytes)>& visit) {
  for (const auto& f : golden_frames()) visit(describe(f), f.from_client, f.ack_topic, f.bytes);
}

namespace {

TEST(GoldenFixture, ParsesAndCoversBothDirections) {
  size_t client = 0, server = 0;
  for (const auto& f : golden_frames()) (f.from_client ? client : server)++;
  EXPECT_GT(client, 0u);
  EXPECT_GT(server, 0u);
  std::printf("[          ] %zu golden frames (%zu client->server, %zu server->client)\n",
              client + server, client, server);
}

TEST(GoldenFixture, DecodesToTheJsonLine) {
  for (const auto& f : golden_frames()) {
    SCOPED_TRACE(describe(f));
    auto out = decode_to_json(f);
    ASSERT_TRUE(IsOk(out));
    EXPECT_EQ(out.value(), f.expected) << "ours:    " << out.value().dump() << "\nfixture: "
                                       << f.expected.dump();
  }
}

TEST(GoldenFixture, DecodeThenEncodeReproducesTheBytes) {
  for (const auto& f : golden_frames()) {
    SCOPED_TRACE(describe(f));
    auto bytes = decode_and_reencode(f);
    ASSERT_TRUE(IsOk(bytes));
    EXPECT_EQ(to_hex(bytes.value()), to_hex(f.bytes));
  }
}

TEST(GoldenFixture, JsonLineEncodesToTheBytes) {
  for (const auto& f : golden_frames()) {
    SCOPED_TRACE(describe(f));
    auto bytes = encode_from_json(f);
    ASSERT_TRUE(IsOk(bytes));
    EXPECT_EQ(to_hex(bytes.value()), to_hex(f.bytes));
  }
}

TEST(SharedHexFiles, EveryFrameIsAGoldenFrame) {
  for (const auto* file : {&client_file(), &server_file()}) {
    const bool from_client = file == &client_file();
    for (const auto& blob : file->blobs) {
      if (!blob.is_frame) continue;
      EXPECT_NE(find_golden(from_client, blob.bytes), nullptr)
          << (from_client ? "client" : "server") << " frame \"" << blob.label
          << "\" of the shared hex files is missing from golden_frames.txt: "
          << to_hex(blob.bytes);
    }
  }
}

// The bare protobuf blobs of the shared files (UpStreamMessage, SyncRequestMsg,
// DownStreamMessage) must each be the payload of some golden frame, so that they are
// decoded and re-encoded there too.
TEST(SharedHexFiles, EveryBareProtobufIsAGoldenPayload) {
  size_t checked = 0;
  for (const auto* file : {&client_file(), &server_file()}) {
    for (const auto& blob : file->blobs) {
      if (blob.is_frame) continue;
      ++checked;
      bool found = false;
      for (const auto& g : golden_frames()) {
        if (g.from_client) {
          auto frame = decode_client_frame(g.bytes);
          found = found || (frame.ok() && payload_of(frame.value()) == blob.bytes);
        } else {
          auto frame = decode_server_frame(g.bytes);
          found = found || (frame.ok() && payload_of(frame.value()) == blob.bytes);
        }
      }
      EXPECT_TRUE(found) << "protobuf \"" << blob.label << "\" is no golden frame's payload";
    }
  }
  EXPECT_GT(checked, 0u);
}

TEST(SharedHexFiles, ServerFramesDecodeAsTheOfficialEngineDid) {
  size_t compared = 0;
  for (const auto& blob : server_file().blobs) {
    if (!blob.is_frame) continue;
    SCOPED_TRACE(blob.label);
    ASSERT_TRUE(blob.engine.is_object()) << "no \"engine decodes:\" line";
    const GoldenFrame* golden = find_golden(false, blob.bytes);
    auto frame = decode_server_frame(blob.bytes);
    ASSERT_TRUE(IsOk(frame));
    auto ours = frame_to_json(frame.value(), golden ? golden->ack_topic : std::string());
    ASSERT_TRUE(IsOk(ours));
    const json view = engine_view(frame.value(), ours.value());
    for (auto it = blob.engine.begin(); it != blob.engine.end(); ++it) {
      if (it.key() == "class") continue;  // the engine's class name
      ASSERT_TRUE(view.contains(it.key()))
          << "the engine reports \"" << it.key() << "\", which this test does not map";
      EXPECT_EQ(view[it.key()], it.value()) << "field " << it.key();
    }
    ++compared;
  }
  EXPECT_GT(compared, 0u);
  std::printf("[          ] %zu server frames compared with the engine's decode\n", compared);
}

// "header PUBACK qos=1 dup=0 retain=0 -> 0x42": the header byte of every frame type.
TEST(SharedHexFiles, HeaderBytes) {
  static const std::regex kHeader(R"(^header (\w+) qos=(\d) dup=(\d) retain=(\d) -> 0x([0-9a-f]{2})$)");
  static const std::pair<const char*, FrameType> kNames[] = {
      {"CONNACK", FrameType::kConnAck},       {"PUBLISH", FrameType::kPublish},
      {"PUBACK", FrameType::kPubAck},         {"QUERY", FrameType::kQuery},
      {"QUERYACK", FrameType::kQueryAck},     {"QUERYCON", FrameType::kQueryCon},
      {"PINGREQ", FrameType::kPingReq},       {"PINGRESP", FrameType::kPingResp},
      {"DISCONNECT", FrameType::kDisconnect}};
  size_t checked = 0;
  for (const auto& label : client_file().labels_without_hex) {
    std::smatch m;
    if (!std::regex_match(label, m, kHeader)) continue;
    SCOPED_TRACE(label);
    const FrameType* type = nullptr;
    for (const auto& [name, t] : kNames)
      if (m[1] == name) type = &t;
    ASSERT_NE(type, nullptr) << "unknown frame type name";
    EXPECT_STREQ(frame_type_name(*type), m[1].str().c_str());
    const Flags flags{static_cast<uint8_t>(std::stoi(m[2])), m[3] == "1", m[4] == "1"};
    EXPECT_EQ(header_byte(*type, flags), std::stoi(m[5], nullptr, 16));
    ++checked;
  }
  EXPECT_GT(checked, 0u) << "no header lines found in hex_client_frames.txt";
}

}  // namespace
}  // namespace parley::codec::testing
