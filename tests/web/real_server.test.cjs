'use strict';
// The web package (both wasm flavours) in node against a REAL imserver on a loopback port:
// two Parley clients over WebSocket; offline pull, history paging, conversation list and
// unread counts, read receipts, a server restart (kill -9) with no loss and no duplicate,
// storage that throws. Long polling against the real server waits for imserver's comet
// support (issue 6): that test skips while the server answers GET /websocket with 400.
const test = require('node:test');
const assert = require('node:assert/strict');
const { ImServer, request } = require('../interop/lib/imserver_process.cjs');
const { FLAVOURS, loadParley, realClient: newClient, waitFor, sleep, StubStorage, NodeWebSocket } = require('./lib/harness.cjs');

// A WebSocket that delivers the first message (the CONNACK) and swallows the rest: a page
// closing while answers are on their way.
function deafAfterConnAck() {
  const WS = NodeWebSocket();
  class Deaf extends WS {
    get onmessage() { return super.onmessage; }
    set onmessage(fn) {
      let heard = 0;
      super.onmessage = fn && ((ev) => (heard++ === 0 ? fn(ev) : Deaf.swallowed++));
    }
  }
  Deaf.swallowed = 0;
  return Deaf;
}

// Fast reconnects for the restart test (the default backoff cap is 30 s).
const CORE = { backoffBaseMs: 200, backoffCapMs: 1000 };
const texts = (c, from) => c.received.filter((m) => m.messageType === 'TextMessage' && (!from || m.senderUserId === from)).map((m) => m.content.content);

let server;
test.before(async () => { server = await ImServer.start(); });
test.after(async () => { if (server) await server.stop(); });

// Every client a test makes is destroyed after it, passed or failed: a failed assertion
// must not leave sockets and timers that keep the test process from exiting.
const live = new Set();
function realClient(...args) {
  const c = newClient(...args);
  live.add(c);
  return c;
}
test.afterEach(() => {
  for (const c of live) c.destroy();
  live.clear();
});

async function pair(Parley, a, b, opts = {}) {
  const ca = realClient(Parley, server, Object.assign({ core: CORE }, opts));
  const cb = realClient(Parley, server, Object.assign({ core: CORE }, opts));
  assert.equal(await ca.connect((await server.getToken(a)).token), a);
  assert.equal(await cb.connect((await server.getToken(b)).token), b);
  return [ca, cb];
}

