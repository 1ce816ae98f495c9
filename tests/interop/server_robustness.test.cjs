// Bad input from one client ends or answers that session only: a malformed frame, a text
// message, an unknown topic, an oversized frame, bad payloads. Meanwhile an official client
// pair keeps talking, and raw sessions keep answering. Also protocol details the official
// API hides: CONNACK statuses for bad tokens, clientUniqueId de-duplication.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const test = require('node:test');
const assert = require('node:assert');
const { ImServer } = require('./lib/imserver_process.cjs');
const { OfficialClient } = require('./lib/official_client.cjs');
const { RawClient } = require('./lib/raw_client.cjs');

let server, a, b, bystander;
const raws = [];
async function raw(userId) {
  const c = await RawClient.connect(server, (await server.getToken(userId)).token);
  raws.push(c);
  return c;
}

// The official pair still works: A -> B arrives.
async function officialPairStillWorks(tag) {
  const before = b.received.length;
  const m = await a.sendText('userB', `still alive after ${tag}`);
  await b.waitForMessages(before + 1);
  assert.strictEqual(b.received[before].messageUId, m.messageUId);
  await bystander.ping();
}

test.before(async () => {
  server = await ImServer.start();
  a = await OfficialClient.start({ name: 'A', appKey: server.appKey, navi: server.naviUrl });
  b = await OfficialClient.start({ name: 'B', appKey: server.appKey, navi: server.naviUrl });
  await a.connect((await server.getToken('userA')).token);
  await b.connect((await server.getToken('userB')).token);
  bystander = await raw('bystander');
});
test.after(async () => {
  for (const r of raws) r.close();
  await Promise.all([a.close(), b.close()]);
  await server.stop();
});

test('a malformed frame closes that session (1002) and nothing else', async () => {
  const bad = await raw('mallory1');
  bad.sendBytes(Buffer.from('320009707041', 'hex'));  // PUBLISH whose topic length runs past the end
  const { code } = await bad.closed;
  assert.strictEqual(code, 1002);
  await officialPairStillWorks('malformed frame');
});

test('a text WebSocket message is not a frame: closed (1002)', async () => {
  const bad = await raw('mallory2');
  bad.ws.send('hello');  // text, not binary
  assert.strictEqual((await bad.closed).code, 1002);
  await officialPairStillWorks('text message');
});

test('an unknown topic is answered with an error status; the session goes on', async () => {
  const c = await raw('curious');
  const ack = await c.query('noSuchTopic', 'curious', undefined, { bodyHex: '0801' });
  assert.notStrictEqual(ack.status, 0);
  const puback = await c.publish('noSuchPublish', 'userB', undefined, { bodyHex: '0801' });
  assert.notStrictEqual(puback.status, 0);
  // Same session, still served.
  await c.ping();
  const pull = await c.query('pullMsg', 'curious', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 });
  assert.strictEqual(pull.status, 0);
  assert.strictEqual(pull.body.finished, true);
  await officialPairStillWorks('unknown topic');
});

test('an invalid payload is answered with an error status; the session goes on', async () => {
  const c = await raw('sloppy');
  const ack = await c.query('pullMsg', 'sloppy', undefined, { bodyHex: '' });  // syncTime is required
  assert.notStrictEqual(ack.status, 0);
  const puback = await c.publish('ppMsgP', 'userB', undefined, { bodyHex: 'ff' });
  assert.notStrictEqual(puback.status, 0);
  await c.ping();
});

test('an oversized frame closes that session (1009) and nothing else', async () => {
  const big = await raw('mallory3');
  const content = JSON.stringify({ content: 'x'.repeat(300 * 1024) });
  big.sendFrame({ type: 'PUBLISH', qos: 1, topic: 'ppMsgP', targetId: 'userB', messageId: 1,
    body: { sessionId: 3, classname: 'RC:TxtMsg', content, configFlag: 0 } });
  assert.strictEqual((await big.closed).code, 1009);
  await officialPairStillWorks('oversized frame');
});

test('bad tokens and apps get a non-zero CONNACK', async () => {
  const forged = await RawClient.open(server, 'eyJhIjoiSyJ9.forged');
  assert.strictEqual(forged.connack.status, 4);  // TOKEN_INCORRECT
  assert.strictEqual((await forged.closed).code, 1008);
  const wrongApp = await RawClient.open(server, (await server.getToken('x')).token, { appKey: 'other-app' });
  assert.strictEqual(wrongApp.connack.status, 2);  // IDENTIFIER_REJECTED
  const good = await RawClient.open(server, (await server.getToken('x')).token);
  assert.strictEqual(good.connack.status, 0);
  assert.strictEqual(good.connack.userId, 'x');
  assert.match(good.connack.sessionId, /^[0-9a-f]{16}$/);
  assert.ok(Math.abs(good.connack.timestamp - Date.now()) < 5000);
  raws.push(good);
});

