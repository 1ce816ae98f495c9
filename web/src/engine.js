// Engine: the host of one core Session (the WASM `_Client`). It owns everything the core
// must not touch (STYLE.md 1, 2): the clock and the one timer, transports, storage, navi and
// /ping, browser signals. Every input goes through _feed(), which hands the core `now`, runs
// the actions it returns (open/close/send/post/persist/erase), then delivers its events,
// then re-arms the single timer from core.nextDeadline().
//
// Events (engine.on(type, fn)): the core's "status" {status}, "message" {message},
// "sending" {id, message}, "outbox" {message}, "recall", "typing", "readReceipt",
// "conversation" {conversation}, and "log" {level, message}; plus "ready" once the wasm is
// loaded. Command answers come back as Promises from call() (or at once from callSync()).
import { backoff } from './backoff.js';
import { ConnectionStatus, ErrorCode } from './enums.js';
import { ParleyError } from './errors.js';
import { NaviCache, pingHosts, requestNavi } from './navi.js';
import { readPrefix } from './storage.js';
import { cometTransport } from './transport_comet.js';
import { webSocketTransport } from './transport_websocket.js';
import { loadCore } from './wasm_loader.js';

function randomSeed() {
  const c = globalThis.crypto;
  if (c && typeof c.getRandomValues === 'function') {
    const v = c.getRandomValues(new Uint32Array(2));
    return (v[0] & 0x1fffff) * 4294967296 + v[1];  // 53 bits, exact as a double
  }
  return Math.floor(Math.random() * Number.MAX_SAFE_INTEGER);
}

export class Engine {
  // options: appKey, navi, connectionType ('websocket' | 'comet'), WebSocket,
  // XMLHttpRequest, storage (an adapter, storage.js), logger, wasm (the runtime's
  // default or the app's), core (SessionConfig overrides, e.g. {pingIntervalMs}), clock ({now,
  // setTimeout, clearTimeout}), signals (an EventTarget-like window/document pair or false),
  // cometFallback (default true), seed.
  constructor(options) {
    this.options = options;
    this.appKey = options.appKey;
    this.log = options.logger;
    this.storage = options.storage;
    this.clock = options.clock || {
      now: () => Date.now(),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (t) => clearTimeout(t),
    };
    const g = globalThis;
    this.WS = options.WebSocket !== undefined ? options.WebSocket : g.WebSocket;
    this.XHR = options.XMLHttpRequest !== undefined ? options.XMLHttpRequest : g.XMLHttpRequest;
    this.naviCache = new NaviCache(this.storage, this.appKey);
    this.listeners = new Map();
    this.core = null;
    this.conns = new Map();        // conn -> transport handle (the generation guard)
    this.pending = new Map();      // command id -> {resolve, sending}
    this.nextId = 1;
    this.timer = null;
    this.timerAt = -1;
    this.status = ConnectionStatus.DISCONNECTED;
    this.connectGen = 0;           // a newer connect/disconnect makes older flows stale
    this.retry = null;             // background retry of navi/ping failures
    this.wsOpened = false;
    this.destroyed = false;
    this.ready = loadCore(options.wasm, this.log).then((core) => {
      if (this.destroyed) return;
      const config = Object.assign({ appKey: this.appKey }, options.core || {});
      this.core = new core._Client(JSON.stringify(config), options.seed !== undefined ? options.seed : randomSeed());
      this.restore();
      this.emit('ready', {});
    });
    this.ready.catch((e) => this.log.error(e.message));
    this.attachSignals(options.signals);
  }

