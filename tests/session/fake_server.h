// A small in-test IM server that speaks the binary protocol the way imserver does
// (private messages, pulls with sync times, clientUniqueId dedupe, read marks, unread
// counts, s_ntf), for driving Sessions through faults in a deterministic simulation.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "codec/frame.h"
#include "rongcloud.pb.h"
#include "session/message_model.h"

namespace parley::testing {

struct StoredMessage {
  std::string uid;
  int64_t time = 0;
  std::string from, to;
  std::string classname, content;
  bool counted = true;
  int64_t client_unique_id = 0;
};

class FakeServer {
 public:
  using Out = std::vector<std::pair<int, codec::ServerFrame>>;  // (server conn, frame)

  int batch_size = 5;  // small batches exercise the "finished" re-pull

  void accept(int conn, const std::string& user) { users_[conn] = user; }
  void drop(int conn) { users_.erase(conn); }

  // Handles one client frame; returns frames for any connection (replies, notifications).
  Out handle(int64_t now, int conn, const codec::ClientFrame& f) {
    Out out;
    auto it = users_.find(conn);
    if (it == users_.end()) return out;
    const std::string user = it->second;
    if (std::holds_alternative<codec::PingReq>(f)) {
      out.push_back({conn, codec::PingResp{}});
    } else if (auto* p = std::get_if<codec::ClientPublish>(&f)) {
      on_publish(now, conn, user, *p, out);
    } else if (auto* q = std::get_if<codec::ClientQuery>(&f)) {
      on_query(conn, user, *q, out);
    }
    return out;
  }

  const std::vector<StoredMessage>& log() const { return log_; }
  int64_t read_time(const std::string& user, const std::string& peer) const {
    auto it = read_.find({user, peer});
    return it == read_.end() ? 0 : it->second;
  }
  int64_t unread(const std::string& user, const std::string& peer) const {
    int64_t n = 0;
    for (const auto& m : log_)
      if (m.to == user && m.from == peer && m.counted && m.time > read_time(user, peer)) ++n;
    return n;
  }

 private:
  void on_publish(int64_t now, int conn, const std::string& user, const codec::ClientPublish& p, Out& out) {
    pb::UpStreamMessage up;
    if (!up.ParseFromString(p.payload) || p.topic != "ppMsgP") return;
    const auto key = std::make_pair(user, up.clientuniqueid());
    if (up.has_clientuniqueid()) {
      auto dup = acks_.find(key);
      if (dup != acks_.end()) {  // a repeat: the first answer, not a second message
        codec::ServerPubAck a = dup->second;
        a.message_id = p.message_id;
        out.push_back({conn, a});
        return;
      }
    }
    StoredMessage m;
    m.time = last_time_ = std::max(now, last_time_ + 1);
    m.uid = "UID-" + std::to_string(log_.size() + 1);
    m.from = user;
    m.to = p.target_id;
    m.classname = up.classname();
    m.content = up.content();
    m.counted = (up.sessionid() & 2) != 0;
    m.client_unique_id = up.clientuniqueid();
    log_.push_back(m);
    codec::ServerPubAck a{{}, p.message_id, static_cast<uint32_t>(m.time / 1000), 0,
                          static_cast<uint16_t>(m.time % 1000), m.uid};
    if (up.has_clientuniqueid()) acks_[key] = a;
    out.push_back({conn, a});
    pb::NotifyMsg n;
    n.set_type(1);
    n.set_time(m.time);
    for (const auto& [c, u] : users_)
      if (u == m.to) out.push_back({c, codec::ServerPublish{{1, false, false}, 0, "s_ntf", u, 1, n.SerializeAsString()}});
  }

  void on_query(int conn, const std::string& user, const codec::ClientQuery& q, Out& out) {
    codec::QueryAck ack{{}, q.message_id, 0, 0, ""};
    if (q.topic == "pullMsg") {
      pb::SyncRequestMsg req;
      req.ParseFromString(q.payload);
      pb::DownStreamMessages res;
      int64_t sync = req.synctime();
      int n = 0;
      bool finished = true;
      for (const auto& m : log_) {
        if (m.to != user || m.time <= req.synctime()) continue;
        if (n == batch_size) {
          finished = false;
          break;
        }
        auto* d = res.add_list();
        d->set_fromuserid(m.from);
        d->set_type(pb::PERSON);
        d->set_classname(m.classname);
        d->set_content(m.content);
        d->set_datatime(m.time);
        d->set_status(m.counted ? 48 : 16);
        d->set_msgid(m.uid);
        d->set_direction(2);
        sync = m.time;
        ++n;
      }
      res.set_synctime(sync);
      res.set_finished(finished);
      ack.payload = res.SerializeAsString();
    } else if (q.topic == "updRRTime") {
      pb::SessionMsgReadInput req;
      if (req.ParseFromString(q.payload)) {
        auto& t = read_[{user, req.channelid()}];
        t = std::max(t, static_cast<int64_t>(req.msgtime()));
      }
    } else if (q.topic == "qryRelationR") {
      pb::RelationsOutput res;
      std::set<std::string> peers;
      for (const auto& m : log_)
        if (m.to == user) peers.insert(m.from);
      for (const auto& peer : peers) {
        auto* info = res.add_info();
        info->set_type(pb::PERSON);
        info->set_userid(peer);
        info->set_unreadcount(unread(user, peer));
        info->set_readmsgtime(read_time(user, peer));
        for (auto it = log_.rbegin(); it != log_.rend(); ++it) {
          if (it->to == user && it->from == peer) {
            auto* d = info->mutable_msg();
            d->set_fromuserid(peer);
            d->set_type(pb::PERSON);
            d->set_classname(it->classname);
            d->set_content(it->content);
            d->set_datatime(it->time);
            d->set_status(48);
            d->set_msgid(it->uid);
            break;
          }
        }
      }
      ack.payload = res.SerializeAsString();
    } else if (q.topic == "pullSeAtts") {
      pb::SessionStates res;
      res.set_version(0);
      ack.payload = res.SerializeAsString();
    }
    out.push_back({conn, ack});
  }

  std::map<int, std::string> users_;
  std::vector<StoredMessage> log_;
  std::map<std::pair<std::string, int64_t>, codec::ServerPubAck> acks_;
  std::map<std::pair<std::string, std::string>, int64_t> read_;
  int64_t last_time_ = 0;
};

}  // namespace parley::testing