test('a repeated clientUniqueId gets the first PUBACK and is delivered once', async () => {
  const sender = await raw('resender');
  const receiver = await raw('receiver');
  const body = { sessionId: 3, classname: 'RC:TxtMsg', content: '{"content":"exactly once"}', configFlag: 0,
    clientUniqueId: 424242 };
  const first = await sender.publish('ppMsgP', 'receiver', body);
  const second = await sender.publish('ppMsgP', 'receiver', body);
  assert.strictEqual(first.status, 0);
  assert.strictEqual(second.msgUId, first.msgUId);
  assert.strictEqual(second.date * 1000 + second.millis, first.date * 1000 + first.millis);
  const pull = await receiver.query('pullMsg', 'receiver', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 });
  assert.strictEqual(pull.body.list.length, 1);
  assert.strictEqual(pull.body.list[0].msgId, first.msgUId);
  assert.strictEqual(pull.body.list[0].clientUniqueId, 424242);
  // One s_ntf reached the receiver for the one message.
  const notifications = receiver.frames.filter((f) => f.type === 'PUBLISH' && f.topic === 's_ntf');
  assert.strictEqual(notifications.length, 1);
  assert.strictEqual(notifications[0].body.type, 1);
  assert.strictEqual(notifications[0].messageId, 0);
});

test('errors are counted in /metrics', async () => {
  const m = await server.metrics();
  assert.ok(m['parley_errors_total{kind="frame_decode"}'] >= 2, JSON.stringify(m));
  assert.ok(m['parley_errors_total{kind="frame_too_large"}'] >= 1);
  assert.ok(m['parley_errors_total{kind="unknown_topic"}'] >= 2);
  assert.ok(m['parley_errors_total{kind="auth_rejected"}'] >= 2);
  assert.ok(m.parley_messages_stored_total >= 5);
  assert.ok(m.parley_messages_deduplicated_total >= 1);
  assert.ok(m.parley_websocket_sessions >= 3);
});

// Limits, on a server of their own: a client that stops reading is cut off once its write
// queue passes the limit (the server's memory stays bounded), and a silent session is
// closed after the idle timeout; other sessions carry on.
test('slow readers are cut off, silent sessions time out, others carry on', async () => {
  const configPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'parley-limits-')), 'config.json');
  fs.writeFileSync(configPath, JSON.stringify({ limits: { max_write_queue_bytes: 1 << 20, idle_timeout_ms: 2000 } }));
  const limited = await ImServer.start({ args: ['--config', configPath] });
  const opened = [];
  let heartbeat;
  try {
    const open = async (user) => {
      const c = await RawClient.connect(limited, (await limited.getToken(user)).token);
      opened.push(c);
      return c;
    };
    const sender = await open('sender');
    const healthy = await open('healthy');
    // Five 100 KB messages: every history page of them is about 500 KB.
    const content = JSON.stringify({ content: 'y'.repeat(100 * 1024) });
    for (let i = 0; i < 5; i++) {
      const ack = await sender.publish('ppMsgP', 'reader', { sessionId: 3, classname: 'RC:TxtMsg', content, configFlag: 0 });
      assert.strictEqual(ack.status, 0);
    }
    const reader = await open('reader');
    reader.ws._socket.pause();  // stops reading; the server's writes back up
    for (let i = 0; i < 60; i++) {
      reader.sendFrame({ type: 'QUERY', topic: 'qryPMsg', targetId: 'reader', messageId: 100 + i,
        body: { targetId: 'sender', time: 0, count: 20, order: 0 } });
    }
    // The others keep talking (the idle timeout is 2 s here).
    heartbeat = setInterval(() => { healthy.sendFrame({ type: 'PINGREQ' }); sender.sendFrame({ type: 'PINGREQ' }); }, 500);
    // Cut off: the server drops it once the queue passes 1 MB (seen in /metrics); when
    // the reader reads again it finds the connection closed.
    const deadline = Date.now() + 20_000;
    let m = await limited.metrics();
    while (!(m['parley_errors_total{kind="slow_client"}'] >= 1) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      m = await limited.metrics();
    }
    assert.ok(m['parley_errors_total{kind="slow_client"}'] >= 1, JSON.stringify(m));
    reader.ws._socket.resume();
    const { code } = await reader.closed;
    assert.strictEqual(code, 1006, 'dropped without a close handshake');
    assert.ok(reader.frames.length < 60, `got ${reader.frames.length} of 60 answers`);
    await healthy.ping();
    const pull = await healthy.query('pullMsg', 'healthy', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 });
    assert.strictEqual(pull.status, 0);
    // A session that sends nothing is closed after the idle timeout.
    const silent = await open('silent');
    assert.strictEqual((await silent.closed).code, 1000);
    await healthy.ping();
  } finally {
    clearInterval(heartbeat);
    for (const c of opened) c.close();
    await limited.stop();
    fs.rmSync(path.dirname(configPath), { recursive: true, force: true });
  }
});
