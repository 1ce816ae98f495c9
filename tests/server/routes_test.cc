// The HTTP endpoints as request -> response: navi, ping, metrics, the signed getToken API,
// the dev token, static files, CORS.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "auth/crypto.h"
#include "auth/token.h"
#include "http/routes.h"
#include "http/url.h"
#include "log.h"
#include "status.h"
#include "storage/sqlite_storage.h"

namespace parley::server::http {
namespace {

using nlohmann::json;
namespace bh = boost::beast::http;

constexpr int64_t kNow = 1'700'000'000'000;

class RoutesTest : public ::testing::Test {
 protected:
  RoutesTest() {
    set_log_level(LogLevel::kOff);
    config_.apps = {{"K", "S"}};
    config_.port = 8080;
  }

  Response get(const std::string& target, const std::string& host = "127.0.0.1:8080") {
    Request req{bh::verb::get, target, 11};
    if (!host.empty()) req.set(bh::field::host, host);
    return routes_.handle(req, kNow);
  }

  Response get_token(const std::string& body, const std::string& nonce, const std::string& timestamp,
                     const std::string& secret = "S", const std::string& app_key = "K") {
    Request req{bh::verb::post, "/user/getToken.json", 11};
    req.set("App-Key", app_key);
    req.set("Nonce", nonce);
    req.set("Timestamp", timestamp);
    req.set("Signature", auth::sha1_hex(secret + nonce + timestamp));
    req.set(bh::field::content_type, "application/x-www-form-urlencoded");
    req.body() = body;
    req.prepare_payload();
    return routes_.handle(req, kNow);
  }

  static json body_json(const Response& res) { return json::parse(res.body()); }

