#include "metrics.h"

namespace parley::server {
namespace {

const char* error_kind(Metrics::Error e) {
  switch (e) {
    case Metrics::Error::kFrameDecode: return "frame_decode";
    case Metrics::Error::kFrameTooLarge: return "frame_too_large";
    case Metrics::Error::kUnknownTopic: return "unknown_topic";
    case Metrics::Error::kBadPayload: return "bad_payload";
    case Metrics::Error::kStorage: return "storage";
    case Metrics::Error::kAuthRejected: return "auth_rejected";
    case Metrics::Error::kSlowClient: return "slow_client";
    case Metrics::Error::kIdleTimeout: return "idle_timeout";
    case Metrics::Error::kApiRejected: return "api_rejected";
    case Metrics::Error::kRateLimited: return "rate_limited";
    case Metrics::Error::kOriginRejected: return "origin_rejected";
    case Metrics::Error::kCount: break;
  }
  return "other";
}

template <class T>
void metric(std::string& out, const char* name, const char* type, const char* help, const T& value) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += ' ';
  out += std::to_string(value.load());
  out += '\n';
}

}  // namespace

std::string Metrics::render_prometheus() const {
  std::string out;
  metric(out, "parley_websocket_sessions", "gauge", "Open WebSocket sessions.", websocket_sessions);
  metric(out, "parley_websocket_sessions_total", "counter", "WebSocket sessions accepted.",
         websocket_sessions_total);
  metric(out, "parley_http_requests_total", "counter", "HTTP requests handled.", http_requests_total);
  metric(out, "parley_frames_in_total", "counter", "Protocol frames received.", frames_in_total);
  metric(out, "parley_frames_out_total", "counter", "Protocol frames sent.", frames_out_total);
  metric(out, "parley_bytes_in_total", "counter", "Protocol frame bytes received.", bytes_in_total);
  metric(out, "parley_bytes_out_total", "counter", "Protocol frame bytes sent.", bytes_out_total);
  metric(out, "parley_messages_stored_total", "counter", "Messages stored and acknowledged.",
         messages_stored_total);
  metric(out, "parley_messages_deduplicated_total", "counter",
         "Sends answered with an earlier PUBACK (repeated clientUniqueId).",
         messages_deduplicated_total);
  metric(out, "parley_tokens_issued_total", "counter", "Tokens issued by the server API.",
         tokens_issued_total);
  metric(out, "parley_comet_sessions", "gauge", "Open long-polling (comet) sessions.", comet_sessions);
  metric(out, "parley_comet_sessions_total", "counter", "Comet sessions accepted.", comet_sessions_total);
  metric(out, "parley_comet_polls_total", "counter", "Comet long polls received.", comet_polls_total);
  metric(out, "parley_sessions_kicked_total", "counter",
         "Sessions ended with a DISCONNECT frame (other login, block, session limit).", sessions_kicked_total);
  metric(out, "parley_messages_recalled_total", "counter", "Messages recalled by their sender.",
         messages_recalled_total);
  metric(out, "parley_api_messages_published_total", "counter", "Messages published by the server API.",
         api_messages_published_total);
  out += "# HELP parley_errors_total Errors by kind.\n# TYPE parley_errors_total counter\n";
  for (size_t i = 0; i < errors_.size(); ++i) {
    out += "parley_errors_total{kind=\"";
    out += error_kind(static_cast<Error>(i));
    out += "\"} ";
    out += std::to_string(errors_[i].load());
    out += '\n';
  }
  return out;
}

}  // namespace parley::server
