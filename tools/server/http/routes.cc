#include "http/routes.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "auth/token.h"
#include "log.h"
#include "status.h"

namespace parley::server::http {
namespace {

using nlohmann::json;
using beast_http::field;
using HttpStatus = beast_http::status;

constexpr size_t kMaxStaticFileBytes = 16 << 20;
constexpr size_t kMaxNameBytes = 128;
constexpr size_t kMaxPortraitBytes = 1024;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// A JSONP callback name the page may choose; anything else gets the client's default.
bool is_callback_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
                    (i > 0 && ((c >= '0' && c <= '9') || c == '.'));
    if (!ok) return false;
  }
  return true;
}

std::string header(const Request& request, std::string_view name, std::string_view alt = {}) {
  auto it = request.find(name);
  if (it == request.end() && !alt.empty()) it = request.find(alt);
  return it == request.end() ? std::string() : std::string(it->value());
}

const char* mime_type(std::string_view path) {
  const size_t dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? std::string_view() : path.substr(dot);
  if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs" || ext == ".cjs") return "application/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".wasm") return "application/wasm";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".txt" || ext == ".md") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// "/a/b.js" under the static root, or "" when the path tries to leave it.
std::string safe_static_path(const std::string& root, const std::string& path) {
  if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos) return {};
  std::string rel = path;
  if (rel.empty() || rel.back() == '/') rel += "index.html";
  size_t start = 0;
  while (start < rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string::npos) end = rel.size();
    const std::string_view segment(rel.data() + start, end - start);
    if (segment == ".." || segment == ".") return {};
    start = end + 1;
  }
  return root + rel;
}

}  // namespace