  ServerConfig config_;
  Metrics metrics_;
  auth::ApiSignatureVerifier signatures_{300'000};
  std::unique_ptr<storage::SqliteStorage> storage_ =
      std::move(storage::SqliteStorage::open({":memory:", true}).value());
  im::Hub hub_{*storage_, config_.apps, im::HubOptions{}, metrics_, 7};
  im::ServerApi api_{hub_, *storage_, config_.limits};
  Routes routes_{config_, *storage_, metrics_, signatures_, api_};
};

TEST_F(RoutesTest, NaviIsJsonpWithTheRequestHostAndNoLogUpload) {
  const Response res = get("/navi.js?appId=K&token=abc%40&callBack=getServerEndpoint&v=2.9.2&r=1");
  EXPECT_EQ(res.result(), bh::status::ok);
  EXPECT_EQ(res[bh::field::access_control_allow_origin], "*");
  const std::string& body = res.body();
  const std::string prefix = "getServerEndpoint(";
  ASSERT_EQ(body.rfind(prefix, 0), 0u) << body;
  ASSERT_EQ(body.substr(body.size() - 2), ");");
  const json navi = json::parse(body.substr(prefix.size(), body.size() - prefix.size() - 2));
  EXPECT_EQ(navi["server"], "127.0.0.1:8080");
  EXPECT_EQ(navi["backupServer"], "");
  EXPECT_EQ(navi["logSwitch"], 0);
  EXPECT_EQ(navi["logPolicy"], "");  // a string: an object would break the client (§1.3)
  EXPECT_EQ(navi["grpRRVer"], 1);  // group read receipts (rrMsg / rrList) are served
  // cometnavi.js is the same document.
  EXPECT_EQ(get("/cometnavi.js?appId=K").body(), get("/navi.js?appId=K").body());
}

TEST_F(RoutesTest, NaviAdvertisesConfiguredHostsAndSanitizesTheCallback) {
  config_.navi_server = "im.example.com:443";
  config_.navi_backup_servers = {"im2.example.com:443", "im3.example.com:443"};
  const Response res = get("/navi.js?appId=K&callBack=alert(1)//");
  const std::string& body = res.body();
  ASSERT_EQ(body.rfind("getServerEndpoint(", 0), 0u);
  EXPECT_NE(body.find("\"server\":\"im.example.com:443\""), std::string::npos);
  EXPECT_NE(body.find("\"backupServer\":\"im2.example.com:443,im3.example.com:443\""), std::string::npos);
  EXPECT_EQ(get("/navi.js?appId=K&callBack=cb_1").body().rfind("cb_1(", 0), 0u);
  EXPECT_EQ(get("/navi.js?appId=unknown").result(), bh::status::unauthorized);
}

TEST_F(RoutesTest, PingAndMetrics) {
  const Response ping = get("/ping?r=1234");
  EXPECT_EQ(ping.result(), bh::status::ok);
  EXPECT_EQ(ping[bh::field::access_control_allow_origin], "*");
  metrics_.messages_stored_total = 5;
  const Response m = get("/metrics");
  EXPECT_EQ(m.result(), bh::status::ok);
  EXPECT_NE(m[bh::field::content_type].find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(m.body().find("# TYPE parley_messages_stored_total counter\nparley_messages_stored_total 5\n"),
            std::string::npos);
  EXPECT_NE(m.body().find("parley_errors_total{kind=\"frame_decode\"} 0"), std::string::npos);
  EXPECT_NE(m.body().find("parley_http_requests_total 2"), std::string::npos);
}

TEST_F(RoutesTest, GetTokenIssuesAVerifiableTokenAndStoresTheUser) {
  const Response res = get_token("userId=userA&name=Alice+A&portraitUri=http%3A%2F%2Fp%2Fa.png", "n1",
                                 std::to_string(kNow));
  ASSERT_EQ(res.result(), bh::status::ok) << res.body();
  const json j = body_json(res);
  EXPECT_EQ(j["code"], 200);
  EXPECT_EQ(j["userId"], "userA");
  auth::TokenClaims claims;
  EXPECT_EQ(auth::verify_token(j["token"].get<std::string>(), "S", kNow, 0, &claims), auth::TokenCheck::kValid);
  EXPECT_EQ(claims.user_id, "userA");
  const auto user = storage_->find_user("K", "userA").value();
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->name, "Alice A");
  EXPECT_EQ(user->portrait_uri, "http://p/a.png");
  EXPECT_EQ(metrics_.tokens_issued_total.load(), 1u);
}

TEST_F(RoutesTest, GetTokenRefusesBadSignaturesStaleTimesReusedNoncesAndBadUsers) {
  const std::string ts = std::to_string(kNow / 1000);  // seconds also accepted
  auto code_of = [](const Response& r) { return json::parse(r.body())["code"].get<int>(); };

  Response r = get_token("userId=u", "n1", ts, "wrong-secret");
  EXPECT_EQ(r.result(), bh::status::unauthorized);
  EXPECT_EQ(code_of(r), status::kApiBadSignature);
  EXPECT_TRUE(json::parse(r.body()).contains("errorMessage"));

  r = get_token("userId=u", "n2", std::to_string(kNow - 600'000));
  EXPECT_EQ(r.result(), bh::status::unauthorized);
  EXPECT_EQ(code_of(r), status::kApiBadSignature);

  r = get_token("userId=u", "n3", ts, "S", "unknown-app");
  EXPECT_EQ(r.result(), bh::status::unauthorized);

  EXPECT_EQ(get_token("userId=u", "n4", ts).result(), bh::status::ok);
  r = get_token("userId=u", "n4", ts);
  EXPECT_EQ(r.result(), bh::status::unauthorized) << "reused nonce";
  EXPECT_EQ(code_of(r), status::kApiBadSignature);

  r = get_token("userId=bad%20user", "n5", ts);
  EXPECT_EQ(r.result(), bh::status::bad_request);
  EXPECT_EQ(code_of(r), status::kApiBadParameter);
  r = get_token("name=noid", "n6", ts);
  EXPECT_EQ(code_of(r), status::kApiBadParameter);
  r = get_token("userId=u&name=" + std::string(200, 'x'), "n7", ts);
  EXPECT_EQ(code_of(r), status::kApiParameterTooLong);

  Request missing{bh::verb::post, "/user/getToken.json", 11};
  missing.body() = "userId=u";
  missing.prepare_payload();
  EXPECT_EQ(routes_.handle(missing, kNow).result(), bh::status::unauthorized);
  EXPECT_EQ(get("/user/getToken.json").result(), bh::status::method_not_allowed);
}

TEST_F(RoutesTest, RcPrefixedHeadersAreAcceptedToo) {
  Request req{bh::verb::post, "/user/getToken.json", 11};
  const std::string nonce = "rc1", ts = std::to_string(kNow);
  req.set("RC-App-Key", "K");
  req.set("RC-Nonce", nonce);
  req.set("RC-Timestamp", ts);
  req.set("RC-Signature", auth::sha1_hex("S" + nonce + ts));
  req.body() = "userId=u";
  req.prepare_payload();
  EXPECT_EQ(routes_.handle(req, kNow).result(), bh::status::ok);
}

TEST_F(RoutesTest, DemoTokenOnlyInDevMode) {
  EXPECT_EQ(get("/demo/token?userId=userA").result(), bh::status::not_found);
  config_.dev = true;
  const Response res = get("/demo/token?userId=userA");
  ASSERT_EQ(res.result(), bh::status::ok);
  EXPECT_EQ(auth::verify_token(body_json(res)["token"].get<std::string>(), "S", kNow, 0), auth::TokenCheck::kValid);
  EXPECT_EQ(get("/demo/token?userId=").result(), bh::status::bad_request);
}

TEST_F(RoutesTest, CorsPreflight) {
  Request req{bh::verb::options, "/user/getToken.json", 11};
  const Response res = routes_.handle(req, kNow);
  EXPECT_EQ(res.result(), bh::status::no_content);
  EXPECT_EQ(res[bh::field::access_control_allow_origin], "*");
  EXPECT_NE(res[bh::field::access_control_allow_headers].find("Signature"), std::string::npos);
}

TEST_F(RoutesTest, StaticFilesStayInsideTheirDirectory) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "parley-static";
  std::filesystem::create_directories(dir / "js");
  std::ofstream(dir / "index.html") << "<h1>demo</h1>";
  std::ofstream(dir / "js" / "app.js") << "1;";
  EXPECT_EQ(get("/").result(), bh::status::not_found) << "no static dir configured";
  config_.static_dir = dir.string();
  Response res = get("/");
  EXPECT_EQ(res.result(), bh::status::ok);
  EXPECT_EQ(res.body(), "<h1>demo</h1>");
  EXPECT_EQ(res[bh::field::content_type], "text/html; charset=utf-8");
  res = get("/js/app.js");
  EXPECT_EQ(res[bh::field::content_type], "application/javascript; charset=utf-8");
  EXPECT_EQ(get("/missing.html").result(), bh::status::not_found);
  EXPECT_EQ(get("/../etc/passwd").result(), bh::status::forbidden);
  EXPECT_EQ(get("/js/%2e%2e/%2e%2e/x").result(), bh::status::forbidden);
  EXPECT_EQ(get("/websocket?appId=K").result(), bh::status::bad_request) << "not an upgrade";
  std::filesystem::remove_all(dir);
}

TEST(Url, ParsesTargetsAndForms) {
  const auto t = parse_target("/websocket?appId=K&token=a%2Bb%40&sdkVer=2.9.2&pid=undefined&apiVer=normal");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path, "/websocket");
  EXPECT_EQ(param(t->query, "token"), "a+b@");
  EXPECT_EQ(param(t->query, "pid"), "undefined");
  EXPECT_EQ(param(t->query, "missing"), "");
  EXPECT_FALSE(parse_target("no-slash").has_value());
  EXPECT_FALSE(parse_target("/bad%zz").has_value());
  const auto form = parse_params("userId=u+1&name=%E4%BD%A0%E5%A5%BD&x&=skip&bad=%z", true);
  EXPECT_EQ(param(form, "userId"), "u 1");
  EXPECT_EQ(param(form, "name"), "你好");
  EXPECT_EQ(form.count("x"), 1u);
  EXPECT_EQ(form.count("bad"), 0u);
  EXPECT_EQ(percent_decode("%4", false), std::nullopt);
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
}

}  // namespace
}  // namespace parley::server::http
