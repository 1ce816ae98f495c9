// Unit tests of the shim's adapters, with fakes only (no wasm, no network): storage with
// its memory fallback, navi/ping, the WebSocket and comet transports, the callback plumbing.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import test from 'node:test';

import { respond } from '../../web/src/callbacks.js';
import { ErrorCode } from '../../web/src/enums.js';
import { ParleyError } from '../../web/src/errors.js';
import { NaviCache, naviList, parseNaviBody, parseToken, pingHosts, requestNavi } from '../../web/src/navi.js';
import { createStorage, MemoryStorage, readPrefix, WebStorage } from '../../web/src/storage.js';
import { cometTransport } from '../../web/src/transport_comet.js';
import { webSocketTransport } from '../../web/src/transport_websocket.js';
import { utf8Length } from '../../web/src/validate.js';
import { backoff } from '../../web/src/backoff.js';

const require = createRequire(import.meta.url);
const { StubStorage, fakeWebSocketClass, fakeXhrClass, sleep } = require('./lib/harness.cjs');
const tick = () => new Promise((r) => setImmediate(r));
const silent = { debug() {}, info() {}, warn() {}, error() {} };

// ---- storage --------------------------------------------------------------------------------

test('storage: localStorage-like backend used while it works', () => {
  const backend = new StubStorage();
  const s = new WebStorage(backend);
  s.set('parley/a/1', 'x');
  assert.equal(backend.getItem('parley/a/1'), 'x');
  assert.equal(s.get('parley/a/1'), 'x');
  s.remove('parley/a/1');
  assert.equal(s.get('parley/a/1'), null);
  assert.equal(s.persistent, true);
});

// Each outbox entry is a key, written when queued and removed at its PUBACK: the adapter
// must not keep anything per removed key, or a long session grows by one key per message.
test('storage: removed keys leave nothing behind in the adapter', () => {
  const backend = new StubStorage();
  const s = new WebStorage(backend);
  for (let i = 0; i < 1000; i++) {
    s.set(`parley/a/u/outbox/${i}`, 'entry');
    s.remove(`parley/a/u/outbox/${i}`);
  }
  assert.deepEqual(s.keys(), []);
  assert.equal(backend.length, 0);
  for (const v of Object.values(s)) {
    if (v instanceof Map || v instanceof Set) assert.equal(v.size, 0);
    if (v instanceof MemoryStorage) assert.equal(v.map.size, 0);
  }
});

test('storage: setItem throwing (private mode, quota) falls back to memory, nothing lost', () => {
  const backend = new StubStorage(['setItem']);
  let fallbacks = 0;
  const s = new WebStorage(backend, () => fallbacks++);
  s.set('k1', 'v1');
  s.set('k2', 'v2');
  assert.equal(fallbacks, 1, 'reported once');
  assert.equal(s.get('k1'), 'v1');
  assert.deepEqual(s.keys().sort(), ['k1', 'k2']);
  assert.equal(s.persistent, false);
});

test('storage: every method throwing still reads what this page wrote', () => {
  const s = new WebStorage(new StubStorage(['getItem', 'setItem', 'removeItem', 'key', 'length']));
  assert.equal(s.get('missing'), null);
  s.set('a', '1');
  assert.equal(s.get('a'), '1');
  s.remove('a');
  assert.equal(s.get('a'), null);
  assert.deepEqual(s.keys(), []);
});

test('storage: a localStorage getter that throws (site data disabled) gives memory storage', () => {
  const desc = Object.getOwnPropertyDescriptor(globalThis, 'localStorage');
  Object.defineProperty(globalThis, 'localStorage', { configurable: true, get() { throw new Error('SecurityError'); } });
  try {
    let reported = 0;
    const s = createStorage(undefined, () => reported++);
    assert.ok(s instanceof MemoryStorage);
    assert.equal(reported, 1);
    s.set('x', 'y');
    assert.equal(s.get('x'), 'y');
  } finally {
    if (desc) Object.defineProperty(globalThis, 'localStorage', desc);
    else delete globalThis.localStorage;
  }
});

