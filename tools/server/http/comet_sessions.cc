#include "http/comet_sessions.h"

#include <climits>

namespace parley::server::http {

void CometSessions::open(im::ConnectionId id, std::string key, std::string pid) {
  by_key_[key] = id;
  Session s;
  s.key = std::move(key);
  s.pid = std::move(pid);
  sessions_[id] = std::move(s);
}

std::optional<im::ConnectionId> CometSessions::find_for_poll(std::string_view key, std::string_view pid) const {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  const Session& s = sessions_.at(it->second);
  if (s.pid != pid) return std::nullopt;
  return it->second;
}

std::optional<im::ConnectionId> CometSessions::find(std::string_view key, std::string_view pid) const {
  auto id = find_for_poll(key, pid);
  if (!id || sessions_.at(*id).closed) return std::nullopt;
  return id;
}

size_t CometSessions::queued_bytes(im::ConnectionId id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? 0 : it->second.queued_bytes;
}

bool CometSessions::enqueue(im::ConnectionId id, std::string frame_json) {
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.closed) return true;  // nobody to tell: dropped
  Session& s = it->second;
  if (s.queued_bytes + frame_json.size() > limits_.max_queue_bytes) return false;
  s.queued_bytes += frame_json.size();
  s.queue.push_back(std::move(frame_json));
  return true;
}

std::string CometSessions::drain(Session& s) {
  std::string body = "[";
  size_t taken = 0;
  while (!s.queue.empty()) {
    const std::string& f = s.queue.front();
    if (taken > 0 && body.size() + f.size() + 2 > limits_.max_response_bytes) break;
    if (taken++ > 0) body += ',';
    body += f;
    s.queued_bytes -= f.size();
    s.queue.pop_front();
  }
  body += ']';
  return body;
}

std::vector<PollAnswer> CometSessions::flush(im::ConnectionId id) {
  std::vector<PollAnswer> out;
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return out;
  Session& s = it->second;
  if (!s.held || s.queue.empty()) return out;
  const PollId poll = *s.held;
  s.held.reset();
  polls_.erase(poll);
  out.push_back({poll, drain(s)});
  if (s.closed && s.queue.empty()) forget(id);
  return out;
}

std::vector<PollAnswer> CometSessions::poll(im::ConnectionId id, PollId poll, int64_t now_ms) {
  std::vector<PollAnswer> out;
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    out.push_back({poll, "[]"});
    return out;
  }
  Session& s = it->second;
  if (s.held) {
    // The client re-polled (its XHR timed out or it reloaded): the old poll is dead.
    polls_.erase(*s.held);
    out.push_back({*s.held, "[]"});
    s.held.reset();
  }
  if (!s.queue.empty() || s.closed) {
    out.push_back({poll, drain(s)});
    if (s.closed && s.queue.empty()) forget(id);
    return out;
  }
  s.held = poll;
  s.held_until_ms = now_ms + limits_.hold_ms;
  polls_[poll] = id;
  return out;
}

void CometSessions::poll_gone(PollId poll) {
  auto p = polls_.find(poll);
  if (p == polls_.end()) return;
  auto it = sessions_.find(p->second);
  if (it != sessions_.end() && it->second.held == poll) it->second.held.reset();
  polls_.erase(p);
}

std::vector<PollAnswer> CometSessions::close(im::ConnectionId id, int64_t now_ms) {
  std::vector<PollAnswer> out;
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.closed) return out;
  Session& s = it->second;
  s.closed = true;
  s.forget_at_ms = now_ms + limits_.linger_ms;
  if (s.held) {
    const PollId poll = *s.held;
    s.held.reset();
    polls_.erase(poll);
    out.push_back({poll, drain(s)});
  }
  // Nothing left to say (or said to the held poll): gone now; else wait for one more poll.
  if (s.queue.empty()) forget(id);
  return out;
}

std::vector<PollAnswer> CometSessions::drop(im::ConnectionId id) {
  std::vector<PollAnswer> out;
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return out;
  if (it->second.held) {
    polls_.erase(*it->second.held);
    out.push_back({*it->second.held, "[]"});
  }
  forget(id);
  return out;
}

void CometSessions::forget(im::ConnectionId id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  if (it->second.held) polls_.erase(*it->second.held);
  by_key_.erase(it->second.key);
  sessions_.erase(it);
}

std::vector<PollAnswer> CometSessions::expire(int64_t now_ms, std::vector<im::ConnectionId>* forgotten) {
  std::vector<PollAnswer> out;
  std::vector<im::ConnectionId> gone;
  for (auto& [id, s] : sessions_) {
    if (s.held && now_ms >= s.held_until_ms) {
      polls_.erase(*s.held);
      out.push_back({*s.held, drain(s)});  // "[]" unless frames arrived without a flush
      s.held.reset();
    }
    if (s.closed && now_ms >= s.forget_at_ms) gone.push_back(id);
  }
  for (im::ConnectionId id : gone) {
    forget(id);
    if (forgotten) forgotten->push_back(id);
  }
  return out;
}

int64_t CometSessions::next_deadline() const {
  int64_t next = INT64_MAX;
  for (const auto& [id, s] : sessions_) {
    if (s.held && s.held_until_ms < next) next = s.held_until_ms;
    if (s.closed && s.forget_at_ms < next) next = s.forget_at_ms;
  }
  return next;
}

}  // namespace parley::server::http
