// Capped full-jitter backoff (centrifuge-js utils.ts backoff): the n-th retry waits a
// uniform delay in [0, min(cap, base * 2^n)); callers reset n after a success. Used by the
// shim for what happens before the core is involved (navi, /ping); the core has its own
// policy for reconnects.
export function backoff(attempt, baseMs = 1000, capMs = 30000, random = Math.random) {
  const ceiling = Math.min(capMs, baseMs * Math.pow(2, Math.min(attempt, 20)));
  return Math.floor(random() * ceiling);
}
