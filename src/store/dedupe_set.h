// The msgUIds the app has already been given, so every message reaches it exactly once
// across pulls, s_msg, sync copies, reconnects and restarts. Bounded: the oldest ids are
// forgotten first (a re-delivered message that old is long past any sync position).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/json.h"

namespace parley::store {

class DedupeSet {
 public:
  explicit DedupeSet(size_t capacity = 5000) : capacity_(capacity) {}

  // True when `id` is new (and remembers it); false for a duplicate. Empty ids are never
  // duplicates (messages without msgUId cannot be deduplicated).
  bool insert(const std::string& id);
  bool contains(const std::string& id) const { return set_.count(id) != 0; }
  size_t size() const { return order_.size() - head_; }
  void clear();

  Json to_json() const;  // oldest first
  void load(const Json& ids);

 private:
  size_t capacity_;
  // Oldest first from head_; the forgotten ones before head_ are dropped in batches. A
  // vector, not a deque: a deque's code is 2 KB of the wasm for this one FIFO.
  std::vector<std::string> order_;
  size_t head_ = 0;
  std::set<std::string> set_;  // a tree: its code is in the wasm anyway (std::map), a hash set's is not
};

}  // namespace parley::store
