// Deterministic pseudo-random numbers for the core (reconnect jitter, local ids). Seeded
// by the host at construction: the core never asks the OS, so tests are reproducible.
#pragma once

#include <cstdint>

namespace parley::session {

// SplitMix64: tiny, fast, good enough for jitter and ids (not for secrets).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound]; bound 0 gives 0.
  uint64_t uniform(uint64_t bound) { return bound == 0 ? 0 : next() % (bound + 1); }

 private:
  uint64_t state_;
};

}  // namespace parley::session
