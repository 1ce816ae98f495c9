'use strict';
// The built package (both wasm flavours) driven against a scripted fake server: fake
// WebSocket, fake XMLHttpRequest (navi, /ping), fake clock (the engine's only timer), so
// heartbeats and reconnects run in microseconds. Frames are encoded and decoded with the
// wasm codec (_encodeFrame/_decodeFrame), the same JSON form as tools/rmtp.
const test = require('node:test');
const assert = require('node:assert/strict');
const {
  FLAVOURS, loadParley, loadCodec, FakeClock, fakeWebSocketClass, fakeXhrClass, StubStorage,
} = require('./lib/harness.cjs');

const flush = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };

// One fake deployment: navi + /ping over the fake XHR, WebSockets the test answers.
async function setup(flavour, { storage = false, signals = false, core } = {}) {
  const Parley = loadParley(flavour);
  const codec = await loadCodec(flavour);
  const clock = new FakeClock();
  const WS = fakeWebSocketClass();
  const XHR = fakeXhrClass((x) => {
    if (x.url.includes('/navi.js?')) return { status: 200, text: 'getServerEndpoint({"server":"127.0.0.1:9"});' };
    if (x.url.includes('/ping?')) return { status: 200, text: '' };
    return { status: 404 };
  });
  const client = Parley.createClient();
  const statuses = [];
  const received = [];
  client.init('app', null, {
    navi: 'http://navi.test', WebSocket: WS, XMLHttpRequest: XHR, storage, clock: clock.api(),
    signals, logLevel: 1000, core, seed: 7,
  });
  client.setConnectionStatusListener({ onChanged: (s) => statuses.push(s) });
  client.setOnReceiveMessageListener({ onReceived: (m) => received.push(m) });
  await client.ready();
  const encode = (json) => {
    const out = codec._encodeFrame('server', JSON.stringify(json));
    if (!(out instanceof Uint8Array)) throw new Error('encode: ' + out);
    return out;
  };
  const decode = (bytes) => JSON.parse(codec._decodeFrame('client', bytes, ''));
  const frames = (ws) => ws.sent.map(decode);
  const connack = (ws, userId = 'userA', ts = clock.now()) => {
    ws.accept();
    ws.deliver(encode({ type: 'CONNACK', status: 0, userId, sessionId: 's1', timestamp: ts }));
  };
  // Answers every QUERY the client sent so far with an empty success (pullMsg: nothing new).
  const answerQueries = (ws, from = 0) => {
    for (const f of frames(ws).slice(from)) {
      if (f.type !== 'QUERY') continue;
      const ack = { type: 'QUERYACK', qos: 0, messageId: f.messageId, date: Math.floor(clock.now() / 1000), status: 0 };
      if (f.topic === 'pullMsg') Object.assign(ack, { ackTopic: 'pullMsg', body: { syncTime: clock.now(), finished: true } });
      ws.deliver(encode(ack));
    }
  };
  return { Parley, client, clock, WS, XHR, statuses, received, encode, decode, frames, connack, answerQueries };
}

// Sends a text to userB on `ws` and has the server refuse it for good (405: blacklisted);
// resolves what the send rejected with.
async function sendRefused(s, ws) {
  const err = s.client.sendTextMessage(1, 'userB', 'x').then(() => null, (e) => e);
  await flush();
  const pub = s.frames(ws).find((f) => f.type === 'PUBLISH');
  ws.deliver(s.encode({ type: 'PUBACK', messageId: pub.messageId, date: 1, status: 405, millis: 0, msgUId: '' }));
  return err;
}

async function connected(flavour, opts) {
  const s = await setup(flavour, opts);
  const p = s.client.connect('tok');
  await flush();
  assert.equal(s.WS.sockets.length, 1, 'one WebSocket after navi and /ping');
  s.connack(s.WS.sockets[0]);
  assert.equal(await p, 'userA');
  s.answerQueries(s.WS.sockets[0]);
  return s;
}

