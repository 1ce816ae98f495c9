// Randomised fault injection (STYLE.md 9): two Sessions chat through a FakeServer over
// simulated links that drop, duplicate, delay (and so reorder) frames, cut connections
// and reload "pages" (a new Session restored from what was persisted) at random points.
// Everything runs on a virtual clock from fixed seeds, so a failure replays exactly.
//
// After the faults stop and the system settles, the invariants must hold:
//  1. each message an app sent reaches the peer's app exactly once, or ends FAILED
//     (then at most once); the server stores it at most once;
//  2. each message the server holds reaches the recipient's app exactly once;
//  3. per conversation, the recipient sees messages in the sender's order;
//  4. unread counts equal the counted messages from the peer since the last read mark,
//     and the client's count equals the server's.
// PARLEY_SIM_RUNS overrides the number of runs (default 2000; the heavy-fault test runs a
// quarter as many), PARLEY_SIM_FIRST the first seed (to sweep new seeds by hand).
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <queue>
#include <random>

#include "tests/session/fake_server.h"
#include "tests/session/harness.h"

namespace parley::testing {
namespace {

struct Faults {
  double drop = 0.03;        // a frame is lost
  double duplicate = 0.03;   // a frame arrives twice
  int64_t max_delay = 400;   // ms of random latency per frame (reorders)
  double cut_per_second = 0.01;     // a live connection is cut
  double reload_per_second = 0.002;  // a page reloads (new Session from storage)
};

class Simulation {
 public:
  Simulation(uint64_t seed, Faults faults) : rng_(seed), faults_(faults), seed_(seed) {
    for (const char* user : {"alice", "bob"}) {
      auto c = std::make_unique<Client>();
      c->user = user;
      c->peer = std::string(user) == "alice" ? "bob" : "alice";
      clients_.push_back(std::move(c));
    }
    for (size_t i = 0; i < clients_.size(); ++i) start_session(i);
  }

  void run(int messages_each, int64_t active_ms, int64_t settle_ms) {
    const int64_t t0 = now_;
    // Sends spread over the active period.
    for (size_t i = 0; i < clients_.size(); ++i)
      for (int k = 0; k < messages_each; ++k)
        at(t0 + static_cast<int64_t>(rng_() % static_cast<uint64_t>(active_ms)), [this, i] { app_send(i); });
    // Read marks now and then.
    for (size_t i = 0; i < clients_.size(); ++i)
      for (int k = 0; k < 3; ++k)
        at(t0 + static_cast<int64_t>(rng_() % static_cast<uint64_t>(active_ms)), [this, i] { app_clear(i); });
    // Faults during the active period, checked every second.
    for (int64_t t = t0; t < t0 + active_ms; t += 1000) at(t, [this] { maybe_fault(); });
    faults_on_ = true;
    at(t0 + active_ms, [this] { faults_on_ = false; });
    drain(t0 + active_ms + settle_ms);
  }

