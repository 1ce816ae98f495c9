// rmtp: decode and encode RongCloud v2 frames for people debugging traffic.
//
//   rmtp decode --from client|server [--ack-topic TOPIC] [HEX ...]
//   rmtp encode --from client|server
//
// decode: each argument (or each stdin line) is one frame as hex, spaces allowed; prints
// one JSON object per frame (frame_json.h). A frame that does not decode prints
// {"error": "..."} and the exit status becomes 1. QUERYACK carries no topic: pass
// --ack-topic (e.g. pullMsg) to decode its body, else it is shown as bodyHex.
// encode: reads those JSON objects, one per line, and prints each frame as hex.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "codec/frame.h"
#include "codec/frame_json.h"
#include "codec/hex.h"

using json = parley::Json;
using namespace parley;
using namespace parley::codec;

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: rmtp decode --from client|server [--ack-topic TOPIC] [HEX ...]\n"
               "       rmtp encode --from client|server   (JSON lines on stdin)\n");
  return 2;
}

std::string spaced_hex(const std::string& bytes) {
  std::string hex = to_hex(bytes), out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i) out.push_back(' ');
    out.append(hex, i, 2);
  }
  return out;
}

void print_error(const std::string& message) {
  std::cout << json{{"error", message}}.dump() << "\n";
}

bool decode_one(const std::string& line, bool from_client, const std::string& ack_topic) {
  std::string bytes;
  if (!from_hex(line, bytes)) {
    print_error("not a hex string");
    return false;
  }
  Result<json> out = from_client ? [&]() -> Result<json> {
    auto f = decode_client_frame(bytes);
    if (!f) return f.error();
    return frame_to_json(f.value());
  }()
                                 : [&]() -> Result<json> {
    auto f = decode_server_frame(bytes);
    if (!f) return f.error();
    return frame_to_json(f.value(), ack_topic);
  }();
  if (!out) {
    print_error(out.error().message);
    return false;
  }
  std::cout << out.value().dump() << "\n";
  return true;
}

bool encode_one(const std::string& line, bool from_client) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) {
    print_error("not valid JSON");
    return false;
  }
  Result<std::string> bytes = from_client ? [&]() -> Result<std::string> {
    auto f = client_frame_from_json(j);
    if (!f) return f.error();
    return encode_client_frame(f.value());
  }()
                                          : [&]() -> Result<std::string> {
    auto f = server_frame_from_json(j);
    if (!f) return f.error();
    return encode_server_frame(f.value());
  }();
  if (!bytes) {
    print_error(bytes.error().message);
    return false;
  }
  std::cout << spaced_hex(bytes.value()) << "\n";
  return true;
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r") == std::string::npos; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string command = argv[1];
  std::string from, ack_topic;
  std::vector<std::string> inputs;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--from" && i + 1 < argc) {
      from = argv[++i];
    } else if (arg == "--ack-topic" && i + 1 < argc) {
      ack_topic = argv[++i];
    } else {
      inputs.push_back(arg);
    }
  }
  if ((command != "decode" && command != "encode") || (from != "client" && from != "server"))
    return usage();
  const bool from_client = from == "client";
  // Hex arguments may be split by the shell ("32 00 06 ..."): join them into one frame.
  if (command == "decode" && !inputs.empty()) {
    std::string joined;
    for (auto& s : inputs) joined += s;
    inputs = {joined};
  }
  bool all_ok = true;
  auto handle = [&](const std::string& line) {
    if (blank(line)) return;
    const bool ok = command == "decode" ? decode_one(line, from_client, ack_topic)
                                        : encode_one(line, from_client);
    all_ok = all_ok && ok;
  };
  if (!inputs.empty() && command == "decode") {
    for (auto& in : inputs) handle(in);
  } else {
    std::string line;
    while (std::getline(std::cin, line)) handle(line);
  }
  return all_ok ? 0 : 1;
}
