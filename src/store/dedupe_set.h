// The msgUIds the app has already been given, so every message reaches it exactly once
// across pulls, s_msg, sync copies, reconnects and restarts. Bounded: the oldest ids are
// forgotten first (a re-delivered message that old is long past any sync position).
//
// Stored in blocks: the ids are numbered in the order they came, and the ids numbered
// [b * kBlockIds, (b + 1) * kBlockIds) are block b, kept under a key of its own. A new id
// then rewrites one block of at most kBlockIds ids, not the whole set (5000 ids are about
// 100 KB of JSON, which every incoming message used to write).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/json.h"

namespace parley::store {

class DedupeSet {
 public:
  static constexpr size_t kBlockIds = 100;

  explicit DedupeSet(size_t capacity = 5000) : capacity_(capacity) {}

  // True when `id` is new (and remembers it); false for a duplicate. Empty ids are never
  // duplicates (messages without msgUId cannot be deduplicated).
  bool insert(const std::string& id);
  bool contains(const std::string& id) const { return set_.count(id) != 0; }
  size_t size() const { return order_.size() - head_; }
  void clear();

  // The numbers of the oldest remembered id and of the next one to come.
  size_t first_number() const { return base_ + head_; }
  size_t end_number() const { return base_ + order_.size(); }
  // The remembered ids of block b, oldest first.
  Json block_json(size_t b) const;
  // Adds stored ids (a block, oldest first; or the whole set as an older version kept it),
  // then numbers the ids so that the next one is `end` (at least the count remembered).
  void append(const Json& ids);
  void number_up_to(size_t end);

  Json to_json() const;  // all remembered ids, oldest first

 private:
  size_t capacity_;
  // Oldest first from head_; the forgotten ones before head_ are dropped in batches. A
  // vector, not a deque: a deque's code is 2 KB of the wasm for this one FIFO. order_[i]
  // has the number base_ + i.
  std::vector<std::string> order_;
  size_t head_ = 0;
  size_t base_ = 0;
  std::set<std::string> set_;  // a tree: its code is in the wasm anyway (std::map), a hash set's is not
};

}  // namespace parley::store