  void check() {
    SCOPED_TRACE("seed " + std::to_string(seed_));
    for (size_t i = 0; i < clients_.size(); ++i) {
      Client& from = *clients_[i];
      Client& to = *clients_[1 - i];
      // 1. every sent message: exactly once if SENT, at most once if FAILED, never lost silently.
      std::map<std::string, int> received;
      std::vector<int> order;
      for (const auto& m : to.received) {
        if (m["senderUserId"] != from.user) continue;
        const std::string tag = m["content"]["content"].get<std::string>();
        ++received[tag];
        order.push_back(std::stoi(tag.substr(tag.find('#') + 1)));
      }
      std::map<std::string, int> stored;
      for (const auto& m : server_.log())
        if (m.from == from.user) ++stored[json::parse(m.content)["content"].get<std::string>()];
      auto count = [](const std::map<std::string, int>& m, const std::string& k) {
        auto it = m.find(k);
        return it == m.end() ? 0 : it->second;
      };
      for (const auto& [tag, state] : from.final_state) {
        ASSERT_LE(count(stored, tag), 1) << tag << " stored twice";
        ASSERT_LE(count(received, tag), 1) << tag << " delivered twice";
        if (state == session::kSent) {
          ASSERT_EQ(count(received, tag), 1) << tag << " acknowledged but never delivered";
        } else {
          ASSERT_EQ(state, session::kFailed) << tag << " still pending after settling";
          ASSERT_EQ(count(received, tag), count(stored, tag)) << tag;
        }
      }
      ASSERT_EQ(from.final_state.size(), static_cast<size_t>(from.sent)) << "a send never ended";
      if (std::getenv("PARLEY_SIM_DEBUG")) {
        std::printf("%s: status=%d inbox=%lld received=%zu\n", to.user.c_str(),
                    static_cast<int>(to.session->status()), (long long)to.session->inbox_time(), to.received.size());
        for (const auto& m : server_.log())
          std::printf("  stored %s->%s %s t=%lld\n", m.from.c_str(), m.to.c_str(), m.content.c_str(), (long long)m.time);
      }
      // 2. everything the server holds reaches the app once.
      for (const auto& [tag, n] : stored) ASSERT_EQ(count(received, tag), 1) << tag << " held by the server";
      for (const auto& [tag, n] : received) ASSERT_EQ(count(stored, tag), 1) << tag << " received but never stored";
      // 3. sender order.
      for (size_t k = 1; k < order.size(); ++k) ASSERT_LT(order[k - 1], order[k]) << "order broken";
      // 4. unread counts.
      const int64_t read_time = server_.read_time(to.user, from.user);
      int64_t expected = 0;
      for (const auto& m : to.received)
        if (m["senderUserId"] == from.user && m["isCounted"] == true && m["sentTime"].get<int64_t>() > read_time)
          ++expected;
      const auto* conv = to.session->conversations().find(1, from.user);
      const int64_t local = conv ? conv->unread : 0;
      if (local != expected && std::getenv("PARLEY_SIM_DEBUG")) {
        std::printf("to=%s from=%s server_read=%lld local_read=%lld server_unread=%lld\n", to.user.c_str(),
                    from.user.c_str(), (long long)read_time, conv ? (long long)conv->read_time : -1LL,
                    (long long)server_.unread(to.user, from.user));
        for (const auto& m : to.received)
          if (m["senderUserId"] == from.user)
            std::printf("  recv %s t=%lld\n", m["content"]["content"].get<std::string>().c_str(),
                        (long long)m["sentTime"].get<int64_t>());
      }
      ASSERT_EQ(local, expected) << "client unread drifted";
      ASSERT_EQ(server_.unread(to.user, from.user), expected) << "server unread drifted";
    }
  }

  int64_t frames_delivered() const { return frames_; }

 private:
  struct Client {
    std::string user, peer;
    std::unique_ptr<session::Session> session;
    std::map<std::string, std::string> store;
    uint64_t timer_generation = 0;    // stale SetTimer events are skipped
    uint64_t page_generation = 0;     // events for a reloaded page's Session are skipped
    int64_t next_callback = 100;
    int sent = 0;
    std::map<int64_t, std::string> callbacks;     // callback id -> tag
    std::map<std::string, int> final_state;       // tag -> SENT/FAILED
    std::vector<json> received;         // "message" events, in order
  };
  struct Link {
    size_t client;
    uint32_t client_conn;
    bool alive = true;
  };
  struct Event {
    int64_t t;
    uint64_t seq;
    std::function<void()> fn;
    bool operator<(const Event& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };

