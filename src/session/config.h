// Tunables of the client session, with the defaults the SDK ships. Each default is chosen
// against the official client's behaviour (PROTOCOL.md §6) and says why.
#pragma once

#include <cstdint>
#include <string>

namespace parley::session {

struct SessionConfig {
  std::string app_key;
  // Sent as sdkVer/apiVer in the connect URL; the official client sends its imlib version.
  std::string sdk_version = "2.9.2";

  // Heartbeat: the official cadence (15 s after each pong), so servers tuned for it (45 s
  // idle close) keep working. A pong missing for ping_timeout_ms counts as a miss; the
  // link is declared dead after ping_max_misses misses in a row: 30 s worst case, as the
  // official client, but an app "online"/"visible" signal triggers a check at once.
  int64_t ping_interval_ms = 15000;
  int64_t ping_timeout_ms = 15000;
  int ping_max_misses = 2;
  // The check after an online/visible signal expects a pong quickly: a link that survived
  // a sleep answers in well under a few seconds, a dead one never does.
  int64_t quick_check_timeout_ms = 4000;

  // Every request fails with TIMEOUT (-1) when unanswered this long (official value).
  int64_t request_timeout_ms = 30000;
  // CONNACK wait per connect attempt (official WEB_SOCKET_TIMEOUT).
  int64_t connack_timeout_ms = 5000;
  // Pull even without s_ntf this often: a lost notification costs at most this delay.
  int64_t pull_interval_ms = 180000;

  // Auto-reconnect: capped full-jitter exponential backoff, reset by a successful connect.
  // The n-th retry waits uniform(0, min(cap, base * 2^n)): the first retry comes within a
  // second (most drops are blips), and a server restart with many clients is not met by
  // a synchronized stampede (the official client retries every 5 s, all in step).
  int64_t backoff_base_ms = 1000;
  int64_t backoff_cap_ms = 30000;

  // A message that could not be acknowledged (offline, link lost) stays in the persisted
  // outbox and is re-sent on each new connection with its clientUniqueId, until this long
  // after it was sent; then it becomes FAILED and the app may resend it. Two minutes
  // covers a tunnel, an elevator or a server restart without leaving a user wondering.
  int64_t outbox_give_up_ms = 120000;

  // msgUIds remembered to drop duplicates across pulls, s_msg, reconnects and restarts.
  size_t dedupe_capacity = 5000;
  // The official limit on a message's content JSON (MAX_MESSAGE_CONTENT_BYTES).
  size_t max_content_bytes = 131072;
};

}  // namespace parley::session
