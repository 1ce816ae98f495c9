// Test harness for the Session: a fake clock, helpers to pick actions apart, and a
// scripted peer that answers what a server must answer (CONNACK, pongs, empty pulls).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "codec/frame.h"
#include "rongcloud.pb.h"
#include "session/session.h"

namespace parley::testing {

using json = parley::Json;
using session::Action;
using session::Actions;

inline std::vector<session::OpenTransport> opens(const Actions& a) {
  std::vector<session::OpenTransport> out;
  for (const auto& x : a)
    if (auto* o = std::get_if<session::OpenTransport>(&x)) out.push_back(*o);
  return out;
}

inline std::vector<uint32_t> closes(const Actions& a) {
  std::vector<uint32_t> out;
  for (const auto& x : a)
    if (auto* c = std::get_if<session::CloseTransport>(&x)) out.push_back(c->conn);
  return out;
}

inline std::vector<codec::ClientFrame> frames(const Actions& a, uint32_t conn = 0) {
  std::vector<codec::ClientFrame> out;
  for (const auto& x : a) {
    if (auto* s = std::get_if<session::SendBytes>(&x)) {
      if (conn && s->conn != conn) continue;
      auto f = codec::decode_client_frame(s->bytes);
      EXPECT_TRUE(f.ok()) << "session sent an undecodable frame";
      if (f) out.push_back(f.value());
    }
  }
  return out;
}

inline std::vector<json> events(const Actions& a, const std::string& type) {
  std::vector<json> out;
  for (const auto& x : a)
    if (auto* e = std::get_if<session::EmitEvent>(&x))
      if (e->type == type) out.push_back(e->data);
  return out;
}

inline std::vector<int> statuses(const Actions& a) {
  std::vector<int> out;
  for (const auto& e : events(a, "status")) out.push_back(e["status"].get<int>());
  return out;
}

// Carries out the PersistValue actions of `a` on `store`, as the shim does on localStorage.
inline void apply_persists(const Actions& a, std::map<std::string, std::string>& store) {
  for (const auto& x : a)
    if (auto* p = std::get_if<session::PersistValue>(&x)) {
      if (p->erase) store.erase(p->key); else store[p->key] = p->value;
    }
}

inline std::vector<json> results(const Actions& a, int64_t id) {
  std::vector<json> out;
  for (const auto& e : events(a, "result"))
    if (e["id"] == id) out.push_back(e);
  return out;
}

template <class T>
std::vector<T> of_type(const std::vector<codec::ClientFrame>& fs) {
  std::vector<T> out;
  for (const auto& f : fs)
    if (auto* x = std::get_if<T>(&f)) out.push_back(*x);
  return out;
}

inline std::string frame_bytes(const codec::ServerFrame& f) {
  auto b = codec::encode_server_frame(f);
  EXPECT_TRUE(b.ok());
  return b.ok() ? b.value() : std::string();
}

inline codec::ConnAck connack(const std::string& user, uint64_t ts = 1700000000000) {
  codec::ConnAck a;
  a.has_identity = true;
  a.user_id = user;
  a.session_id = "s-" + user;
  a.timestamp_ms = ts;
  return a;
}

inline std::string empty_pull_payload(int64_t sync_time = 0) {
  pb::DownStreamMessages m;
  m.set_synctime(sync_time);
  m.set_finished(true);
  return m.SerializeAsString();
}

// A Session on a fake clock, with a log of everything it asked for.
struct Harness {
  session::SessionConfig config;
  session::Session s;
  int64_t now = 1'000'000;
  Actions all;

  explicit Harness(uint64_t seed = 1, session::SessionConfig cfg = make_config())
      : config(cfg), s(cfg, seed) {}

  static session::SessionConfig make_config() {
    session::SessionConfig c;
    c.app_key = "appkey";
    return c;
  }

  Actions keep(Actions a) {
    all.insert(all.end(), a.begin(), a.end());
    return a;
  }
  Actions cmd(json c) { return keep(s.command(now, c)); }
  Actions server(uint32_t conn, const codec::ServerFrame& f) { return keep(s.on_bytes(now, conn, frame_bytes(f))); }
  Actions closed(uint32_t conn) { return keep(s.on_transport_closed(now, conn)); }
  // Advances the clock to `t`, firing every timer due on the way.
  Actions run_until(int64_t t) {
    Actions out;
    for (;;) {
      const int64_t d = s.next_deadline();
      if (d < 0 || d > t) break;
      now = std::max(now, d);
      auto a = keep(s.on_timer(now));
      out.insert(out.end(), a.begin(), a.end());
    }
    now = t;
    return out;
  }

  // connect + CONNACK on the first host; returns the live conn id.
  uint32_t connect(const std::string& user = "userA", std::vector<std::string> hosts = {"h1:80"}) {
    json host_list = json::array();
    for (const auto& h : hosts) host_list.push_back(h);
    auto a = cmd({{"cmd", "connect"}, {"id", 1}, {"token", "tok-" + user}, {"hosts", host_list}});
    auto o = opens(a);
    EXPECT_FALSE(o.empty());
    const uint32_t conn = o.empty() ? 0 : o[0].conn;
    server(conn, connack(user));
    return conn;
  }
};

}  // namespace parley::testing