  void at(int64_t t, std::function<void()> fn) { queue_.push(Event{t, seq_++, std::move(fn)}); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int64_t latency() { return 5 + static_cast<int64_t>(rng_() % static_cast<uint64_t>(faults_.max_delay)); }

  void drain(int64_t until) {
    while (!queue_.empty() && queue_.top().t <= until) {
      Event e = queue_.top();
      queue_.pop();
      now_ = std::max(now_, e.t);
      e.fn();
    }
    now_ = until;
  }

  void start_session(size_t i) {
    Client& c = *clients_[i];
    session::SessionConfig cfg;
    cfg.app_key = "app";
    c.session = std::make_unique<session::Session>(cfg, rng_());
    c.session->restore(c.store);
    ++c.timer_generation;
    ++c.page_generation;
    apply(i, c.session->command(now_, {{"cmd", "connect"}, {"id", 1}, {"token", "tok:" + c.user},
                                       {"hosts", {"h1", "h2"}}}));
  }

  void app_send(size_t i) {
    Client& c = *clients_[i];
    const std::string tag = c.user + "#" + std::to_string(c.sent++);
    const int64_t id = c.next_callback++;
    c.callbacks[id] = tag;
    apply(i, c.session->command(now_, {{"cmd", "sendMessage"}, {"id", id}, {"conversationType", 1},
                                       {"targetId", c.peer}, {"objectName", "RC:TxtMsg"},
                                       {"content", {{"content", tag}}}}));
  }

  void app_clear(size_t i) {
    Client& c = *clients_[i];
    apply(i, c.session->command(now_, {{"cmd", "clearUnreadCount"}, {"id", 1},
                                       {"conversationType", 1}, {"targetId", c.peer}}));
  }

  void maybe_fault() {
    if (!faults_on_) return;
    if (chance(faults_.cut_per_second)) {
      std::vector<int> live;
      for (const auto& [id, l] : links_)
        if (l.alive) live.push_back(id);
      if (!live.empty()) cut(live[rng_() % live.size()]);
    }
    if (chance(faults_.reload_per_second)) {
      const size_t i = rng_() % clients_.size();
      for (auto& [id, l] : links_)
        if (l.client == i && l.alive) {
          l.alive = false;
          server_.drop(id);
        }
      start_session(i);  // callbacks of the old page are gone; its outbox is not
    }
  }

  void cut(int link_id) {
    Link& l = links_[link_id];
    l.alive = false;
    server_.drop(link_id);
    const size_t i = l.client;
    const uint32_t conn = l.client_conn;
    const uint64_t gen = clients_[i]->page_generation;
    at(now_ + latency(), [this, i, conn, gen] {
      if (clients_[i]->page_generation != gen) return;
      apply(i, clients_[i]->session->on_transport_closed(now_, conn));
    });
  }

  // Delivers a frame to the server over link `id`, with faults.
  void to_server(int id, const std::string& bytes) {
    const int copies = faults_on_ && chance(faults_.duplicate) ? 2 : 1;
    for (int k = 0; k < copies; ++k) {
      if (faults_on_ && chance(faults_.drop)) continue;
      at(now_ + latency(), [this, id, bytes] {
        auto it = links_.find(id);
        if (it == links_.end() || !it->second.alive) return;
        auto f = codec::decode_client_frame(bytes);
        ASSERT_TRUE(f.ok());
        for (auto& [conn, frame] : server_.handle(now_, id, f.value())) to_client(conn, frame);
      });
    }
  }

  void to_client(int id, const codec::ServerFrame& frame) {
    const std::string bytes = frame_bytes(frame);
    const int copies = faults_on_ && chance(faults_.duplicate) ? 2 : 1;
    for (int k = 0; k < copies; ++k) {
      if (faults_on_ && chance(faults_.drop)) continue;
      at(now_ + latency(), [this, id, bytes] {
        auto it = links_.find(id);
        if (it == links_.end() || !it->second.alive) return;
        ++frames_;
        const size_t i = it->second.client;
        apply(i, clients_[i]->session->on_bytes(now_, it->second.client_conn, bytes));
      });
    }
  }

  void apply(size_t i, const session::Actions& actions) {
    Client& c = *clients_[i];
    for (const auto& a : actions) {
      if (std::getenv("PARLEY_SIM_TRACE") && !std::holds_alternative<session::EmitEvent>(a) &&
          !std::holds_alternative<session::PersistValue>(a) && !std::holds_alternative<session::SetTimer>(a))
        std::printf("%lld %s action %s\n", (long long)(now_ - 1'700'000'000'000), c.user.c_str(),
                    session::action_to_json(a, nullptr).dump().substr(0, 200).c_str());
      if (auto* o = std::get_if<session::OpenTransport>(&a)) {
        const int id = next_link_++;
        links_[id] = Link{i, o->conn, true};
        const std::string user = c.user;
        at(now_ + latency(), [this, id, user] {
          if (!links_[id].alive) return;
          server_.accept(id, user);
          to_client(id, connack(user, static_cast<uint64_t>(now_)));
        });
      } else if (auto* cl = std::get_if<session::CloseTransport>(&a)) {
        for (auto& [id, l] : links_)
          if (l.client == i && l.client_conn == cl->conn && l.alive) {
            l.alive = false;
            server_.drop(id);
          }
      } else if (auto* s = std::get_if<session::SendBytes>(&a)) {
        for (auto& [id, l] : links_)
          if (l.client == i && l.client_conn == s->conn && l.alive) to_server(id, s->bytes);
      } else if (auto* e = std::get_if<session::EmitEvent>(&a)) {
        on_event(c, *e);
      } else if (auto* p = std::get_if<session::PersistValue>(&a)) {
        if (p->erase) c.store.erase(p->key); else c.store[p->key] = p->value;
      } else if (auto* t = std::get_if<session::SetTimer>(&a)) {
        const uint64_t gen = ++c.timer_generation;
        if (t->deadline_ms >= 0) {
          at(std::max(now_, t->deadline_ms), [this, i, gen] {
            if (clients_[i]->timer_generation != gen) return;
            apply(i, clients_[i]->session->on_timer(now_));
          });
        }
      }
    }
  }

  void on_event(Client& c, const session::EmitEvent& e) {
    if (std::getenv("PARLEY_SIM_TRACE") && e.type != "conversation")
      std::printf("%lld %s %s %s\n", (long long)(now_ - 1'700'000'000'000), c.user.c_str(), e.type.c_str(),
                  e.data.dump().substr(0, 160).c_str());
    if (e.type == "message") {
      c.received.push_back(e.data["message"]);
    } else if (e.type == "result") {
      auto it = c.callbacks.find(e.data["id"].get<int64_t>());
      if (it == c.callbacks.end()) return;
      const auto& msg = e.data["data"]["message"];
      c.final_state[it->second] = msg["sentStatus"].get<int>();
      c.callbacks.erase(it);
    } else if (e.type == "outbox") {  // outcome of a message sent before a reload
      const auto& msg = e.data["message"];
      const int state = msg["sentStatus"].get<int>();
      if (state == session::kSent || state == session::kFailed)
        c.final_state[msg["content"]["content"].get<std::string>()] = state;
    }
  }

  std::mt19937_64 rng_;
  Faults faults_;
  uint64_t seed_;
  bool faults_on_ = false;
  int64_t now_ = 1'700'000'000'000;
  uint64_t seq_ = 0;
  std::priority_queue<Event> queue_;
  FakeServer server_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::map<int, Link> links_;
  int next_link_ = 1;
  int64_t frames_ = 0;
};

int runs() {
  const char* env = std::getenv("PARLEY_SIM_RUNS");
  return env ? std::max(1, std::atoi(env)) : 2000;
}

TEST(SessionRandomised, ExactlyOnceInOrderWithoutDriftUnderFaults) {
  const int n = runs();
  const int first = std::getenv("PARLEY_SIM_FIRST") ? std::atoi(std::getenv("PARLEY_SIM_FIRST")) : 1;
  int64_t frames = 0;
  for (int seed = first; seed < first + n; ++seed) {
    Simulation sim(static_cast<uint64_t>(seed), Faults{});
    sim.run(/*messages_each=*/12, /*active_ms=*/5 * 60 * 1000, /*settle_ms=*/15 * 60 * 1000);
    sim.check();
    if (::testing::Test::HasFatalFailure()) return;
    frames += sim.frames_delivered();
  }
  std::printf("[ SIM ] %d runs (seeds %d..%d), %lld frames delivered to clients\n", n, first,
              first + n - 1, static_cast<long long>(frames));
}

TEST(SessionRandomised, HeavyFaults) {
  const int n = std::max(1, runs() / 4);
  const int first = std::getenv("PARLEY_SIM_FIRST") ? 100000 + std::atoi(std::getenv("PARLEY_SIM_FIRST")) : 100001;
  for (int seed = first; seed < first + n; ++seed) {
    Faults f;
    f.drop = 0.15;
    f.duplicate = 0.15;
    f.max_delay = 2000;
    f.cut_per_second = 0.05;
    f.reload_per_second = 0.01;
    Simulation sim(static_cast<uint64_t>(seed), f);
    sim.run(8, 3 * 60 * 1000, 20 * 60 * 1000);
    sim.check();
    if (::testing::Test::HasFatalFailure()) return;
  }
  std::printf("[ SIM ] heavy faults: %d runs (seeds %d..%d)\n", n, first, first + n - 1);
}

}  // namespace
}  // namespace parley::testing