test('storage: options false / adapter / Web Storage; readPrefix', () => {
  assert.ok(createStorage(false) instanceof MemoryStorage);
  const adapter = new MemoryStorage();
  assert.equal(createStorage(adapter), adapter);
  const ws = createStorage(new StubStorage());
  assert.ok(ws instanceof WebStorage);
  ws.set('parley/app/u/sync', '1');
  ws.set('parley/other/u/sync', '2');
  ws.set('parley-web/app/navi', '3');
  assert.deepEqual(readPrefix(ws, 'parley/app/'), { 'parley/app/u/sync': '1' });
});

// ---- navi -----------------------------------------------------------------------------------

test('navi: token suffix (PROTOCOL §8) and URL list', () => {
  assert.deepEqual(parseToken('abc'), { token: 'abc', navis: [] });
  assert.deepEqual(parseToken('abc@n1.example;http://n2.example:81'),
    { token: 'abc@', navis: ['http://n2.example:81', 'https://n1.example'] });
  assert.deepEqual(naviList('http://init/', ['https://a', 'http://init']), ['https://a', 'http://init']);
  assert.deepEqual(naviList('ftp://x', []), []);
});

test('navi: JSONP and plain JSON bodies', () => {
  assert.deepEqual(parseNaviBody('getServerEndpoint({"server":"h:1"});'), { server: 'h:1' });
  assert.deepEqual(parseNaviBody('cb({"server":"h:1"})'), { server: 'h:1' });
  assert.deepEqual(parseNaviBody(' {"server":"h:2","backupServer":"b:3"} '), { server: 'h:2', backupServer: 'b:3' });
  assert.equal(parseNaviBody('<html>'), null);
  assert.equal(parseNaviBody('[1]'), null);
});

test('navi: request URL, hosts, cache for 2 h, failure and type 1', async () => {
  const XHR = fakeXhrClass((x) => {
    if (x.url.includes('://down.')) return { status: 0 };
    return { status: 200, text: 'getServerEndpoint({"server":"127.0.0.1:9","backupServer":"b:1,127.0.0.1:9,"});' };
  });
  const storage = new MemoryStorage();
  const cache = new NaviCache(storage, 'app');
  let now = 1000;
  const r = await requestNavi({ XHR, appKey: 'app', token: 'tok@down.example', navi: 'http://navi.example:8/', cache, now: () => now });
  assert.deepEqual(r.hosts, ['127.0.0.1:9', 'b:1']);
  assert.equal(r.secure, false);
  assert.equal(r.token, 'tok@');
  assert.equal(XHR.requests.length, 2, 'token navi first, then the init navi');
  assert.match(XHR.requests[0].url, /^https:\/\/down\.example\/navi\.js\?appId=app&token=tok%40&callBack=getServerEndpoint&v=2\.9\.2&r=1000$/);
  assert.match(XHR.requests[1].url, /^http:\/\/navi\.example:8\/navi\.js\?/);
  await requestNavi({ XHR, appKey: 'app', token: 'tok@down.example', navi: 'http://navi.example:8', cache, now: () => now });
  assert.equal(XHR.requests.length, 2, 'served from the cache');
  now += 7200001;
  await requestNavi({ XHR, appKey: 'app', token: 'tok@', navi: 'http://navi.example:8', cache, comet: true, now: () => now });
  assert.equal(XHR.requests.length, 3, 'expired after 2 h');
  assert.match(XHR.requests[2].url, /\/cometnavi\.js\?/);

  const failing = fakeXhrClass(() => ({ status: 500, text: '' }));
  await assert.rejects(requestNavi({ XHR: failing, appKey: 'app', token: 't', navi: 'http://n' }),
    (e) => e instanceof ParleyError && e.code === ErrorCode.RC_NAVI_RESOURCE_ERROR);
  const banned = fakeXhrClass(() => ({ status: 200, text: '{"server":"h:1","type":1}' }));
  await assert.rejects(requestNavi({ XHR: banned, appKey: 'app', token: 't', navi: 'http://n' }),
    (e) => e.code === ErrorCode.PACKAGE_ENVIRONMENT_ERROR);
});

