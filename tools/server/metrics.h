// Process-wide counters exported at GET /metrics in the Prometheus text format (0.0.4).
// Atomics, so a later multi-threaded server can keep using them unchanged.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace parley::server {

class Metrics {
 public:
  // What went wrong, one counter each (label `kind` of parley_errors_total).
  enum class Error {
    kFrameDecode,    // a client frame that does not decode: the session is closed
    kFrameTooLarge,  // over limits.max_frame_bytes: the session is closed
    kUnknownTopic,   // answered with an error status
    kBadPayload,     // protobuf payload invalid for its topic: answered with an error status
    kStorage,        // SQLite failure: answered with status 1000
    kAuthRejected,   // CONNACK with a non-zero status
    kSlowClient,     // write queue over its limit: the session is closed
    kIdleTimeout,    // nothing received for limits.idle_timeout_ms: the session is closed
    kApiRejected,    // server API call refused (signature, nonce, parameters)
    kRateLimited,    // a send over the session's rate: answered 20604
    kOriginRejected, // a browser session from an Origin not in allowed_origins: HTTP 403
    kCount
  };

  std::atomic<int64_t> websocket_sessions{0};        // gauge
  std::atomic<uint64_t> websocket_sessions_total{0};
  std::atomic<uint64_t> http_requests_total{0};
  std::atomic<uint64_t> frames_in_total{0};
  std::atomic<uint64_t> frames_out_total{0};
  std::atomic<uint64_t> bytes_in_total{0};
  std::atomic<uint64_t> bytes_out_total{0};
  std::atomic<uint64_t> messages_stored_total{0};
  std::atomic<uint64_t> messages_deduplicated_total{0};
  std::atomic<uint64_t> tokens_issued_total{0};
  std::atomic<int64_t> comet_sessions{0};            // gauge
  std::atomic<uint64_t> comet_sessions_total{0};
  std::atomic<uint64_t> comet_polls_total{0};
  std::atomic<uint64_t> sessions_kicked_total{0};
  std::atomic<uint64_t> messages_recalled_total{0};
  std::atomic<uint64_t> api_messages_published_total{0};

  void count_error(Error e) { errors_[static_cast<size_t>(e)].fetch_add(1, std::memory_order_relaxed); }
  uint64_t errors(Error e) const { return errors_[static_cast<size_t>(e)].load(); }

  // The exposition text, every metric with HELP and TYPE lines.
  std::string render_prometheus() const;

 private:
  std::array<std::atomic<uint64_t>, static_cast<size_t>(Error::kCount)> errors_{};
};

}  // namespace parley::server
