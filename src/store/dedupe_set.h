// The msgUIds the app has already been given, so every message reaches it exactly once
// across pulls, s_msg, sync copies, reconnects and restarts. Bounded: the oldest ids are
// forgotten first (a re-delivered message that old is long past any sync position).
#pragma once

#include <deque>
#include <string>
#include <set>

#include "common/json.h"

namespace parley::store {

class DedupeSet {
 public:
  explicit DedupeSet(size_t capacity = 5000) : capacity_(capacity) {}

  // True when `id` is new (and remembers it); false for a duplicate. Empty ids are never
  // duplicates (messages without msgUId cannot be deduplicated).
  bool insert(const std::string& id);
  bool contains(const std::string& id) const { return set_.count(id) != 0; }
  size_t size() const { return order_.size(); }
  void clear();

  Json to_json() const;  // oldest first
  void load(const Json& ids);

 private:
  size_t capacity_;
  std::deque<std::string> order_;
  std::set<std::string> set_;  // a tree: its code is in the wasm anyway (std::map), a hash set's is not
};

}  // namespace parley::store