Response make_response(const Request& request, HttpStatus st, std::string content_type, std::string body) {
  Response res{st, request.version()};
  res.set(field::server, "parley-imserver");
  res.set(field::content_type, content_type);
  res.set(field::access_control_allow_origin, "*");
  res.set(field::cache_control, "no-store");
  res.keep_alive(request.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response api_error(const Request& request, HttpStatus st, int code, std::string message) {
  return make_response(request, st, "application/json",
                       dump(json{{"code", code}, {"errorMessage", std::move(message)}}));
}

Response Routes::handle(const Request& request, int64_t now_ms, im::HubOutput* effects) {
  metrics_.http_requests_total.fetch_add(1, std::memory_order_relaxed);
  const auto target = parse_target(request.target());
  if (!target) return api_error(request, HttpStatus::bad_request, status::kApiBadParameter, "bad request target");
  const std::string& path = target->path;
  const auto method = request.method();

  if (method == beast_http::verb::options) {
    Response res = make_response(request, HttpStatus::no_content, "text/plain", "");
    res.set(field::access_control_allow_methods, "GET, POST, OPTIONS");
    res.set(field::access_control_allow_headers,
            "Content-Type, App-Key, Nonce, Timestamp, Signature, RC-App-Key, RC-Nonce, RC-Timestamp, RC-Signature");
    res.set(field::access_control_max_age, "86400");
    return res;
  }
  if (path == "/user/getToken.json") {
    if (method != beast_http::verb::post) {
      return api_error(request, HttpStatus::method_not_allowed, status::kApiBadParameter, "POST expected");
    }
    return get_token(request, now_ms);
  }
  if (im::ServerApi::handles(path)) {
    if (method != beast_http::verb::post) {
      return api_error(request, HttpStatus::method_not_allowed, status::kApiBadParameter, "POST expected");
    }
    return server_api(request, path, now_ms, effects);
  }
  if (method != beast_http::verb::get && method != beast_http::verb::head) {
    return api_error(request, HttpStatus::method_not_allowed, status::kApiBadParameter, "GET expected");
  }
  if (path == "/navi.js" || path == "/cometnavi.js") return navi(request, *target);
  if (path == "/ping") return make_response(request, HttpStatus::ok, "text/plain", "");
  if (path == "/metrics") {
    return make_response(request, HttpStatus::ok, "text/plain; version=0.0.4; charset=utf-8",
                         metrics_.render_prometheus());
  }
  if (path == "/demo/token" && config_.dev) return demo_token(request, *target, now_ms);
  if (path == "/websocket" || path == "/pullmsg.js") {
    // Served by the comet transport (http/server); a request reaching here was not routed there.
    return api_error(request, HttpStatus::bad_request, status::kApiBadParameter, "not a comet request");
  }
  if (!config_.static_dir.empty()) return static_file(request, path);
  return api_error(request, HttpStatus::not_found, 404, "not found");
}

// Navi (§1.3): JSONP with the hosts to connect to. `server` is the configured one or the
// host this request was sent to, so a server reached as 127.0.0.1:PORT advertises exactly that.
Response Routes::navi(const Request& request, const Target& target) {
  const std::string app_key = param(target.query, "appId");
  if (!config_.find_app(app_key)) {
    return api_error(request, HttpStatus::unauthorized, status::kApiBadSignature, "unknown appId");
  }
  std::string server = config_.navi_server;
  if (server.empty()) server = header(request, "Host");
  if (server.empty()) server = config_.listen_address + ":" + std::to_string(config_.port);
  std::string backups;
  for (const auto& host : config_.navi_backup_servers) {
    if (!backups.empty()) backups += ',';
    backups += host;
  }
  // logSwitch 0 and an empty logPolicy: no log upload traffic to RongCloud's collector.
  // grpRRVer 1: group read receipts as rrMsg / rrList (off: the client refuses them locally).
  const json body = {{"code", 200},         {"server", server},   {"backupServer", backups},
                     {"kvStorage", 0},      {"joinMChrm", false}, {"openUS", 0},
                     {"grpRRVer", config_.group_read_receipts ? 1 : 0},
                     {"logSwitch", 0},      {"logPolicy", ""},
                     {"uploadServer", ""},  {"bosAddr", ""}};
  std::string callback = param(target.query, "callBack");
  if (!is_callback_name(callback)) callback = "getServerEndpoint";
  return make_response(request, HttpStatus::ok, "application/javascript; charset=utf-8",
                       callback + "(" + dump(body) + ");");
}

const AppConfig* Routes::authenticate(const Request& request, const std::string& path, int64_t now_ms,
                                     Response* error) {
  const std::string app_key = header(request, "App-Key", "RC-App-Key");
  const AppConfig* app = config_.find_app(app_key);
  if (!app) {
    metrics_.count_error(Metrics::Error::kApiRejected);
    *error = api_error(request, HttpStatus::unauthorized, status::kApiBadSignature, "unknown App-Key");
    return nullptr;
  }
  const auto check = signatures_.verify(app_key, app->secret, header(request, "Nonce", "RC-Nonce"),
                                        header(request, "Timestamp", "RC-Timestamp"),
                                        header(request, "Signature", "RC-Signature"), now_ms);
  if (check == auth::SignatureCheck::kValid) return app;
  metrics_.count_error(Metrics::Error::kApiRejected);
  log_info("api.rejected", {{"path", path}, {"app", app_key}, {"reason", auth::signature_check_message(check)}});
  if (check == auth::SignatureCheck::kNonceStoreFull) {
    *error = api_error(request, HttpStatus::too_many_requests, status::kApiTooManyRequests,
                       auth::signature_check_message(check));
  } else {
    *error = api_error(request, HttpStatus::unauthorized, status::kApiBadSignature, auth::signature_check_message(check));
  }
  return nullptr;
}

Response Routes::server_api(const Request& request, const std::string& path, int64_t now_ms,
                            im::HubOutput* effects) {
  Response error;
  const AppConfig* app = authenticate(request, path, now_ms, &error);
  if (!app) return error;
  im::HubOutput ignored;
  const im::ApiReply reply =
      api_.handle(path, app->key, parse_param_list(request.body(), /*plus_is_space=*/true), now_ms,
                  effects ? *effects : ignored);
  if (reply.http_status != 200) metrics_.count_error(Metrics::Error::kApiRejected);
  return make_response(request, static_cast<HttpStatus>(reply.http_status), "application/json", dump(reply.body));
}

Response Routes::get_token(const Request& request, int64_t now_ms) {
  Response error;
  const AppConfig* app = authenticate(request, "/user/getToken.json", now_ms, &error);
  if (!app) return error;
  const Params form = parse_params(request.body(), /*plus_is_space=*/true);
  return issue_token_response(request, *app, param(form, "userId"), param(form, "name"),
                              param(form, "portraitUri"), now_ms);
}

Response Routes::demo_token(const Request& request, const Target& target, int64_t now_ms) {
  std::string app_key = param(target.query, "appKey");
  const AppConfig* app = app_key.empty() ? &config_.apps.front() : config_.find_app(app_key);
  if (!app) return api_error(request, HttpStatus::not_found, status::kApiBadParameter, "unknown appKey");
  std::string name = param(target.query, "name");
  if (name.empty()) name = param(target.query, "userId");
  Response res = issue_token_response(request, *app, param(target.query, "userId"), name,
                                      param(target.query, "portraitUri"), now_ms);
  return res;
}

Response Routes::issue_token_response(const Request& request, const AppConfig& app, const std::string& user_id,
                                      const std::string& name, const std::string& portrait_uri, int64_t now_ms) {
  if (!auth::is_valid_user_id(user_id)) {
    metrics_.count_error(Metrics::Error::kApiRejected);
    return api_error(request, HttpStatus::bad_request, status::kApiBadParameter,
                     "userId: 1-64 characters of letters, digits, + | = - _");
  }
  if (name.size() > kMaxNameBytes || portrait_uri.size() > kMaxPortraitBytes) {
    metrics_.count_error(Metrics::Error::kApiRejected);
    return api_error(request, HttpStatus::bad_request, status::kApiParameterTooLong, "name or portraitUri too long");
  }
  storage::UserRecord user{app.key, user_id, name, portrait_uri, now_ms, now_ms};
  if (auto st = storage_.upsert_user(user); !st) {
    metrics_.count_error(Metrics::Error::kStorage);
    log_error("storage.failed", {{"op", "upsert_user"}, {"error", st.error().message}});
    return api_error(request, HttpStatus::internal_server_error, status::kApiInternalError, "storage error");
  }
  const std::string token = auth::issue_token({app.key, user_id, now_ms}, app.secret);
  metrics_.tokens_issued_total.fetch_add(1, std::memory_order_relaxed);
  log_info("api.token", {{"app", app.key}, {"user", user_id}});
  return make_response(request, HttpStatus::ok, "application/json",
                       dump(json{{"code", status::kApiOk}, {"userId", user_id}, {"token", token}}));
}

Response Routes::static_file(const Request& request, const std::string& path) {
  std::string root = config_.static_dir;
  if (!root.empty() && root.back() == '/') root.pop_back();
  const std::string file = safe_static_path(root, path);
  if (file.empty()) return api_error(request, HttpStatus::forbidden, 403, "forbidden");
  std::ifstream in(file, std::ios::binary);
  if (!in) return api_error(request, HttpStatus::not_found, 404, "not found");
  std::ostringstream body;
  body << in.rdbuf();
  if (!in.good() && !in.eof()) return api_error(request, HttpStatus::not_found, 404, "not found");
  std::string bytes = body.str();
  if (bytes.size() > kMaxStaticFileBytes) return api_error(request, HttpStatus::payload_too_large, 413, "file too large");
  Response res = make_response(request, HttpStatus::ok, mime_type(file), std::move(bytes));
  if (request.method() == beast_http::verb::head) res.body().clear();
  return res;
}

}  // namespace parley::server::http
