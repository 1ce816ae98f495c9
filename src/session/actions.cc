#include "session/actions.h"

#include <string_view>

#include "common/decimal.h"

namespace parley::session {
namespace {

// Writes one JSON object member by member, straight into the text: the actions of every
// input cross the WASM boundary this way, without building (and copying) a Json tree.
// Callers add the keys in byte order, the order Json::dump() gives, so the text is the
// same as the dump of the equivalent Json object.
class ObjectText {
 public:
  explicit ObjectText(std::string& out) : out_(out) { out_.push_back('{'); }
  ~ObjectText() { out_.push_back('}'); }
  ObjectText& str(const char* key, std::string_view v) {
    name(key);
    Json::dump_string_to(out_, v);  // escaping, and U+FFFD for invalid UTF-8, as everywhere
    return *this;
  }
  ObjectText& num(const char* key, int64_t v) {
    name(key);
    append_signed_decimal(out_, v);
    return *this;
  }
  ObjectText& json(const char* key, const Json& v) {
    name(key);
    v.dump_to(out_);
    return *this;
  }

 private:
  void name(const char* key) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(key);
    out_.append("\":");
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace

void append_action_text(std::string& out, const Action& action,
                        std::vector<std::string>* byte_payloads) {
  ObjectText o(out);
  if (auto* a = std::get_if<OpenTransport>(&action)) {
    o.num("conn", a->conn).str("do", "open").str("host", a->host);
    o.str("transport", a->kind == TransportKind::kComet ? "comet" : "websocket").str("url", a->url);
  } else if (auto* c = std::get_if<CloseTransport>(&action)) {
    o.num("conn", c->conn).str("do", "close");
  } else if (auto* s = std::get_if<SendBytes>(&action)) {
    if (byte_payloads) {
      o.num("bytes", static_cast<int64_t>(byte_payloads->size()));
      byte_payloads->push_back(s->bytes);
    }
    o.num("conn", s->conn).str("do", "send");
  } else if (auto* p = std::get_if<SendComet>(&action)) {
    const codec::CometRequest& r = p->request;
    o.str("body", r.body).num("conn", p->conn).str("do", "post").num("header", r.header);
    o.num("messageid", r.message_id);
    if (r.has_topic) o.str("targetid", r.target_id).str("topic", r.topic);
  } else if (auto* e = std::get_if<EmitEvent>(&action)) {
    o.json("data", e->data).str("do", "emit").str("type", e->type);
  } else if (auto* v = std::get_if<PersistValue>(&action)) {
    o.str("do", v->erase ? "erase" : "persist").str("key", v->key);
    if (!v->erase) o.str("value", v->value);
  } else {
    o.num("at", std::get<SetTimer>(action).deadline_ms).str("do", "timer");
  }
}

Json action_to_json(const Action& action, std::vector<std::string>* byte_payloads) {
  std::string text;
  append_action_text(text, action, byte_payloads);
  return Json::parse(text);
}

}  // namespace parley::session