for (const flavour of FLAVOURS) {
  test(`${flavour}: connect: navi, /ping, WebSocket URL, CONNACK, then ping and sync queries`, async () => {
    const s = await setup(flavour);
    const p = s.client.connect('tok@');
    await flush();
    const urls = s.XHR.requests.map((x) => x.url.replace(/r=\d+/, 'r=R'));
    assert.deepEqual(urls, [
      'http://navi.test/navi.js?appId=app&token=tok%40&callBack=getServerEndpoint&v=2.9.2&r=R',
      'http://127.0.0.1:9/ping?r=R',
    ]);
    const ws = s.WS.sockets[0];
    assert.equal(ws.url, 'ws://127.0.0.1:9/websocket?appId=app&token=tok%40&sdkVer=2.9.2&pid=undefined&apiVer=normal');
    assert.equal(ws.sent.length, 0, 'nothing before CONNACK');
    s.connack(ws);
    assert.equal(await p, 'userA');
    const sent = s.frames(ws);
    assert.equal(sent[0].type, 'PINGREQ');
    assert.deepEqual(sent.filter((f) => f.type === 'QUERY').map((f) => f.topic).slice(0, 2), ['pullSeAtts', 'pullMsg']);
    assert.deepEqual(s.statuses, [1, 0]);
    assert.equal(s.client.getCurrentConnectionStatus(), 0);
    assert.equal(s.client.getCurrentUserId(), 'userA');
    s.client.destroy();
  });

  test(`${flavour}: one timer at the core's deadline: heartbeat every 15 s, dead link after 2 misses, reconnect`, async () => {
    const s = await connected(flavour);
    const ws = s.WS.sockets[0];
    const pings = () => s.frames(ws).filter((f) => f.type === 'PINGREQ').length;
    ws.deliver(s.encode({ type: 'PINGRESP' }));
    assert.ok(s.clock.pending <= 1, 'at most one engine timer');
    s.clock.advance(14999);
    assert.equal(pings(), 1);
    s.clock.advance(1);
    assert.equal(pings(), 2, 'next ping 15 s after the pong');
    s.clock.advance(15000);
    assert.equal(pings(), 3, 'a missed pong: ping again');
    s.clock.advance(15000);
    assert.equal(ws.closedByClient, true, 'two misses: the link is closed');
    assert.deepEqual(s.statuses.slice(-1), [1], 'CONNECTING');
    s.clock.advance(1000);  // the first retry comes within 1 s (full jitter, base 1 s)
    await flush();
    const ws2 = s.WS.sockets[1];
    assert.ok(ws2, 'a new WebSocket');
    // The stale socket is ignored from now on (generation guard).
    ws.deliver(s.encode({ type: 'CONNACK', status: 0, userId: 'intruder', sessionId: 'x', timestamp: 1 }));
    s.connack(ws2);
    await flush();
    assert.equal(s.client.getCurrentUserId(), 'userA');
    assert.deepEqual(s.statuses.slice(-1), [0]);
    s.client.destroy();
    assert.equal(s.clock.pending, 0, 'destroy clears the timer');
  });

  test(`${flavour}: send: onBefore, PUBLISH ppMsgP, PUBACK -> onSuccess; receive s_msg -> onReceived`, async () => {
    const s = await connected(flavour);
    const ws = s.WS.sockets[0];
    const before = [];
    const done = new Promise((resolve, reject) => s.client.sendMessage(1, 'userB',
      new s.Parley.TextMessage({ content: '你好 😀' }),
      { onBefore: (id) => before.push(id), onSuccess: resolve, onError: reject }));
    await flush();
    const pub = s.frames(ws).find((f) => f.type === 'PUBLISH');
    assert.equal(pub.topic, 'ppMsgP');
    assert.equal(pub.targetId, 'userB');
    assert.equal(pub.body.classname, 'RC:TxtMsg');
    assert.deepEqual(JSON.parse(pub.body.content), { content: '你好 😀' });
    assert.equal(pub.body.sessionId, 3, 'persisted + counted');
    assert.equal(before.length, 1);
    ws.deliver(s.encode({ type: 'PUBACK', messageId: pub.messageId, date: 1700000001, status: 0, millis: 5, msgUId: 'UID-1' }));
    const m = await done;
    assert.equal(m.messageUId, 'UID-1');
    assert.equal(m.sentTime, 1700000001005);
    assert.equal(m.messageType, 'TextMessage');
    assert.equal(m.messageId, before[0]);
    assert.equal(m.sentStatus, s.Parley.SentStatus.SENT);

    ws.deliver(s.encode({ type: 'PUBLISH', qos: 1, date: 1700000002, topic: 's_msg', targetId: 'userA', messageId: 9,
      body: { fromUserId: 'userB', type: 1, classname: 'RC:TxtMsg', content: '{"content":"back"}', dataTime: 1700000002000, status: 48, msgId: 'UID-2', direction: 2 } }));
    await flush();
    assert.equal(s.received.length, 1);
    assert.deepEqual(s.received[0].content, { content: 'back' });
    assert.equal(s.received[0].targetId, 'userB');
    assert.equal(s.received[0].messageType, 'TextMessage');
    assert.ok(s.frames(ws).some((f) => f.type === 'PUBACK' && f.messageId === 9), 'qos 1 PUBLISH acknowledged');
    const conv = await s.client.getConversation(1, 'userB');
    assert.equal(conv.unreadMessageCount, 1);
    assert.equal(conv.latestMessage.messageUId, 'UID-2');
    s.client.destroy();
  });

  test(`${flavour}: a refused PUBACK answers onError with its status; unknown object names arrive as UnknownMessage`, async () => {
    const s = await connected(flavour);
    const ws = s.WS.sockets[0];
    assert.equal((await sendRefused(s, ws)).code, 405);
    ws.deliver(s.encode({ type: 'PUBLISH', qos: 0, date: 1, topic: 's_msg', targetId: 'userA', messageId: 0,
      body: { fromUserId: 'userB', type: 1, classname: 'App:Custom', content: '{"a":1}', dataTime: 5, status: 16, msgId: 'U3' } }));
    await flush();
    assert.equal(s.received[0].messageType, 'UnknownMessage');
    assert.deepEqual(s.received[0].content, { message: { content: { a: 1 }, objectName: 'App:Custom' }, messageName: 'UnknownMessage' });
    s.client.registerMessageType('CustomMessage', 'App:Custom', new s.Parley.MessageTag(false, true), []);
    ws.deliver(s.encode({ type: 'PUBLISH', qos: 0, date: 1, topic: 's_msg', targetId: 'userA', messageId: 0,
      body: { fromUserId: 'userB', type: 1, classname: 'App:Custom', content: '{"a":2}', dataTime: 6, status: 16, msgId: 'U4' } }));
    await flush();
    assert.equal(s.received[1].messageType, 'CustomMessage');
    assert.equal(s.client.getMessageObjectName('CustomMessage'), 'App:Custom');
    s.client.destroy();
  });

  // A message refused for good (405: blacklisted) stays FAILED in the outbox, and in
  // storage, until the app resends or deletes it (v2's deleteLocalMessages).
  test(`${flavour}: a FAILED message stays in the outbox until deleteLocalMessages removes it`, async () => {
    const backend = new StubStorage();
    const s = await connected(flavour, { storage: backend });
    const ws = s.WS.sockets[0];
    assert.equal((await sendRefused(s, ws)).code, 405);
    const outboxKeys = () => Array.from(backend.data.keys()).filter((k) => k.includes('/outbox/'));
    const [failed] = await s.client.getOutbox();
    assert.equal(failed.sentStatus, s.Parley.SentStatus.FAILED);
    assert.equal(outboxKeys().length, 1);
    const answer = await new Promise((resolve) => s.client.deleteLocalMessages(1, 'userB', [failed.messageId], {
      onSuccess: (ok) => resolve(['ok', ok]), onError: (code) => resolve(['error', code]) }));
    assert.deepEqual(answer, ['ok', true]);
    assert.deepEqual(await s.client.getOutbox(), []);
    assert.deepEqual(outboxKeys(), []);
    s.client.destroy();
  });

  test(`${flavour}: storage whose every write throws (private mode): connect, send and state still work`, async () => {
    const backend = new StubStorage(['setItem', 'removeItem']);
    const s = await connected(flavour, { storage: backend });
    const ws = s.WS.sockets[0];
    const sent = s.client.sendTextMessage(1, 'userB', 'private mode');
    await flush();
    const pub = s.frames(ws).find((f) => f.type === 'PUBLISH');
    ws.deliver(s.encode({ type: 'PUBACK', messageId: pub.messageId, date: 1700000003, status: 0, millis: 0, msgUId: 'U-PM' }));
    assert.equal((await sent).messageUId, 'U-PM');
    assert.equal(backend.data.size, 0, 'nothing reached the throwing storage');
    const from = ws.sent.length;
    const listed = s.client.getConversationList(null);
    await flush();
    s.answerQueries(ws, from);  // qryRelationR: an empty answer
    const list = await listed;
    assert.equal(list[0].targetId, 'userB');
    assert.equal(s.client.saveTextMessageDraft(1, 'userB', 'draft'), true);
    assert.equal(s.client.getTextMessageDraft(1, 'userB'), 'draft');
    s.client.destroy();
  });

  test(`${flavour}: state persisted to storage is restored by the next client (page reload)`, async () => {
    const backend = new StubStorage();
    const s = await connected(flavour, { storage: backend });
    const ws = s.WS.sockets[0];
    ws.deliver(s.encode({ type: 'PUBLISH', qos: 0, date: 1, topic: 's_msg', targetId: 'userA', messageId: 0,
      body: { fromUserId: 'userC', type: 1, classname: 'RC:TxtMsg', content: '{"content":"1"}', dataTime: 1700000000500, status: 48, msgId: 'R1' } }));
    s.client.saveTextMessageDraft(1, 'userC', 'unsent words');
    s.client.destroy();
    assert.ok(Array.from(backend.data.keys()).some((k) => k.startsWith('parley/app/userA/')));

    const s2 = await connected(flavour, { storage: backend });
    const conv = await s2.client.getConversation(1, 'userC');
    assert.equal(conv.unreadMessageCount, 1);
    assert.equal(conv.draft, 'unsent words');
    s2.client.destroy();
  });

  // An older version kept the outbox under one key (per user, and "_pending" before the
  // first CONNACK). The shim hands the core's answer to restore to storage too: the entries
  // move to keys of their own at load, go out in order after the connect, and the old keys
  // are gone.
  test(`${flavour}: messages queued by an older version are sent in order and stored one key each`, async () => {
    const entry = (localId, text) => JSON.stringify({
      localId, clientUniqueId: localId * 1000, type: 1, targetId: 'userB', objectName: 'RC:TxtMsg',
      content: JSON.stringify({ content: text }), createdMs: Date.now(), state: 10 });
    const backend = new StubStorage();
    backend.setItem('parley/app/userA/outbox', `[${entry(11, 'one')}]`);
    backend.setItem('parley/app/_pending/outbox', `[${entry(12, 'two')}]`);
    const s = await setup(flavour, { storage: backend });
    const keys = () => Array.from(backend.data.keys()).filter((k) => k.includes('outbox')).sort();
    assert.deepEqual(keys(), ['parley/app/_pending/outbox/000000000001.12', 'parley/app/userA/outbox'],
      'the user-less entry moved to its own key at load');
    const p = s.client.connect('tok');
    await flush();
    const ws = s.WS.sockets[0];
    s.connack(ws);
    await p;
    const pubs = () => s.frames(ws).filter((f) => f.type === 'PUBLISH');
    const texts = [];
    for (let i = 0; i < 2; i++) {
      await flush();
      const pub = pubs()[i];
      assert.ok(pub, `PUBLISH ${i + 1}`);
      texts.push(JSON.parse(pub.body.content).content);
      assert.deepEqual(keys().length, 2 - i, 'one key per entry still queued');
      ws.deliver(s.encode({ type: 'PUBACK', messageId: pub.messageId, date: 1700000003, status: 0, millis: 0, msgUId: `U-${i}` }));
    }
    assert.deepEqual(texts, ['one', 'two']);
    assert.deepEqual(keys(), [], 'sent: no outbox key left, old or new');
    s.client.destroy();
  });

  // The dedupe set is persisted in the same input that delivers a message (s_msg here), so
  // a reload right after cannot deliver it again.
  test(`${flavour}: a message delivered before a reload is not delivered again after it`, async () => {
    const backend = new StubStorage();
    const s = await connected(flavour, { storage: backend });
    s.WS.sockets[0].deliver(s.encode({ type: 'PUBLISH', qos: 0, date: 1, topic: 's_msg', targetId: 'userA', messageId: 0,
      body: { fromUserId: 'userC', type: 1, classname: 'RC:TxtMsg', content: '{"content":"1"}', dataTime: 1700000000500, status: 48, msgId: 'R1' } }));
    s.client.destroy();
    const s2 = await connected(flavour, { storage: backend });
    s2.WS.sockets[0].deliver(s2.encode({ type: 'PUBLISH', qos: 0, date: 1, topic: 's_msg', targetId: 'userA', messageId: 0,
      body: { fromUserId: 'userC', type: 1, classname: 'RC:TxtMsg', content: '{"content":"1"}', dataTime: 1700000000500, status: 48, msgId: 'R1' } }));
    await flush();
    assert.equal(s2.received.length, 0);
    s2.client.destroy();
  });

  test(`${flavour}: the page's online event makes the core check the link at once`, async () => {
    const win = new EventTarget();
    const doc = new EventTarget();
    doc.visibilityState = 'visible';
    const s = await connected(flavour, { signals: { window: win, document: doc } });
    const ws = s.WS.sockets[0];
    ws.deliver(s.encode({ type: 'PINGRESP' }));
    const pings = () => s.frames(ws).filter((f) => f.type === 'PINGREQ').length;
    assert.equal(pings(), 1);
    win.dispatchEvent(new Event('online'));
    assert.equal(pings(), 2, 'quick ping on online');
    ws.deliver(s.encode({ type: 'PINGRESP' }));
    doc.dispatchEvent(new Event('visibilitychange'));
    assert.equal(pings(), 3, 'quick ping when the page becomes visible');
    s.client.destroy();
  });

  test(`${flavour}: disconnect during navi stops the connect; reconnect() before connect answers an error`, async () => {
    const s = await setup(flavour);
    const err = await s.client.reconnect().then(() => null, (e) => e);
    assert.equal(err.code, s.Parley.ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT);
    const p = s.client.connect('tok').then(() => null, (e) => e);
    await s.client.disconnect();
    const e2 = await p;
    assert.ok(e2 && e2.code === s.Parley.ErrorCode.RC_NET_UNAVAILABLE, 'superseded connect fails');
    await flush();
    assert.equal(s.WS.sockets.length, 0, 'no socket opened after disconnect');
    assert.equal(s.client.getCurrentConnectionStatus(), 2);
    s.client.destroy();
  });

  test(`${flavour}: CONNACK REDIRECT (6): navi asked again (cache dropped), then connected`, async () => {
    const s = await setup(flavour);
    const p = s.client.connect('tok');
    await flush();
    const ws = s.WS.sockets[0];
    ws.accept();
    ws.deliver(s.encode({ type: 'CONNACK', status: 6 }));
    assert.ok(s.statuses.includes(s.Parley.ConnectionStatus.REDIRECT));
    await flush();
    const navis = s.XHR.requests.filter((x) => x.url.includes('/navi.js?'));
    assert.equal(navis.length, 2, 'navi again, not from the cache');
    const ws2 = s.WS.sockets[s.WS.sockets.length - 1];
    assert.notEqual(ws2, ws);
    s.connack(ws2);
    assert.equal(await p, 'userA', 'connect() resolves after the redirect');
    assert.equal(s.client.getCurrentConnectionStatus(), 0);
    s.client.destroy();
  });

  test(`${flavour}: WebSocket that never opens falls back to long polling (comet)`, async () => {
    const Parley = loadParley(flavour);
    const clock = new FakeClock();
    const WS = fakeWebSocketClass();
    const cometUrls = [];
    const XHR = fakeXhrClass((x) => {
      if (x.url.includes('/navi.js?')) return { status: 200, text: '{"server":"127.0.0.1:9"}' };
      if (x.url.includes('/ping?')) return { status: 200 };
      if (x.url.includes('/websocket?appId=')) {
        cometUrls.push(x.url);
        return { status: 200, text: '{"status":0,"userId":"userA","sessionid":"S","timestamp":1700000000000}' };
      }
      if (x.url.includes('/pullmsg.js')) return new Promise(() => {});
      if (x.method === 'POST') return { status: 200, text: '[]' };
      return { status: 404 };
    });
    const c = Parley.createClient();
    c.init('app', null, { navi: 'http://n', WebSocket: WS, XMLHttpRequest: XHR, storage: false, clock: clock.api(), signals: false, logLevel: 1000 });
    await c.ready();
    const p = c.connect('tok');
    await flush();
    WS.sockets[0].fail();
    await flush();
    assert.equal(await p, 'userA');
    assert.match(cometUrls[0], /^http:\/\/127\.0\.0\.1:9\/websocket\?appId=app&token=tok&sdkVer=2\.9\.2&pid=\d+\.\d+&apiVer=normal$/);
    assert.ok(XHR.requests.some((x) => x.url.includes('/pullmsg.js?sessionid=S&')), 'long poll running');
    c.destroy();
  });
}
