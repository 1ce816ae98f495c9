// The RongCloud server API beyond getToken, through Routes (signed requests) into
// ServerApi and the hub: groups, blacklists, blocks, online check, published messages.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "auth/crypto.h"
#include "auth/token.h"
#include "http/routes.h"
#include "log.h"
#include "rongcloud.pb.h"
#include "status.h"
#include "storage/sqlite_storage.h"

namespace parley::server::http {
namespace {

using nlohmann::json;
namespace bh = boost::beast::http;

constexpr int64_t kNow = 1'700'000'000'000;

class ServerApiTest : public ::testing::Test {
 protected:
  ServerApiTest() {
    set_log_level(LogLevel::kOff);
    config_.apps = {{"K", "S"}};
    EXPECT_TRUE(hub_.start().ok());
  }

  // A signed POST; returns the status and the JSON body.
  std::pair<int, json> post(const std::string& path, const std::string& body, const std::string& secret = "S") {
    Request req{bh::verb::post, path, 11};
    const std::string nonce = "n" + std::to_string(nonce_++);
    const std::string ts = std::to_string(kNow);
    req.set("App-Key", "K");
    req.set("Nonce", nonce);
    req.set("Timestamp", ts);
    req.set("Signature", auth::sha1_hex(secret + nonce + ts));
    req.set(bh::field::content_type, "application/x-www-form-urlencoded");
    req.body() = body;
    req.prepare_payload();
    effects_ = {};
    const Response res = routes_.handle(req, kNow, &effects_);
    return {static_cast<int>(res.result_int()), json::parse(res.body())};
  }

  im::ConnectionId connect(const std::string& user) {
    const im::ConnectionId id = next_id_++;
    im::ConnectRequest r;
    r.app_key = "K";
    r.token = auth::issue_token({"K", user, kNow}, "S");
    (void)hub_.connect(id, r, kNow);
    return id;
  }

