// Storage adapters (STYLE.md 6): one shape {get, set, remove, keys} over localStorage, with
// every access in try/catch and a memory fallback. Private mode (setItem throws), a full
// quota, storage disabled by the user (reading `localStorage` itself throws) or no storage
// at all (node, workers) all end up in memory: the session works, it just does not survive
// a reload. Writes are mirrored in memory, so a fallback mid-session loses nothing already
// written in this page.

export class MemoryStorage {
  constructor() { this.map = new Map(); }
  get(key) { return this.map.has(key) ? this.map.get(key) : null; }
  set(key, value) { this.map.set(key, String(value)); }
  remove(key) { this.map.delete(key); }
  keys() { return Array.from(this.map.keys()); }
  get persistent() { return false; }
}

// Wraps a Web Storage object (getItem/setItem/removeItem/key/length). `onFallback(error)`
// is called once, when the backend first fails.
export class WebStorage {
  constructor(backend, onFallback = () => {}) {
    this._backend = backend;
    this._memory = new MemoryStorage();
    this._usable = !!backend;
    this._onFallback = onFallback;
  }
  _fail(e) {
    if (!this._usable) return;
    this._usable = false;
    this._onFallback(e);
  }
  get(key) {
    if (this._memory.map.has(key)) return this._memory.get(key);
    if (!this._usable) return null;
    try {
      const v = this._backend.getItem(key);
      return v === undefined ? null : v;
    } catch (e) {
      this._fail(e);
      return null;
    }
  }
  set(key, value) {
    this._memory.set(key, value);
    if (!this._usable) return;
    try {
      this._backend.setItem(key, String(value));
    } catch (e) {
      this._fail(e);
    }
  }
  // Nothing is kept of a removed key: while the backend is usable its removeItem worked
  // (a throw makes it unusable), and an unusable backend is never read again. (A record
  // of removed keys grew by one key per message sent, each outbox entry being a key.)
  remove(key) {
    this._memory.remove(key);
    if (!this._usable) return;
    try {
      this._backend.removeItem(key);
    } catch (e) {
      this._fail(e);
    }
  }
  keys() {
    const out = new Set(this._memory.keys());
    if (this._usable) {
      try {
        const n = this._backend.length;
        for (let i = 0; i < n; i++) {
          const k = this._backend.key(i);
          if (typeof k === 'string') out.add(k);
        }
      } catch (e) {
        this._fail(e);
      }
    }
    return Array.from(out);
  }
  get persistent() { return this._usable; }
}

// The storage a client uses: `option` may be a Web Storage object (localStorage-like), a
// ready adapter ({get, set, remove, keys}), false (memory only) or undefined (the page's
// localStorage when it can be reached).
export function createStorage(option, onFallback) {
  if (option === false) return new MemoryStorage();
  if (option && typeof option.get === 'function' && typeof option.set === 'function' &&
      typeof option.keys === 'function') return option;
  if (option && typeof option.getItem === 'function') return new WebStorage(option, onFallback);
  let backend = null;
  try {
    backend = typeof globalThis.localStorage === 'object' ? globalThis.localStorage : null;
  } catch (e) {
    // Reading localStorage throws when the user disabled site data.
    onFallback && onFallback(e);
    return new MemoryStorage();
  }
  return backend ? new WebStorage(backend, onFallback) : new MemoryStorage();
}

// Every key that starts with `prefix`, with its value, as one object.
export function readPrefix(storage, prefix) {
  const out = {};
  for (const k of storage.keys()) {
    if (k.startsWith(prefix)) {
      const v = storage.get(k);
      if (typeof v === 'string') out[k] = v;
    }
  }
  return out;
}
