// libFuzzer target: parley::Json::parse against nlohmann::json (json_test.cc does the
// same on generated documents). Same accept/refuse (but for our depth limit); an accepted
// document dumps to text that parses back to the same value, and that nlohmann reads as
// the value it parsed itself; strings dump as nlohmann dumps them.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "common/json.h"

namespace {

int depth_of(const nlohmann::json& j) {
  int d = 0;
  if (j.is_array() || j.is_object())
    for (const auto& e : j) d = std::max(d, depth_of(e));
  return j.is_array() || j.is_object() ? d + 1 : 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const parley::Json ours = parley::Json::parse(text);
  const nlohmann::json theirs = nlohmann::json::parse(text, nullptr, false);
  const bool too_deep = !theirs.is_discarded() && depth_of(theirs) > parley::Json::kMaxDepth;
  if (ours.is_discarded() != (theirs.is_discarded() || too_deep)) std::abort();
  if (!ours.is_discarded()) {
    const std::string dumped = ours.dump();
    if (parley::Json::parse(dumped) != ours) std::abort();
    if (nlohmann::json::parse(dumped, nullptr, false) != theirs) std::abort();
  }
  const std::string dumped = parley::Json(text).dump();
  if (dumped != nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) std::abort();
  return 0;
}