  ServerConfig config_;
  Metrics metrics_;
  auth::ApiSignatureVerifier signatures_{300'000};
  std::unique_ptr<storage::SqliteStorage> storage_ =
      std::move(storage::SqliteStorage::open({":memory:", true}).value());
  im::Hub hub_{*storage_, config_.apps, im::HubOptions{}, metrics_, 7};
  im::ServerApi api_{hub_, *storage_, config_.limits};
  Routes routes_{config_, *storage_, metrics_, signatures_, api_};
  im::HubOutput effects_;
  int nonce_ = 0;
  im::ConnectionId next_id_ = 1;
};

TEST_F(ServerApiTest, EveryEndpointNeedsTheSignature) {
  for (const char* path : {"/group/create.json", "/message/private/publish.json", "/user/block.json",
                           "/user/blacklist/add.json"}) {
    const auto [code, body] = post(path, "userId=a", "wrong-secret");
    EXPECT_EQ(code, 401) << path;
    EXPECT_EQ(body["code"], status::kApiBadSignature);
  }
  Request get{bh::verb::get, "/group/user/query.json", 11};
  EXPECT_EQ(routes_.handle(get, kNow).result(), bh::status::method_not_allowed);
}

TEST_F(ServerApiTest, GroupsAreCreatedJoinedQuitAndDismissed) {
  auto [code, body] = post("/group/create.json", "userId=a&userId=b&userId=c&groupId=g1&groupName=Team");
  ASSERT_EQ(code, 200) << body;
  EXPECT_EQ(body["code"], 200);
  std::tie(code, body) = post("/group/user/query.json", "groupId=g1");
  EXPECT_EQ(body["users"], json::parse(R"([{"id":"a"},{"id":"b"},{"id":"c"}])"));
  EXPECT_EQ(storage_->find_group("K", "g1").value()->name, "Team");

  post("/group/join.json", "userId=d&groupId=g1");
  post("/group/quit.json", "userId=b&groupId=g1");
  std::tie(code, body) = post("/group/user/query.json", "groupId=g1");
  EXPECT_EQ(body["users"].size(), 3u);
  EXPECT_FALSE(storage_->is_group_member("K", "g1", "b").value());
  EXPECT_TRUE(storage_->is_group_member("K", "g1", "d").value());
  std::tie(code, body) = post("/group/refresh.json", "groupId=g1&groupName=Renamed");
  EXPECT_EQ(storage_->find_group("K", "g1").value()->name, "Renamed");

  EXPECT_EQ(post("/group/dismiss.json", "userId=a&groupId=g1").first, 200);
  EXPECT_FALSE(storage_->find_group("K", "g1").value().has_value());
  EXPECT_EQ(post("/group/user/query.json", "groupId=g1").first, 400);

  // Bad input is a 1002 with a message.
  std::tie(code, body) = post("/group/create.json", "groupId=g2&groupName=x");
  EXPECT_EQ(code, 400);
  EXPECT_EQ(body["code"], status::kApiBadParameter);
  EXPECT_TRUE(body.contains("errorMessage"));
  EXPECT_EQ(post("/group/create.json", "userId=a&groupId=bad%20id&groupName=x").first, 400);
}

TEST_F(ServerApiTest, GroupSizeIsLimited) {
  config_.limits.max_group_members = 2;
  EXPECT_EQ(post("/group/create.json", "userId=a&userId=b&groupId=g&groupName=x").first, 200);
  EXPECT_EQ(post("/group/join.json", "userId=c&groupId=g").first, 400);
  EXPECT_EQ(post("/group/join.json", "userId=a&groupId=g").first, 200) << "already a member";
}

TEST_F(ServerApiTest, BlacklistAddQueryRemove) {
  EXPECT_EQ(post("/user/blacklist/add.json", "userId=a&blackUserId=b&blackUserId=c").first, 200);
  auto [code, body] = post("/user/blacklist/query.json", "userId=a");
  EXPECT_EQ(body["users"], json::parse(R"(["b","c"])"));
  EXPECT_TRUE(storage_->is_blacklisted("K", "a", "b").value());
  post("/user/blacklist/remove.json", "userId=a&blackUserId=b");
  std::tie(code, body) = post("/user/blacklist/query.json", "userId=a");
  EXPECT_EQ(body["users"], json::parse(R"(["c"])"));
  EXPECT_EQ(post("/user/blacklist/add.json", "userId=a&blackUserId=a").first, 400);
}

TEST_F(ServerApiTest, BlockKicksTheSessionsWithStatus2AndUnblockLiftsIt) {
  const im::ConnectionId a = connect("a");
  auto [code, body] = post("/user/checkOnline.json", "userId=a");
  EXPECT_EQ(body["status"], "1");
  std::tie(code, body) = post("/user/block.json", "userId=a&minute=10");
  ASSERT_EQ(code, 200) << body;
  ASSERT_EQ(effects_.frames.size(), 1u);
  EXPECT_EQ(effects_.frames[0].connection, a);
  EXPECT_EQ(std::get<codec::Disconnect>(effects_.frames[0].frame).status, status::kDisconnectBlocked);
  EXPECT_EQ(post("/user/checkOnline.json", "userId=a").second["status"], "0");
  std::tie(code, body) = post("/user/block/query.json", "");
  ASSERT_EQ(body["users"].size(), 1u);
  EXPECT_EQ(body["users"][0]["userId"], "a");
  EXPECT_EQ(body["users"][0]["blockEndTimeMs"], kNow + 600'000);
  EXPECT_EQ(storage_->blocked_until("K", "a", kNow).value(), kNow + 600'000);
  EXPECT_EQ(post("/user/unblock.json", "userId=a").first, 200);
  EXPECT_EQ(storage_->blocked_until("K", "a", kNow).value(), 0);
  EXPECT_EQ(post("/user/block.json", "userId=a&minute=0").first, 400);
  EXPECT_EQ(post("/user/block.json", "userId=a&minute=43201").first, 400);
}

TEST_F(ServerApiTest, PublishEndpointsStoreDeliverAndReturnTheUids) {
  const im::ConnectionId b = connect("b");
  auto [code, body] = post("/message/private/publish.json",
                           "fromUserId=a&toUserId=b&toUserId=c&objectName=RC%3ATxtMsg&content=%7B%22content%22%3A%22hi%22%7D");
  ASSERT_EQ(code, 200) << body;
  ASSERT_EQ(body["messageUIDs"].size(), 2u);
  EXPECT_EQ(body["messageUIDs"][0]["userId"], "b");
  ASSERT_FALSE(effects_.frames.empty()) << "b is online: notified";
  EXPECT_EQ(effects_.frames[0].connection, b);

  std::tie(code, body) = post("/message/system/publish.json",
                              "fromUserId=sys&toUserId=b&objectName=RC%3ATxtMsg&content=%7B%7D");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body["messageUIDs"].size(), 1u);

  post("/group/create.json", "userId=b&userId=c&groupId=g1&groupName=x");
  std::tie(code, body) = post("/message/group/publish.json",
                              "fromUserId=a&toGroupId=g1&objectName=RC%3ATxtMsg&content=%7B%7D");
  EXPECT_EQ(code, 200);
  ASSERT_EQ(body["messageUIDs"].size(), 1u);
  EXPECT_EQ(body["messageUIDs"][0]["groupId"], "g1");

  // Refused: not JSON, no target, too many groups.
  EXPECT_EQ(post("/message/private/publish.json", "fromUserId=a&toUserId=b&objectName=RC%3ATxtMsg&content=nope").first,
            400);
  EXPECT_EQ(post("/message/private/publish.json", "fromUserId=a&objectName=RC%3ATxtMsg&content=%7B%7D").first, 400);
  EXPECT_EQ(post("/message/group/publish.json",
                 "fromUserId=a&toGroupId=a&toGroupId=b&toGroupId=c&toGroupId=d&objectName=X&content=%7B%7D")
                .first,
            400);
  EXPECT_EQ(metrics_.api_messages_published_total.load(), 4u);
}

}  // namespace
}  // namespace parley::server::http
