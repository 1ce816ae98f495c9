// kill -9 of imserver while official clients are connected, then a restart on the same
// port and database: the clients reconnect by themselves (status 1 ... 0, PROTOCOL.md §6.3),
// a message sent after the restart arrives, and every message acknowledged before the kill
// is still in history. Plain, emoji/CJK and 100 KB texts on both sides of the kill.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { ImServer, sleep } = require('./lib/imserver_process.cjs');
const { OfficialClient } = require('./lib/official_client.cjs');

function bigText(bytes) {
  const unit = '重启之后 after restart 🔁 ';
  let s = '';
  while (Buffer.byteLength(s) + Buffer.byteLength(unit) <= bytes) s += unit;
  return s;
}
const TEXTS = ['plain text', '表情和中文 😀🎉 テスト', bigText(100 * 1024)];

test('kill -9 and restart: clients reconnect, nothing acknowledged is lost', async () => {
  const server = await ImServer.start();
  const clients = [];
  try {
    const tokenA = (await server.getToken('userA')).token;
    const tokenB = (await server.getToken('userB')).token;
    const a = await OfficialClient.start({ name: 'A', appKey: server.appKey, navi: server.naviUrl });
    const b = await OfficialClient.start({ name: 'B', appKey: server.appKey, navi: server.naviUrl });
    clients.push(a, b);
    await a.connect(tokenA);
    await b.connect(tokenB);

    const before = [];
    for (const text of TEXTS) before.push(await a.sendText('userB', `before: ${text}`));
    await b.waitForMessages(TEXTS.length);

    await server.kill9();
    const statusesAtKill = b.statuses.length;
    // B notices (socket closed) and starts reconnecting: status 1 (CONNECTING), then 7 while down.
    await b.waitFor(() => b.statuses.slice(statusesAtKill).includes(1), 20_000, 'B to start reconnecting');
    await sleep(1000);
    await server.restart();
    await b.waitFor(() => b.statuses.slice(statusesAtKill).includes(0), 30_000, 'B to reconnect by itself');
    await a.waitFor(() => a.statuses.slice(2).includes(0), 30_000, 'A to reconnect by itself');
    console.log(`# B statuses across the restart: ${JSON.stringify(b.statuses)}`);

    const after = [];
    for (const text of TEXTS) after.push(await a.sendText('userB', `after: ${text}`));
    await b.waitForMessages(2 * TEXTS.length, 20_000);
    await sleep(1000);
    assert.strictEqual(b.received.length, 2 * TEXTS.length, 'each message once');
    assert.deepStrictEqual(b.received.slice(TEXTS.length).map((m) => m.content.content), TEXTS.map((t) => `after: ${t}`));
    assert.deepStrictEqual(b.received.slice(TEXTS.length).map((m) => m.messageUId), after.map((m) => m.messageUId));
    // Times keep increasing across the restart.
    assert.ok(after[0].sentTime > before[before.length - 1].sentTime);

    const history = await b.history('userA', 0, 20);
    assert.deepStrictEqual(history.list.map((m) => m.messageUId), [...before, ...after].map((m) => m.messageUId));
    assert.deepStrictEqual(history.list.map((m) => m.content.content),
      [...TEXTS.map((t) => `before: ${t}`), ...TEXTS.map((t) => `after: ${t}`)]);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  }
});

test('a message acknowledged just before kill -9 is in history after the restart', async () => {
  const server = await ImServer.start();
  const clients = [];
  try {
    const a = await OfficialClient.start({ name: 'A', appKey: server.appKey, navi: server.naviUrl });
    clients.push(a);
    await a.connect((await server.getToken('userA')).token);
    // B has never connected: the message is only in the store when the server dies.
    const acked = await a.sendText('userB', 'acknowledged, then kill -9');
    await server.kill9();
    await server.restart();
    const b = await OfficialClient.start({ name: 'B', appKey: server.appKey, navi: server.naviUrl });
    clients.push(b);
    await b.connect((await server.getToken('userB')).token);
    await b.waitForMessages(1);
    assert.strictEqual(b.received[0].messageUId, acked.messageUId);
    const history = await b.history('userA', 0, 10);
    assert.deepStrictEqual(history.list.map((m) => m.messageUId), [acked.messageUId]);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  }
});
