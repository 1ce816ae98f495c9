// The long-polling (comet, PROTOCOL.md §5) side of each comet session, without sockets or
// clocks: which session a sessionid/pid names, the frames waiting for the client (already
// rendered as JSON objects), and the one poll the client may have outstanding.
//
//   frames for the client  -> enqueue()  then flush(): a held poll is answered at once
//   GET /pullmsg.js        -> poll():    answered at once when frames wait, else held
//                                         until flush() or its deadline (then "[]")
//   POST /websocket        -> (the host answers "[]"; its PUBACK/QUERYACK are enqueued:
//                              one ordered channel, so the client sees frames in order)
//   the hub closed it      -> close():   what waits still goes out on the next poll (a
//                                         DISCONNECT frame), then the session is forgotten
//
// Answers are returned as PollAnswer {poll id, body} for the host to write; the host
// owns the HTTP connections behind the poll ids and the timer (next_deadline/expire).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "im/hub.h"

namespace parley::server::http {

using PollId = uint64_t;

struct CometLimits {
  int64_t hold_ms = 20'000;              // a poll with nothing to say is answered "[]" after this
  size_t max_queue_bytes = 8 << 20;      // frames waiting beyond this: the client cannot keep up
  size_t max_response_bytes = 256 << 10; // one answer carries at most this much (at least one frame)
  int64_t linger_ms = 10'000;            // a closed session waits this long for its last poll
};

struct PollAnswer {
  PollId poll = 0;
  std::string body;  // a JSON array of frame objects
};

class CometSessions {
 public:
  explicit CometSessions(CometLimits limits) : limits_(limits) {}

  // A session the hub accepted: `key` is the sessionid given to the client (unguessable),
  // `pid` the client's page id (both must match on every poll and POST).
  void open(im::ConnectionId id, std::string key, std::string pid);
  // The live (not closed) session behind a request's sessionid and pid.
  std::optional<im::ConnectionId> find(std::string_view key, std::string_view pid) const;
  // The session behind a poll: live or closed but not yet forgotten (a closed session
  // still answers one poll with what waits).
  std::optional<im::ConnectionId> find_for_poll(std::string_view key, std::string_view pid) const;
  bool contains(im::ConnectionId id) const { return sessions_.count(id) > 0; }
  // Known and not closed.
  bool live(im::ConnectionId id) const {
    auto it = sessions_.find(id);
    return it != sessions_.end() && !it->second.closed;
  }

  // Appends one rendered frame object. false: the queue passed max_queue_bytes (the
  // caller closes the session: a slow client must not grow the server's memory).
  bool enqueue(im::ConnectionId id, std::string frame_json);
  // Answers the held poll if frames wait (call once after enqueueing a batch).
  std::vector<PollAnswer> flush(im::ConnectionId id);

  // A long poll arrived. Answers: a poll held before is superseded ("[]"); this poll is
  // answered now when frames wait or the session is closed, else held until `now + hold`.
  std::vector<PollAnswer> poll(im::ConnectionId id, PollId poll, int64_t now_ms);
  // The client went away while its poll was held: frames stay queued for the next one.
  void poll_gone(PollId poll);

  // The hub ended the session: a held poll gets what waits; frames still waiting (a
  // DISCONNECT) keep it for one more poll until `now + linger`; otherwise it is forgotten.
  std::vector<PollAnswer> close(im::ConnectionId id, int64_t now_ms);
  // Forgets a session at once (shutdown, slow client): its held poll is answered "[]".
  std::vector<PollAnswer> drop(im::ConnectionId id);

  // Held polls past their deadline are answered "[]"; closed sessions past their linger
  // are forgotten. Returns the answers and the forgotten sessions.
  std::vector<PollAnswer> expire(int64_t now_ms, std::vector<im::ConnectionId>* forgotten);
  // Earliest deadline (held poll or lingering session); INT64_MAX when none.
  int64_t next_deadline() const;

  size_t size() const { return sessions_.size(); }
  size_t queued_bytes(im::ConnectionId id) const;

 private:
  struct Session {
    std::string key;
    std::string pid;
    std::deque<std::string> queue;
    size_t queued_bytes = 0;
    std::optional<PollId> held;
    int64_t held_until_ms = 0;
    bool closed = false;
    int64_t forget_at_ms = 0;  // closed sessions only
  };
  // Removes up to max_response_bytes of frames (at least one) as a JSON array.
  std::string drain(Session& s);
  void forget(im::ConnectionId id);

  CometLimits limits_;
  std::unordered_map<im::ConnectionId, Session> sessions_;
  std::map<std::string, im::ConnectionId, std::less<>> by_key_;
  std::unordered_map<PollId, im::ConnectionId> polls_;
};

}  // namespace parley::server::http