test('ping: keeps hosts answering 200, fastest first', async () => {
  const XHR = fakeXhrClass(async (x) => {
    if (x.url.startsWith('http://slow')) { await sleep(30); return { status: 200 }; }
    if (x.url.startsWith('http://dead')) return { status: 0 };
    return { status: 200 };
  });
  const hosts = await pingHosts(XHR, ['slow:1', 'dead:2', 'fast:3'], false);
  assert.deepEqual(hosts, ['fast:3', 'slow:1']);
  assert.match(XHR.requests[0].url, /^http:\/\/slow:1\/ping\?r=\d{4}$/);
});

// ---- WebSocket transport ----------------------------------------------------------------

test('websocket transport: arraybuffer, bytes in, closed once, nothing after close', async () => {
  const WS = fakeWebSocketClass();
  const events = [];
  const t = webSocketTransport(WS).open('ws://h/websocket?x', {
    open: () => events.push('open'),
    bytes: (b) => events.push(['bytes', Array.from(b)]),
    closed: () => events.push('closed'),
    log: () => events.push('log'),
  });
  const ws = WS.sockets[0];
  assert.equal(ws.binaryType, 'arraybuffer');
  ws.accept();
  ws.deliver([0x20, 0, 0]);
  ws.deliverText('text');
  assert.equal(t.send(new Uint8Array([0xc0])), true);
  assert.deepEqual(Array.from(ws.sent[0]), [0xc0]);
  ws.fail();                 // error + close: reported once
  ws.drop();
  ws.deliver([1]);
  assert.deepEqual(events, ['open', ['bytes', [0x20, 0, 0]], 'log', 'closed']);
  assert.equal(t.send(new Uint8Array([1])), false);

  const events2 = [];
  const t2 = webSocketTransport(WS).open('ws://h/2', { open() {}, bytes() { events2.push('b'); }, closed() { events2.push('c'); }, log() {} });
  t2.close();
  WS.sockets[1].deliver([1]);
  WS.sockets[1].drop();
  assert.deepEqual(events2, [], 'a closed transport reports nothing');
  assert.equal(WS.sockets[1].closedByClient, true);
});

test('websocket transport: a throwing constructor is a closed attempt, reported later', async () => {
  const Throwing = function () { throw new SyntaxError('bad url'); };
  let closed = 0;
  webSocketTransport(Throwing).open('ws://x', { open() {}, bytes() {}, closed() { closed++; }, log() {} });
  assert.equal(closed, 0, 'not during the call');
  await tick();
  assert.equal(closed, 1);
});

// ---- comet transport ------------------------------------------------------------------------