  // ---- events --------------------------------------------------------------------------

  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
    return () => this.listeners.get(type).delete(fn);
  }

  emit(type, data) {
    if (type === 'result') {
      const p = this.pending.get(data.id);
      if (p) {
        this.pending.delete(data.id);
        p.resolve(data);
      }
      return;
    }
    if (type === 'sending') {
      const p = this.pending.get(data.id);
      if (p && p.sending) p.sending(data.message);
      return;
    }
    if (type === 'status') {
      if (data.status === ConnectionStatus.REDIRECT) this.redirected();
      if (data.status === this.status) return;  // one event per change
      this.status = data.status;
    }
    if (type === 'log') {
      const level = ['debug', 'info', 'warn', 'error'].includes(data.level) ? data.level : 'info';
      this.log[level](String(data.message) + (data.status !== undefined ? ` (status ${data.status})` : ''));
    }
    const set = this.listeners.get(type);
    if (!set) return;
    for (const fn of Array.from(set)) {
      try {
        fn(data);
      } catch (e) {
        this.log.error(`a ${type} listener threw: ${e && e.stack ? e.stack : e}`);
      }
    }
  }

  setStatus(status) { this.emit('status', { status }); }

  // ---- the action loop -----------------------------------------------------------------

  now() { return this.clock.now(); }

  // Hands one input to the core and carries out what it answers.
  feed(method, ...args) {
    if (!this.core || this.destroyed) return;
    let out;
    try {
      // Every input carries the time, except restore (storage contents only).
      out = method === 'restore' ? this.core.restore(...args) : this.core[method](this.now(), ...args);
    } catch (e) {
      this.log.error(`core.${method} failed: ${e && e.stack ? e.stack : e}`);
      return;
    }
    this.apply(out);
    this.arm();
  }

  apply(out) {
    let actions;
    try {
      actions = JSON.parse(out.actions);
    } catch (e) {
      this.log.error('core answered unreadable actions');
      return;
    }
    // Transport, storage and timer actions first, then events: an app reacting to an
    // event (and calling back into the core) finds the world in the state the core meant.
    const events = [];
    for (const a of actions) {
      if (a.do === 'emit') events.push(a);
      else this.act(a, out.bytes);
    }
    for (const e of events) this.emit(e.type, e.data);
  }

  act(a, bytes) {
    switch (a.do) {
      case 'open': this.open(a); break;
      case 'close': {
        const t = this.conns.get(a.conn);
        this.conns.delete(a.conn);
        if (t) t.close();
        break;
      }
      case 'send': {
        const t = this.conns.get(a.conn);
        if (t) t.send(bytes[a.bytes]);
        break;
      }
      case 'post': {
        const t = this.conns.get(a.conn);
        if (t && t.post) t.post(a);
        break;
      }
      case 'persist': this.storage.set(a.key, a.value); break;
      case 'erase': this.storage.remove(a.key); break;
      case 'timer': break;  // arm() reads core.nextDeadline() after every input
      default: this.log.warn('unknown core action ' + a.do);
    }
  }

  // The one timer, always at the core's next deadline.
  arm() {
    if (!this.core || this.destroyed) return;
    const at = this.core.nextDeadline();
    if (at === this.timerAt && this.timer !== null) return;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = at;
    if (at < 0) return;
    const delay = Math.min(Math.max(0, at - this.now()), 0x7fffffff);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.timerAt = -1;
      this.feed('onTimer');
    }, delay);
  }

  open(a) {
    const conn = a.conn;
    const comet = a.transport === 'comet';
    let factory = null;
    if (comet && this.XHR) factory = cometTransport(this.XHR, { now: () => this.now() });
    if (!comet && this.WS) factory = webSocketTransport(this.WS);
    if (!factory) {
      this.log.error(`no ${comet ? 'XMLHttpRequest' : 'WebSocket'} to connect with`);
      Promise.resolve().then(() => this.feed('onClosed', conn));
      return;
    }
    let handle = null;
    const live = () => handle !== null && this.conns.get(conn) === handle;
    handle = factory.open(a.url, {
      open: () => {
        if (!live()) return;
        if (!comet) this.wsOpened = true;
        this.feed('onOpen', conn);
      },
      bytes: (u8) => { if (live()) this.feed('onBytes', conn, u8); },
      comet: (text) => { if (live()) this.feed('onComet', conn, text); },
      closed: () => {
        if (!live()) return;
        this.conns.delete(conn);
        this.feed('onClosed', conn);
      },
      log: (level, text) => this.log[level](text),
    });
    this.conns.set(conn, handle);
  }

  // ---- commands ------------------------------------------------------------------------

  // A core command; resolves its result {id, code, data}. `sending(message)` is told when a
  // sendMessage is queued (v2 onBefore).
  async call(cmd, sending) {
    await this.ready;
    if (!this.core) throw new ParleyError(ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT, 'client destroyed');
    const id = this.nextId++;
    const answer = new Promise((resolve) => this.pending.set(id, { resolve, sending }));
    this.feed('command', JSON.stringify(Object.assign({}, cmd, { id })));
    return answer;
  }

  // A command answered at once (local ones: drafts, unread counts, user id); null before
  // the wasm is loaded.
  callSync(cmd) {
    if (!this.core) return null;
    const id = this.nextId++;
    let result = null;
    this.pending.set(id, { resolve: (r) => { result = r; } });
    this.feed('command', JSON.stringify(Object.assign({}, cmd, { id })));
    this.pending.delete(id);
    return result;
  }

  // Hands the core what storage holds for this app (keys "parley/<appKey>/..."): before
  // every connect, so a user switch in the same page finds its latest state.
  restore() {
    if (!this.core) return;
    const kv = readPrefix(this.storage, `parley/${this.appKey}/`);
    this.feed('restore', JSON.stringify(kv));
  }

  // ---- connecting ----------------------------------------------------------------------

  // navi -> /ping -> core connect. Resolves the userId; rejects ParleyError. After a failure
  // before the core had hosts (navi, /ping), retries in the background with backoff until
  // connected or disconnected; the core does the same for failures after that.
  async connect(token, options = {}) {
    this.connecting = (this.connecting || 0) + 1;
    try {
      return await this.connectOnce(token, options);
    } finally {
      this.connecting--;
    }
  }

  async connectOnce(token, { background = false, redirects = 0 } = {}) {
    const gen = ++this.connectGen;
    this.cancelRetry();
    this.token = token;
    if (!background) this.retryAttempt = 0;
    const stale = () => gen !== this.connectGen || this.destroyed;
    const superseded = () => new ParleyError(ErrorCode.RC_NET_UNAVAILABLE, 'connect superseded by a newer connect or disconnect');
    this.setStatus(ConnectionStatus.CONNECTING);
    await this.ready;
    if (stale()) throw superseded();
    const wantComet = this.options.connectionType === 'comet' || !this.WS;
    let target;
    try {
      if (!this.XHR) {
        throw new ParleyError(ErrorCode.RC_NAVI_RESOURCE_ERROR,
          'no XMLHttpRequest for navi: provide the global or init option XMLHttpRequest');
      }
      const navi = await requestNavi({
        XHR: this.XHR, appKey: this.appKey, token, navi: this.options.navi, comet: wantComet,
        cache: this.naviCache, now: () => this.now(),
      });
      if (stale()) throw superseded();
      const hosts = await pingHosts(this.XHR, navi.hosts, navi.secure, () => this.now());
      if (stale()) throw superseded();
      if (!hosts.length) {
        this.naviCache.clear(navi.token);  // maybe stale: ask navi again next time
        throw new ParleyError(ErrorCode.RC_SOCKET_NOT_CREATED, 'no server host answered /ping');
      }
      target = { token: navi.token, hosts, secure: navi.secure };
      this.naviToken = navi.token;
      this.naviInfo = navi.info;
    } catch (e) {
      if (stale()) throw superseded();
      const err = e instanceof ParleyError ? e : new ParleyError(ErrorCode.RC_NET_UNAVAILABLE, String(e));
      const final = err.code === ErrorCode.PACKAGE_ENVIRONMENT_ERROR || !this.XHR;
      this.setStatus(ConnectionStatus.NETWORK_UNAVAILABLE);
      if (!final) this.scheduleRetry(token, gen);
      throw err;
    }
    this.restore();
    this.hasTarget = true;           // the core has token and hosts: it can reconnect alone
    this.wsOpened = false;
    let r = await this.call({ cmd: 'connect', token: target.token, hosts: target.hosts, secure: target.secure,
      transport: wantComet ? 'comet' : 'websocket' });
    if (r.code !== 0 && !wantComet && !this.wsOpened && this.XHR && this.options.cometFallback !== false &&
        !stale() && r.code !== ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR) {
      // WebSocket did not even open while the hosts answer HTTP (a proxy or a WebView
      // without WebSocket): long polling, as the official client falls back.
      this.log.warn('WebSocket could not open; falling back to long polling (comet)');
      r = await this.call({ cmd: 'connect', token: target.token, hosts: target.hosts, secure: target.secure, transport: 'comet' });
    }
    if (r.code === 0) return r.data && r.data.userId;
    if (r.code === ErrorCode.RC_CONN_REDIRECTED && redirects < 3 && !stale()) {
      this.naviCache.clear(target.token);  // sent elsewhere: ask navi again (§1.4)
      return this.connectOnce(token, { background, redirects: redirects + 1 });
    }
    const err = new ParleyError(r.code, r.data && r.data.message);
    throw err;
  }

  // The server sent us elsewhere (CONNACK 6, DISCONNECT 0/6): forget the cached navi
  // answer and start over from navi, as the official client does (PROTOCOL.md §1.4).
  redirected() {
    if (!this.token || this.destroyed || this.connecting) return;  // connect() handles its own
    if (this.naviToken) this.naviCache.clear(this.naviToken);
    this.cancelRetry();
    this.scheduleRetry(this.token, this.connectGen);
  }

  scheduleRetry(token, gen) {
    const delay = backoff(this.retryAttempt || 0);
    this.retryAttempt = (this.retryAttempt || 0) + 1;
    const run = () => {
      this.retry = null;
      if (gen !== this.connectGen || this.destroyed) return;
      this.connect(token, { background: true }).catch(() => {});
    };
    this.retry = { run, timer: this.clock.setTimeout(run, delay) };
  }

  cancelRetry() {
    if (!this.retry) return;
    this.clock.clearTimeout(this.retry.timer);
    this.retry = null;
  }

  // disconnect/logout: stops any connect in progress, then tells the core.
  async disconnect(logout) {
    this.connectGen++;
    this.cancelRetry();
    if (logout) {
      this.token = undefined;
      this.hasTarget = false;
    }
    if (!this.core) {
      await this.ready.catch(() => {});
      if (!this.core) return;
    }
    await this.call({ cmd: logout ? 'logout' : 'disconnect' });
    this.setStatus(ConnectionStatus.DISCONNECTED);
  }

  // ---- browser signals -------------------------------------------------------------------

  // `online` and `visibilitychange` (to visible) make the core check the link at once (a
  // quick ping) or reconnect now instead of at its next backoff step.
  attachSignals(signals) {
    if (signals === false) return;
    const win = signals && signals.window !== undefined ? signals.window : globalThis.window;
    const doc = signals && signals.document !== undefined ? signals.document : globalThis.document;
    this.detach = [];
    const listen = (target, type, fn) => {
      if (!target || typeof target.addEventListener !== 'function') return;
      target.addEventListener(type, fn);
      this.detach.push(() => target.removeEventListener(type, fn));
    };
    listen(win, 'online', () => this.signal('online'));
    listen(doc, 'visibilitychange', () => {
      if (!doc.visibilityState || doc.visibilityState === 'visible') this.signal('visible');
    });
  }

  signal(kind) {
    if (this.retry) {
      this.clock.clearTimeout(this.retry.timer);
      this.retryAttempt = 0;
      this.retry.run();
      return;
    }
    if (this.core) this.feed('command', JSON.stringify({ cmd: kind }));
  }

  destroy() {
    if (this.destroyed) return;
    this.connectGen++;
    this.cancelRetry();
    for (const t of this.conns.values()) t.close();
    this.conns.clear();
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const off of this.detach || []) off();
    for (const p of this.pending.values()) p.resolve({ code: ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT, data: { message: 'client destroyed' } });
    this.pending.clear();
    this.destroyed = true;
    if (this.core) {
      try { this.core.delete(); } catch (e) { /* already gone */ }
      this.core = null;
    }
  }
}
