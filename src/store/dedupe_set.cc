#include "store/dedupe_set.h"

namespace parley::store {

bool DedupeSet::insert(const std::string& id) {
  if (id.empty()) return true;
  if (!set_.insert(id).second) return false;
  order_.push_back(id);
  while (order_.size() > capacity_) {
    set_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

void DedupeSet::clear() {
  order_.clear();
  set_.clear();
}

Json DedupeSet::to_json() const {
  Json ids = Json::array();
  for (const auto& id : order_) ids.push_back(id);
  return ids;
}

void DedupeSet::load(const Json& ids) {
  clear();
  if (!ids.is_array()) return;
  for (const auto& id : ids)
    if (id.is_string()) insert(id.get<std::string>());
}

}  // namespace parley::store