test('comet transport: connect, poll loop, POST form, session id updates, failure closes', async () => {
  const polls = [];
  const XHR = fakeXhrClass((x) => {
    if (x.url.includes('/websocket?appId=')) return { status: 200, text: '{"status":0,"userId":"u","sessionid":"S1","timestamp":5}' };
    if (x.url.includes('/pullmsg.js')) {
      polls.push(x);
      if (polls.length === 1) return { status: 200, text: '[{"headerCode":50,"sessionid":"S2"}]' };
      if (polls.length === 2) return { status: 200, text: '[]' };
      return new Promise(() => {});  // held by the server
    }
    if (x.method === 'POST') return { status: 200, text: '[{"headerCode":64,"messageId":5}]' };
    return { status: 404 };
  });
  const bodies = [];
  let closed = 0;
  const t = cometTransport(XHR, { now: () => 42 }).open(
    'http://h:1/websocket?appId=a&token=t&sdkVer=2.9.2&pid=123.45&apiVer=normal', {
      open() {}, comet: (text) => bodies.push(text), closed: () => closed++, log() {},
    });
  await sleep(20);
  assert.equal(bodies[0], '{"status":0,"userId":"u","sessionid":"S1","timestamp":5}');
  assert.equal(polls[0].url, 'http://h:1/pullmsg.js?sessionid=S1&timestrap=42&pid=123.45');
  assert.equal(polls[1].url, 'http://h:1/pullmsg.js?sessionid=S2&timestrap=42&pid=123.45', 'sessionid from a frame object');
  assert.equal(polls.length, 3, 're-polls after every answer');
  t.post({ messageid: 5, header: 50, body: '{"a":1}', topic: 'ppMsgP', targetid: 'user B' });
  t.post({ messageid: 6, header: 80, body: '' });
  await sleep(10);
  const posts = XHR.requests.filter((x) => x.method === 'POST');
  assert.equal(posts[0].url, 'http://h:1/websocket?messageid=5&header=50&sessionid=S2&topic=ppMsgP&targetid=user%20B&pid=123.45');
  assert.equal(posts[0].body, '{"a":1}');
  assert.equal(posts[0].headers['Content-Type'], 'text/plain;charset=UTF-8');
  assert.equal(posts[1].url, 'http://h:1/websocket?messageid=6&header=80&sessionid=S2&pid=123.45');
  assert.ok(bodies.includes('[{"headerCode":64,"messageId":5}]'), 'POST answers go to the core');
  t.close();
  assert.equal(polls[2].aborted, true, 'close aborts the held poll');
  assert.equal(closed, 0, 'close() is not reported back');

  // A poll that fails (status 500) ends the link.
  let n = 0;
  const XHR2 = fakeXhrClass((x) => {
    if (x.url.includes('/websocket?')) return { status: 200, text: '{"status":0,"userId":"u","sessionid":"S","timestamp":1}' };
    return ++n === 1 ? { status: 500 } : new Promise(() => {});
  });
  let closed2 = 0;
  cometTransport(XHR2).open('http://h/websocket?pid=1', { open() {}, comet() {}, closed: () => closed2++, log() {} });
  await sleep(20);
  assert.equal(closed2, 1);

  // A refused connect answer is handed over, then the transport closes.
  const XHR3 = fakeXhrClass(() => ({ status: 200, text: '{"status":4}' }));
  const got = [];
  cometTransport(XHR3).open('http://h/websocket?pid=1', { open() {}, comet: (b) => got.push(b), closed: () => got.push('closed'), log() {} });
  await sleep(10);
  assert.deepEqual(got, ['{"status":4}', 'closed']);
});

// ---- callbacks, Promises, validation ------------------------------------------------------

test('respond: callback object, Promise, bad callback, app callback that throws', async () => {
  const ok = () => Promise.resolve([1, true]);
  const fail = () => Promise.reject(new ParleyError(405));
  assert.equal(await respond(silent, undefined, ok), 1);
  await assert.rejects(respond(silent, null, fail), (e) => e.code === 405);
  const got = [];
  assert.equal(respond(silent, { onSuccess: (a, b) => got.push(a, b) }, ok), undefined);
  respond(silent, { onError: (c) => got.push(c) }, fail);
  respond(silent, { onSuccess: () => { throw new Error('app bug'); } }, ok);
  respond(silent, { onSuccess() {} }, fail);  // no onError: logged, nothing thrown
  await tick();
  assert.deepEqual(got, [1, true, 405]);
  await assert.rejects(respond(silent, 'nope', ok), (e) => e.code === ErrorCode.PARAMETER_ERROR);
  const sync = [];
  respond(silent, { onSuccess: () => sync.push('cb') }, ok);
  sync.push('after call');
  await tick();
  assert.deepEqual(sync, ['after call', 'cb'], 'callbacks never run during the call');
});

test('utf8Length and backoff', () => {
  assert.equal(utf8Length('a'), 1);
  assert.equal(utf8Length('é'), 2);
  assert.equal(utf8Length('你'), 3);
  assert.equal(utf8Length('😀'), 4);
  assert.equal(utf8Length('\ud800'), 3);
  for (let i = 0; i < 30; i++) {
    const d = backoff(i, 1000, 30000);
    assert.ok(d >= 0 && d < Math.min(30000, 1000 * 2 ** i));
  }
  assert.equal(backoff(3, 1000, 30000, () => 0.5), 4000);
});
