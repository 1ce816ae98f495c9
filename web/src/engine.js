// Engine: the host of one core Session (the WASM `_Client`). It owns everything the core
// must not touch (STYLE.md 1, 2): the clock and the one timer, transports, storage, navi and
// /ping, browser signals. Every input goes through _feed(), which hands the core `now`, runs
// the actions it returns (open/close/send/post/persist/erase), then delivers its events,
// then re-arms the single timer from core.nextDeadline().
//
// Events go to options.onEvent(type, data), the one listener (the Client): the core's
// "status" {status}, "message" {message}, "outbox" {message}, "recall", "typing",
// "readReceipt", "conversation" {conversation} and "log" {level, message} (logged here
// first). "result" and "sending" {id, message} answer commands: _call() resolves results
// (_callSync() at once) and tells `sending` (v2 onBefore).
//
// Every member is internal to the SDK, hence the `_` prefix: the release build shortens
// such names (web/build.mjs).
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
  // cometFallback (default true), seed, onEvent(type, data).
  constructor(options) {
    this._options = options;
    this._appKey = options.appKey;
    this._log = options.logger;
    this._storage = options.storage;
    this._clock = options.clock || {
      now: () => Date.now(),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (t) => clearTimeout(t),
    };
    const g = globalThis;
    this._WS = options.WebSocket !== undefined ? options.WebSocket : g.WebSocket;
    this._XHR = options.XMLHttpRequest !== undefined ? options.XMLHttpRequest : g.XMLHttpRequest;
    this._naviCache = new NaviCache(this._storage, this._appKey);
    this._onEvent = options.onEvent || (() => {});
    this._core = null;
    this._conns = new Map();        // conn -> transport handle (the generation guard)
    this._pending = new Map();      // command id -> {resolve, sending}
    this._nextId = 1;
    this._timer = null;
    this._timerAt = -1;
    this._status = ConnectionStatus.DISCONNECTED;
    this._connectGen = 0;           // a newer connect/disconnect makes older flows stale
    this._retry = null;             // background retry of navi/ping failures
    this._wsOpened = false;
    this._destroyed = false;
    this._ready = loadCore(options.wasm, this._log).then((core) => {
      if (this._destroyed) return;
      const config = Object.assign({ appKey: this._appKey }, options.core || {});
      this._core = new core._Client(JSON.stringify(config), options.seed !== undefined ? options.seed : randomSeed());
      this._restore();
    });
    this._ready.catch((e) => this._log.error(e.message));
    this._attachSignals(options.signals);
  }

  // ---- events --------------------------------------------------------------------------

  _emit(type, data) {
    if (type === 'result') {
      const p = this._pending.get(data.id);
      if (p) {
        this._pending.delete(data.id);
        p.resolve(data);
      }
      return;
    }
    if (type === 'sending') {  // the command's onBefore, then the app's on('sending')
      const p = this._pending.get(data.id);
      if (p && p.sending) p.sending(data.message);
    }
    if (type === 'status') {
      if (data.status === ConnectionStatus.REDIRECT) this._redirected();
      if (data.status === this._status) return;  // one event per change
      this._status = data.status;
    }
    if (type === 'log') {
      const level = ['debug', 'info', 'warn', 'error'].includes(data.level) ? data.level : 'info';
      this._log[level](String(data.message) + (data.status !== undefined ? ` (status ${data.status})` : ''));
    }
    try {
      this._onEvent(type, data);
    } catch (e) {
      this._log.error(`a ${type} listener threw: ${e && e.stack ? e.stack : e}`);
    }
  }

  _setStatus(status) { this._emit('status', { status }); }

  // ---- the action loop -----------------------------------------------------------------

  _now() { return this._clock.now(); }

  // Hands one input to the core and carries out what it answers.
  _feed(method, ...args) {
    if (!this._core || this._destroyed) return;
    let out;
    try {
      // Every input carries the time, except restore (storage contents only).
      out = method === 'restore' ? this._core.restore(...args) : this._core[method](this._now(), ...args);
    } catch (e) {
      this._log.error(`core.${method} failed: ${e && e.stack ? e.stack : e}`);
      return;
    }
    this._apply(out);
    this._arm();
  }

  _apply(out) {
    let actions;
    try {
      actions = JSON.parse(out.actions);
    } catch (e) {
      this._log.error('core answered unreadable actions');
      return;
    }
    // Transport, storage and timer actions first, then events: an app reacting to an
    // event (and calling back into the core) finds the world in the state the core meant.
    const events = [];
    for (const a of actions) {
      if (a.do === 'emit') events.push(a);
      else this._act(a, out.bytes);
    }
    for (const e of events) this._emit(e.type, e.data);
  }

  _act(a, bytes) {
    switch (a.do) {
      case 'open': this._open(a); break;
      case 'close': {
        const t = this._conns.get(a.conn);
        this._conns.delete(a.conn);
        if (t) t.close();
        break;
      }
      case 'send': {
        const t = this._conns.get(a.conn);
        if (t) t.send(bytes[a.bytes]);
        break;
      }
      case 'post': {
        const t = this._conns.get(a.conn);
        if (t && t.post) t.post(a);
        break;
      }
      case 'persist': this._storage.set(a.key, a.value); break;
      case 'erase': this._storage.remove(a.key); break;
      case 'timer': break;  // _arm() reads core.nextDeadline() after every input
      default: this._log.warn('unknown core action ' + a.do);
    }
  }

  // The one timer, always at the core's next deadline.
  _arm() {
    if (!this._core || this._destroyed) return;
    const at = this._core.nextDeadline();
    if (at === this._timerAt && this._timer !== null) return;
    if (this._timer !== null) this._clock.clearTimeout(this._timer);
    this._timer = null;
    this._timerAt = at;
    if (at < 0) return;
    const delay = Math.min(Math.max(0, at - this._now()), 0x7fffffff);
    this._timer = this._clock.setTimeout(() => {
      this._timer = null;
      this._timerAt = -1;
      this._feed('onTimer');
    }, delay);
  }

  _open(a) {
    const conn = a.conn;
    const comet = a.transport === 'comet';
    let factory = null;
    if (comet && this._XHR) factory = cometTransport(this._XHR, { now: () => this._now() });
    if (!comet && this._WS) factory = webSocketTransport(this._WS);
    if (!factory) {
      this._log.error(`no ${comet ? 'XMLHttpRequest' : 'WebSocket'} to connect with`);
      Promise.resolve().then(() => this._feed('onClosed', conn));
      return;
    }
    let handle = null;
    const live = () => handle !== null && this._conns.get(conn) === handle;
    handle = factory.open(a.url, {
      open: () => {
        if (!live()) return;
        if (!comet) this._wsOpened = true;
        this._feed('onOpen', conn);
      },
      bytes: (u8) => { if (live()) this._feed('onBytes', conn, u8); },
      comet: (text) => { if (live()) this._feed('onComet', conn, text); },
      closed: () => {
        if (!live()) return;
        this._conns.delete(conn);
        this._feed('onClosed', conn);
      },
      log: (level, text) => this._log[level](text),
    });
    this._conns.set(conn, handle);
  }

  // ---- commands ------------------------------------------------------------------------

  // A core command; resolves its result {id, code, data}. `sending(message)` is told when a
  // sendMessage is queued (v2 onBefore).
  async _call(cmd, sending) {
    await this._ready;
    if (!this._core) throw new ParleyError(ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT, 'client destroyed');
    return new Promise((resolve) => this._command(cmd, resolve, sending));
  }

  // A command answered at once (local ones: drafts, unread counts, user id); null before
  // the wasm is loaded.
  _callSync(cmd) {
    if (!this._core) return null;
    let result = null;
    this._pending.delete(this._command(cmd, (r) => { result = r; }));
    return result;
  }

  // Hands the core a command under a new id, whose result goes to `resolve`; answers the id.
  _command(cmd, resolve, sending) {
    const id = this._nextId++;
    this._pending.set(id, { resolve, sending });
    this._feed('command', JSON.stringify({ ...cmd, id }));
    return id;
  }

  // Hands the core what storage holds for this app (keys "parley/<appKey>/..."): before
  // every connect, so a user switch in the same page finds its latest state.
  _restore() {
    if (!this._core) return;
    const kv = readPrefix(this._storage, `parley/${this._appKey}/`);
    this._feed('restore', JSON.stringify(kv));
  }

  // ---- connecting ----------------------------------------------------------------------

  // navi -> /ping -> core connect. Resolves the userId; rejects ParleyError. After a failure
  // before the core had hosts (navi, /ping), retries in the background with backoff until
  // connected or disconnected; the core does the same for failures after that.
  async _connect(token, options = {}) {
    this._connecting = (this._connecting || 0) + 1;
    try {
      return await this._connectOnce(token, options);
    } finally {
      this._connecting--;
    }
  }

  async _connectOnce(token, { background = false, redirects = 0 } = {}) {
    const gen = ++this._connectGen;
    this._cancelRetry();
    this._token = token;
    if (!background) this._retryAttempt = 0;
    const stale = () => gen !== this._connectGen || this._destroyed;
    const superseded = () => new ParleyError(ErrorCode.RC_NET_UNAVAILABLE, 'connect superseded by a newer connect or disconnect');
    this._setStatus(ConnectionStatus.CONNECTING);
    await this._ready;
    if (stale()) throw superseded();
    const wantComet = this._options.connectionType === 'comet' || !this._WS;
    let target;
    try {
      if (!this._XHR) {
        throw new ParleyError(ErrorCode.RC_NAVI_RESOURCE_ERROR,
          'no XMLHttpRequest for navi: provide the global or init option XMLHttpRequest');
      }
      const navi = await requestNavi({
        XHR: this._XHR, appKey: this._appKey, token, navi: this._options.navi, comet: wantComet,
        cache: this._naviCache, now: () => this._now(),
      });
      if (stale()) throw superseded();
      const hosts = await pingHosts(this._XHR, navi.hosts, navi.secure, () => this._now());
      if (stale()) throw superseded();
      if (!hosts.length) {
        this._naviCache.clear(navi.token);  // maybe stale: ask navi again next time
        throw new ParleyError(ErrorCode.RC_SOCKET_NOT_CREATED, 'no server host answered /ping');
      }
      target = { token: navi.token, hosts, secure: navi.secure };
      this._naviToken = navi.token;
      this._naviInfo = navi.info;
    } catch (e) {
      if (stale()) throw superseded();
      const err = e instanceof ParleyError ? e : new ParleyError(ErrorCode.RC_NET_UNAVAILABLE, String(e));
      const final = err.code === ErrorCode.PACKAGE_ENVIRONMENT_ERROR || !this._XHR;
      this._setStatus(ConnectionStatus.NETWORK_UNAVAILABLE);
      if (!final) this._scheduleRetry(token, gen);
      throw err;
    }
    this._restore();
    this._hasTarget = true;           // the core has token and hosts: it can reconnect alone
    this._wsOpened = false;
    let r = await this._call({ cmd: 'connect', token: target.token, hosts: target.hosts, secure: target.secure,
      transport: wantComet ? 'comet' : 'websocket' });
    if (r.code !== 0 && !wantComet && !this._wsOpened && this._XHR && this._options.cometFallback !== false &&
        !stale() && r.code !== ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR) {
      // WebSocket did not even open while the hosts answer HTTP (a proxy or a WebView
      // without WebSocket): long polling, as the official client falls back.
      this._log.warn('WebSocket could not open; falling back to long polling (comet)');
      r = await this._call({ cmd: 'connect', token: target.token, hosts: target.hosts, secure: target.secure, transport: 'comet' });
    }
    if (r.code === 0) return r.data && r.data.userId;
    if (r.code === ErrorCode.RC_CONN_REDIRECTED && redirects < 3 && !stale()) {
      this._naviCache.clear(target.token);  // sent elsewhere: ask navi again (§1.4)
      return this._connectOnce(token, { background, redirects: redirects + 1 });
    }
    const err = new ParleyError(r.code, r.data && r.data.message);
    throw err;
  }

  // The server sent us elsewhere (CONNACK 6, DISCONNECT 0/6): forget the cached navi
  // answer and start over from navi, as the official client does (PROTOCOL.md §1.4).
  _redirected() {
    if (!this._token || this._destroyed || this._connecting) return;  // _connect() handles its own
    if (this._naviToken) this._naviCache.clear(this._naviToken);
    this._cancelRetry();
    this._scheduleRetry(this._token, this._connectGen);
  }

  _scheduleRetry(token, gen) {
    const delay = backoff(this._retryAttempt || 0);
    this._retryAttempt = (this._retryAttempt || 0) + 1;
    const run = () => {
      this._retry = null;
      if (gen !== this._connectGen || this._destroyed) return;
      this._connect(token, { background: true }).catch(() => {});
    };
    this._retry = { run, timer: this._clock.setTimeout(run, delay) };
  }

  _cancelRetry() {
    if (!this._retry) return;
    this._clock.clearTimeout(this._retry.timer);
    this._retry = null;
  }

  // disconnect/logout: stops any connect in progress, then tells the core.
  async _disconnect(logout) {
    this._connectGen++;
    this._cancelRetry();
    if (logout) {
      this._token = undefined;
      this._hasTarget = false;
    }
    if (!this._core) {
      await this._ready.catch(() => {});
      if (!this._core) return;
    }
    await this._call({ cmd: logout ? 'logout' : 'disconnect' });
    this._setStatus(ConnectionStatus.DISCONNECTED);
  }

  // ---- browser signals -------------------------------------------------------------------

  // `online` and `visibilitychange` (to visible) make the core check the link at once (a
  // quick ping) or reconnect now instead of at its next backoff step.
  _attachSignals(signals) {
    if (signals === false) return;
    const win = signals && signals.window !== undefined ? signals.window : globalThis.window;
    const doc = signals && signals.document !== undefined ? signals.document : globalThis.document;
    this._detach = [];
    const listen = (target, type, fn) => {
      if (!target || typeof target.addEventListener !== 'function') return;
      target.addEventListener(type, fn);
      this._detach.push(() => target.removeEventListener(type, fn));
    };
    listen(win, 'online', () => this._signal('online'));
    listen(doc, 'visibilitychange', () => {
      if (!doc.visibilityState || doc.visibilityState === 'visible') this._signal('visible');
    });
  }

  _signal(kind) {
    if (this._retry) {
      this._clock.clearTimeout(this._retry.timer);
      this._retryAttempt = 0;
      this._retry.run();
      return;
    }
    if (this._core) this._feed('command', JSON.stringify({ cmd: kind }));
  }

  _destroy() {
    if (this._destroyed) return;
    this._connectGen++;
    this._cancelRetry();
    for (const t of this._conns.values()) t.close();
    this._conns.clear();
    if (this._timer !== null) this._clock.clearTimeout(this._timer);
    this._timer = null;
    for (const off of this._detach || []) off();
    for (const p of this._pending.values()) p.resolve({ code: ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT, data: { message: 'client destroyed' } });
    this._pending.clear();
    this._destroyed = true;
    if (this._core) {
      try { this._core.delete(); } catch (e) { /* already gone */ }
      this._core = null;
    }
  }
}
