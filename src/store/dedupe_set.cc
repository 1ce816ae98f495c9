#include "store/dedupe_set.h"

#include <algorithm>

namespace parley::store {

bool DedupeSet::insert(const std::string& id) {
  if (id.empty()) return true;
  if (!set_.insert(id).second) return false;
  order_.push_back(id);
  while (size() > capacity_) set_.erase(order_[head_++]);
  if (head_ > capacity_ / 2 + 16) {  // amortized O(1): compact once half is dead
    order_.erase(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(head_));
    base_ += head_;
    head_ = 0;
  }
  return true;
}

void DedupeSet::clear() {
  order_.clear();
  head_ = 0;
  base_ = 0;
  set_.clear();
}

Json DedupeSet::block_json(size_t b) const {
  Json ids = Json::array();
  const size_t from = std::max(b * kBlockIds, first_number());
  const size_t to = std::min((b + 1) * kBlockIds, end_number());
  for (size_t n = from; n < to; ++n) ids.push_back(order_[n - base_]);
  return ids;
}

void DedupeSet::append(const Json& ids) {
  if (!ids.is_array()) return;
  for (const auto& id : ids)
    if (id.is_string()) insert(id.get<std::string>());
}

void DedupeSet::number_up_to(size_t end) { base_ = std::max(end, order_.size()) - order_.size(); }

Json DedupeSet::to_json() const {
  Json ids = Json::array();
  for (size_t i = head_; i < order_.size(); ++i) ids.push_back(order_[i]);
  return ids;
}

}  // namespace parley::store