for (const flavour of FLAVOURS) {
  const Parley = loadParley(flavour);
  const u = (name) => `${flavour}-${name}`;

  test(`${flavour}: two Parley clients exchange text (CJK, emoji, 100 KB) both ways`, async () => {
    const [a, b] = await pair(Parley, u('a1'), u('b1'));
    const big = '大'.repeat(34000);  // ~100 KB of UTF-8
    const sent = [];
    for (const t of ['hello', '你好，世界', '😀👍🏽 emoji', big]) sent.push(await a.sendMessage(1, u('b1'), new Parley.TextMessage({ content: t })));
    assert.ok(sent.every((m) => m.messageUId && m.sentTime > 0 && m.sentStatus === Parley.SentStatus.SENT));
    await waitFor(() => texts(b).length >= 4, { what: 'b receives 4' });
    assert.deepEqual(texts(b), ['hello', '你好，世界', '😀👍🏽 emoji', big]);
    assert.deepEqual(b.received.map((m) => m.messageUId), sent.map((m) => m.messageUId));
    await b.sendTextMessage(1, u('a1'), 'back 🙂');
    await waitFor(() => texts(a).length >= 1, { what: 'a receives' });
    assert.deepEqual(texts(a), ['back 🙂']);
    assert.equal(a.received[0].senderUserId, u('b1'));
    assert.equal(a.received[0].targetId, u('b1'));
    // over the limit: refused locally, never sent
    const err = await a.sendTextMessage(1, u('b1'), 'x'.repeat(131072)).then(() => null, (e) => e);
    assert.equal(err.code, Parley.ErrorCode.RC_MSG_CONTENT_EXCEED_LIMIT);
    await Promise.all([a.disconnect(), b.disconnect()]);
    a.destroy(); b.destroy();
  });

  test(`${flavour}: offline messages arrive on connect, in order, once; unread counts and clearUnreadCount`, async () => {
    // b2 is b's browser coming back (the same storage). b leaves only once its first pull is
    // answered and stored: a pull still in flight would be answered with the messages below
    // (after b has gone), and the server counts those as delivered to b's device (a new
    // device starts after them; this device pulls from its stored position).
    const storage = new StubStorage();
    const [a, b] = await pair(Parley, u('a2'), u('b2'), { storage });
    // b's own key: a's (in the same storage) is no sign that b's pull was answered.
    const synced = () => Array.from(storage.data).some(([k, v]) => k.endsWith(`/${u('b2')}/sync`) && JSON.parse(v).inbox > 0);
    await waitFor(synced, { what: "b's first pull" });
    await b.disconnect();
    for (let i = 0; i < 5; i++) await a.sendTextMessage(1, u('b2'), `offline ${i}`);
    const b2 = realClient(Parley, server, { core: CORE, storage });
    await b2.connect((await server.getToken(u('b2'))).token);
    await waitFor(() => texts(b2).length >= 5, { what: 'offline pull' });
    await sleep(200);
    assert.deepEqual(texts(b2), [0, 1, 2, 3, 4].map((i) => `offline ${i}`));
    assert.ok(b2.received.every((m) => m.offLineMessage === true));
    const list = await b2.getConversationList(null, [Parley.ConversationType.PRIVATE]);
    const conv = list.find((c) => c.targetId === u('a2'));
    assert.equal(conv.unreadMessageCount, 5);
    assert.equal(conv.latestMessage.content.content, 'offline 4');
    assert.equal(await b2.getUnreadCount(1, u('a2')), 5);
    assert.equal(await b2.getTotalUnreadCount(null), 5);
    assert.equal(await b2.clearUnreadCount(1, u('a2')), true);
    assert.equal(await b2.getUnreadCount(1, u('a2')), 0);
    // The server follows the read mark: a fresh client sees 0 unread too.
    await sleep(200);
    const b3 = realClient(Parley, server, { core: CORE });
    await b3.connect((await server.getToken(u('b2'))).token);
    const list3 = await b3.getConversationList(null);
    assert.equal(list3.find((c) => c.targetId === u('a2')).unreadMessageCount, 0);
    for (const c of [a, b, b2, b3]) { await c.disconnect(); c.destroy(); }
  });

  // Without storage every visit is a new device. A visit that closes while its first pull
  // is being answered must not lose those messages: the server keeps the user's position
  // until a later pull confirms the answer (SyncRequestMsg.confirmsAnswer), so the next
  // visit gets them; once that one confirms, a further visit is not handed them again.
  test(`${flavour}: a visit that leaves before its first pull answer arrives loses nothing`, async () => {
    const a = realClient(Parley, server, { core: CORE });
    await a.connect((await server.getToken(u('a5'))).token);
    for (let i = 0; i < 3; i++) await a.sendTextMessage(1, u('b5'), `missed ${i}`);
    const Deaf = deafAfterConnAck();
    const lost = realClient(Parley, server, { core: CORE, WebSocket: Deaf });
    await lost.connect((await server.getToken(u('b5'))).token);
    // Its three connect queries (pullSeAtts, pullMsg, qryRelationR) are answered, unheard.
    await waitFor(() => Deaf.swallowed >= 3, { what: 'the answers to the first queries' });
    assert.deepEqual(texts(lost), []);
    lost.destroy();
    await sleep(200);
    const next = realClient(Parley, server, { core: CORE });
    await next.connect((await server.getToken(u('b5'))).token);
    await waitFor(() => texts(next).length >= 3, { what: 'the messages the closed visit missed' });
    assert.deepEqual(texts(next), [0, 1, 2].map((i) => `missed ${i}`));
    await sleep(300);  // its confirming pull
    next.destroy();
    const third = realClient(Parley, server, { core: CORE });
    await third.connect((await server.getToken(u('b5'))).token);
    await sleep(500);
    assert.deepEqual(texts(third), []);
    for (const c of [a, third]) { await c.disconnect(); c.destroy(); }
  });

  test(`${flavour}: on('sending') sees each message as it is queued, before the send resolves`, async () => {
    const [a, b] = await pair(Parley, u('s1'), u('s2'));
    const seen = [];
    const off = a.on('sending', (m) => seen.push(m));
    const sent = await a.sendTextMessage(1, u('s2'), 'watched');
    assert.equal(seen.length, 1);
    assert.equal(seen[0].content.content, 'watched');
    assert.equal(seen[0].messageId, sent.messageId);
    assert.equal(seen[0].targetId, u('s2'));
    off();
    await a.sendTextMessage(1, u('s2'), 'unwatched');
    assert.equal(seen.length, 1);  // removed listeners are not called
    for (const c of [a, b]) { await c.disconnect(); c.destroy(); }
  });

  test(`${flavour}: history paging, oldest first, hasMore`, async () => {
    const [a, b] = await pair(Parley, u('a3'), u('b3'));
    for (let i = 0; i < 25; i++) await a.sendTextMessage(1, u('b3'), `h${i}`);
    const p1 = await b.getHistoryMessages(1, u('a3'), 0, 10);
    assert.equal(p1.list.length, 10);
    assert.equal(p1.hasMore, true);
    assert.deepEqual(p1.list.map((m) => m.content.content), Array.from({ length: 10 }, (_, i) => `h${15 + i}`));
    const p2 = await new Promise((resolve, reject) => b.getHistoryMessages(1, u('a3'), p1.list[0].sentTime, 10,
      { onSuccess: (list, hasMore) => resolve({ list, hasMore }), onError: reject }));
    assert.deepEqual(p2.list.map((m) => m.content.content), Array.from({ length: 10 }, (_, i) => `h${5 + i}`));
    const p3 = await b.getRemoteHistoryMessages(1, u('a3'), p2.list[0].sentTime, 10, null, { order: 0 });
    assert.equal(p3.list.length, 5);
    assert.equal(p3.hasMore, false);
    for (const c of [a, b]) { await c.disconnect(); c.destroy(); }
  });

  test(`${flavour}: private read receipt (ReadReceiptMessage) reaches the sender`, async () => {
    const [a, b] = await pair(Parley, u('a4'), u('b4'));
    const m = await a.sendTextMessage(1, u('b4'), 'read me');
    await waitFor(() => texts(b).length === 1);
    const receipts = [];
    a.on('readReceipt', (r) => receipts.push(r));
    await b.sendMessage(1, u('a4'), new Parley.ReadReceiptMessage({ messageUId: m.messageUId, lastMessageSendTime: m.sentTime, type: 1 }));
    await waitFor(() => a.received.some((x) => x.messageType === 'ReadReceiptMessage'), { what: 'receipt' });
    const r = a.received.find((x) => x.messageType === 'ReadReceiptMessage');
    assert.equal(r.content.messageUId, m.messageUId);
    assert.equal(receipts[0].lastMessageSendTime, m.sentTime);
    for (const c of [a, b]) { await c.disconnect(); c.destroy(); }
  });

  test(`${flavour}: typing status reaches the peer`, async () => {
    const [a, b] = await pair(Parley, u('a5'), u('b5'));
    const typing = [];
    b.setTypingStatusListener({ onChanged: (list) => typing.push(list) });
    try {
      await a.sendTypingStatusMessage(1, u('b5'), 'RC:TxtMsg');
      await waitFor(() => typing.length > 0, { timeoutMs: 3000, what: 'typing' });
      assert.equal(typing[0][0].list[0].userId, u('a5'));
    } finally {
      for (const c of [a, b]) { await c.disconnect(); c.destroy(); }
    }
  });

  test(`${flavour}: recall`, async () => {
    const [a, b] = await pair(Parley, u('a6'), u('b6'));
    try {
      const m = await a.sendTextMessage(1, u('b6'), 'oops');
      await a.sendRecallMessage(m);
      await waitFor(() => b.received.some((x) => x.messageType === 'RecallCommandMessage'), { timeoutMs: 3000 });
    } finally {
      for (const c of [a, b]) { await c.disconnect(); c.destroy(); }
    }
  });

  test(`${flavour}: server killed (-9) and restarted: reconnect by itself, queued messages sent once, nothing lost`, async () => {
    const [a, b] = await pair(Parley, u('a7'), u('b7'));
    await a.sendTextMessage(1, u('b7'), 'before');
    await waitFor(() => texts(b).length === 1);
    await server.kill9();
    await waitFor(() => a.getCurrentConnectionStatus() !== Parley.ConnectionStatus.CONNECTED, { what: 'a notices' });
    // Sent while the server is down: queued (SENDING), sent after the reconnect.
    const queued = [a.sendTextMessage(1, u('b7'), 'during 1'), a.sendTextMessage(1, u('b7'), 'during 2')];
    await sleep(300);
    await server.restart();
    const sent = await Promise.all(queued);
    assert.ok(sent.every((m) => m.messageUId));
    await a.sendTextMessage(1, u('b7'), 'after');
    await waitFor(() => texts(b).length >= 4, { timeoutMs: 20000, what: 'b gets everything' });
    await sleep(300);
    assert.deepEqual(texts(b), ['before', 'during 1', 'during 2', 'after']);
    assert.equal(new Set(b.received.map((m) => m.messageUId)).size, b.received.length, 'no duplicate');
    assert.ok(a.statuses.includes(Parley.ConnectionStatus.CONNECTING));
    assert.equal(a.statuses[a.statuses.length - 1], Parley.ConnectionStatus.CONNECTED);
    for (const c of [a, b]) { await c.disconnect(); c.destroy(); }
  });

  test(`${flavour}: localStorage that throws on every write (private mode) does not stop messaging`, async () => {
    const storage = new StubStorage(['setItem', 'removeItem']);
    const [a, b] = await pair(Parley, u('a8'), u('b8'), { storage });
    await a.sendTextMessage(1, u('b8'), 'still works');
    await waitFor(() => texts(b).length === 1);
    assert.equal(storage.data.size, 0);
    const convs = await a.getConversationList(null);
    assert.equal(convs[0].targetId, u('b8'));
    for (const c of [a, b]) { await c.disconnect(); c.destroy(); }
  });

  test(`${flavour}: long polling (comet) against imserver`, async (t) => {
    const probe = await request(`${server.url}/pullmsg.js?sessionid=x&pid=1`);
    if (probe.status === 400 && /upgrade expected/i.test(probe.body)) {
      t.skip('imserver has no comet yet (issue 6)');
      return;
    }
    const [a, b] = await pair(Parley, u('a9'), u('b9'), { connectionType: 'comet' });
    await a.sendTextMessage(1, u('b9'), 'over comet');
    await waitFor(() => texts(b).length === 1, { what: 'comet delivery' });
    await b.sendTextMessage(1, u('a9'), 'and back');
    await waitFor(() => texts(a).length === 1, { what: 'comet delivery back' });
    for (const c of [a, b]) { await c.disconnect(); c.destroy(); }
  });
}
