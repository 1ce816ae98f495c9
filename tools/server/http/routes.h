// The plain-HTTP endpoints of imserver, as functions from a request to a response (no
// sockets here: http_session owns the connection, tests call handle() directly).
//
//   GET  /navi.js, /cometnavi.js   navigation, JSONP getServerEndpoint({...}); (§1)
//   GET  /ping                     host check before every (re)connect (§2.1)
//   GET  /metrics                  Prometheus text
//   POST /user/getToken.json       RongCloud server API, signed (App-Key, Nonce, Timestamp, Signature)
//   POST /user/block.json, /group/*.json, /message/*/publish.json, ...   the rest of the server
//                                  API, same signature (im/server_api.h lists them)
//   GET  /demo/token?userId=       --dev only: a token without a signature, for the demo page
//   GET  /...                      static files from static_dir (the demo page)
// Every response carries CORS headers: browsers call navi, /ping and the API by XHR.
#pragma once

#include <cstdint>

#include <boost/beast/http.hpp>

#include "auth/api_signature.h"
#include "config.h"
#include "http/url.h"
#include "im/hub.h"
#include "im/server_api.h"
#include "metrics.h"
#include "storage/storage.h"

namespace parley::server::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

class Routes {
 public:
  // All references must outlive the routes.
  Routes(const ServerConfig& config, storage::Storage& storage, Metrics& metrics,
         auth::ApiSignatureVerifier& signatures, im::ServerApi& api)
      : config_(config), storage_(storage), metrics_(metrics), signatures_(signatures), api_(api) {}

  // Never throws for a bad request: every failure is an HTTP response. What a server API
  // call does to live sessions (messages to deliver, sessions to kick) is added to `effects`.
  Response handle(const Request& request, int64_t now_ms, im::HubOutput* effects = nullptr);

 private:
  Response navi(const Request& request, const Target& target);
  Response get_token(const Request& request, int64_t now_ms);
  Response server_api(const Request& request, const std::string& path, int64_t now_ms, im::HubOutput* effects);
  // The App-Key/Nonce/Timestamp/Signature check; nullptr (and *error set) when refused.
  const AppConfig* authenticate(const Request& request, const std::string& path, int64_t now_ms,
                                Response* error);
  Response demo_token(const Request& request, const Target& target, int64_t now_ms);
  Response static_file(const Request& request, const std::string& path);
  Response issue_token_response(const Request& request, const AppConfig& app, const std::string& user_id,
                                const std::string& name, const std::string& portrait_uri, int64_t now_ms);

  const ServerConfig& config_;
  storage::Storage& storage_;
  Metrics& metrics_;
  auth::ApiSignatureVerifier& signatures_;
  im::ServerApi& api_;
};

// A response with CORS headers, keep-alive as the request asked.
Response make_response(const Request& request, beast_http::status code, std::string content_type,
                       std::string body);
// RongCloud's error shape: {"code": <code>, "errorMessage": "..."}.
Response api_error(const Request& request, beast_http::status http_status, int code, std::string message);

}  // namespace parley::server::http
