#include "session/actions.h"

namespace parley::session {

Json action_to_json(const Action& action, std::vector<std::string>* byte_payloads) {
  using json = parley::Json;
  if (auto* o = std::get_if<OpenTransport>(&action)) {
    return {{"do", "open"}, {"conn", o->conn}, {"host", o->host}, {"url", o->url},
            {"transport", o->kind == TransportKind::kComet ? "comet" : "websocket"}};
  }
  if (auto* c = std::get_if<CloseTransport>(&action)) return {{"do", "close"}, {"conn", c->conn}};
  if (auto* s = std::get_if<SendBytes>(&action)) {
    json j{{"do", "send"}, {"conn", s->conn}};
    if (byte_payloads) {
      j["bytes"] = byte_payloads->size();
      byte_payloads->push_back(s->bytes);
    }
    return j;
  }
  if (auto* c = std::get_if<SendComet>(&action)) {
    json j{{"do", "post"}, {"conn", c->conn}, {"messageid", c->request.message_id},
           {"header", c->request.header}, {"body", c->request.body}};
    if (c->request.has_topic) {
      j["topic"] = c->request.topic;
      j["targetid"] = c->request.target_id;
    }
    return j;
  }
  if (auto* e = std::get_if<EmitEvent>(&action)) return {{"do", "emit"}, {"type", e->type}, {"data", e->data}};
  if (auto* p = std::get_if<PersistValue>(&action)) {
    if (p->erase) return {{"do", "erase"}, {"key", p->key}};
    return {{"do", "persist"}, {"key", p->key}, {"value", p->value}};
  }
  const auto& t = std::get<SetTimer>(action);
  return {{"do", "timer"}, {"at", t.deadline_ms}};
}

}  // namespace parley::session
