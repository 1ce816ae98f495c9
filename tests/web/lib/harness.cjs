'use strict';
// Test harness for the web SDK: the built packages (both wasm flavours), fakes for the
// browser (clock, WebSocket, XMLHttpRequest, storage) and helpers for real-server runs.
const fs = require('fs');
const path = require('path');
const { NodeXMLHttpRequest } = require('./node_xhr.cjs');
const { loadParleyWasm } = require('../../lib/load_wasm.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FLAVOURS = (process.env.PARLEY_WEB_FLAVOURS || 'release,debug').split(',').filter(Boolean);

function packageDir(flavour) {
  return path.join(ROOT, 'build', flavour === 'release' ? 'web' : 'web-debug');
}

// The UMD bundle of a flavour, as `require` gives it (module.exports = Parley).
function loadParley(flavour) {
  const file = path.join(packageDir(flavour), 'parley.umd.js');
  if (!fs.existsSync(file)) throw new Error(`${file} missing: run node web/build.mjs`);
  return require(file);
}

// The frame codec of a flavour (_encodeFrame/_decodeFrame): the tools build of its wasm.
const codecs = {};
async function loadCodec(flavour) {
  if (!codecs[flavour]) codecs[flavour] = await loadParleyWasm(flavour);
  return codecs[flavour];
}

function NodeWebSocket() {
  return require(path.join(ROOT, 'web', 'node_modules', 'ws'));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(predicate, { timeoutMs = 10000, what = 'condition', intervalMs = 10 } = {}) {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// ---- a fake clock: the engine's only timer source in engine tests -------------------------
class FakeClock {
  constructor(start = 1_700_000_000_000) {
    this.t = start;
    this.timers = new Map();
    this.nextId = 1;
  }
  now() { return this.t; }
  setTimeout(fn, ms) {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(id) { this.timers.delete(id); }
  get pending() { return this.timers.size; }
  // Moves time forward, firing due timers in order (each may schedule more).
  advance(ms) {
    const end = this.t + ms;
    for (;;) {
      let next = null;
      for (const [id, t] of this.timers) if (t.at <= end && (!next || t.at < next[1].at)) next = [id, t];
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }
  api() {
    return { now: () => this.now(), setTimeout: (f, ms) => this.setTimeout(f, ms), clearTimeout: (id) => this.clearTimeout(id) };
  }
}

// ---- a fake WebSocket: the test plays the server ----------------------------------------
function fakeWebSocketClass() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.binaryType = 'blob';
      this.readyState = 0;
      this.sent = [];
      this.closedByClient = false;
      this.onopen = this.onmessage = this.onerror = this.onclose = null;
      sockets.push(this);
    }
    send(data) {
      if (this.readyState !== 1) throw new Error('InvalidStateError');
      this.sent.push(new Uint8Array(data));
    }
    close() {
      this.closedByClient = true;
      this.readyState = 3;
    }
    // server side
    accept() { this.readyState = 1; if (this.onopen) this.onopen({}); }
    deliver(bytes) { if (this.onmessage) this.onmessage({ data: Uint8Array.from(bytes).buffer }); }
    deliverText(text) { if (this.onmessage) this.onmessage({ data: text }); }
    drop() { this.readyState = 3; if (this.onclose) this.onclose({ code: 1006 }); }
    fail() { this.readyState = 3; if (this.onerror) this.onerror({}); if (this.onclose) this.onclose({ code: 1006 }); }
  }
  FakeWebSocket.sockets = sockets;
  return FakeWebSocket;
}

// ---- a fake XMLHttpRequest: routes answer each request (sync or by returning a Promise) ----
function fakeXhrClass(route) {
  const requests = [];
  class FakeXHR {
    constructor() {
      this.readyState = 0;
      this.status = 0;
      this.responseText = '';
      this.headers = {};
      this.aborted = false;
    }
    open(method, url) { this.method = method; this.url = url; this.readyState = 1; }
    setRequestHeader(k, v) { this.headers[k] = v; }
    abort() {
      if (this.readyState === 4) return;
      this.aborted = true;
      this.finish(0, '');
    }
    finish(status, text) {
      if (this.readyState === 4) return;
      this.status = status;
      this.responseText = text;
      this.readyState = 4;
      if (this.onreadystatechange) this.onreadystatechange();
    }
    send(body) {
      this.body = body;
      requests.push(this);
      Promise.resolve().then(() => route(this)).then((res) => {
        if (res && !this.aborted) this.finish(res.status, res.text || '');
      });
    }
  }
  FakeXHR.requests = requests;
  return FakeXHR;
}

// A Web Storage stub; `failing` (a set of method names) makes those throw like Safari's
// private mode (QuotaExceededError).
class StubStorage {
  constructor(failing = []) {
    this.data = new Map();
    this.failing = new Set(failing);
  }
  check(m) {
    if (this.failing.has(m)) {
      const e = new Error('The quota has been exceeded.');
      e.name = 'QuotaExceededError';
      throw e;
    }
  }
  getItem(k) { this.check('getItem'); return this.data.has(k) ? this.data.get(k) : null; }
  setItem(k, v) { this.check('setItem'); this.data.set(k, String(v)); }
  removeItem(k) { this.check('removeItem'); this.data.delete(k); }
  key(i) { this.check('key'); return Array.from(this.data.keys())[i] ?? null; }
  get length() { this.check('length'); return this.data.size; }
}

// A Parley client for a real server (ImServer from tests/interop/lib).
function realClient(Parley, server, options = {}) {
  const c = Parley.createClient();
  c.init(server.appKey, null, Object.assign({
    navi: server.naviUrl,
    WebSocket: NodeWebSocket(),
    XMLHttpRequest: NodeXMLHttpRequest,
    storage: false,
    logLevel: process.env.PARLEY_WEB_LOG ? 0 : 3,
    signals: false,
  }, options));
  c.received = [];
  c.statuses = [];
  c.setOnReceiveMessageListener({ onReceived: (m) => c.received.push(m) });
  c.setConnectionStatusListener({ onChanged: (s) => c.statuses.push(s) });
  return c;
}

module.exports = {
  ROOT, FLAVOURS, packageDir, loadParley, loadCodec, NodeWebSocket, NodeXMLHttpRequest, sleep, waitFor,
  FakeClock, fakeWebSocketClass, fakeXhrClass, StubStorage, realClient,
};
