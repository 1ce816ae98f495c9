// imserver against the official client (@rongcloud/imlib-v2 2.9.2), both users official
// clients in their own processes, one real imserver on a loopback port:
// connect; A->B with B online; B offline while A sends 3, then B gets all 3 once, in order;
// history paging; the conversation list's unread counts, then cleared; removing a
// conversation; a bad token. The whole set runs for a plain, an emoji/CJK and a 100 KB text.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { ImServer, sleep } = require('./lib/imserver_process.cjs');
const { OfficialClient } = require('./lib/official_client.cjs');
const { RawClient } = require('./lib/raw_client.cjs');

const UID_SHAPE = /^[0-9A-V]{4}-[0-9A-V]{4}-[0-9A-V]{4}-[0-9A-V]{4}$/;
const ConnectionStatus = { CONNECTED: 0, CONNECTING: 1 };

// About `bytes` bytes of UTF-8 mixing ASCII, CJK and emoji (surrogate pairs on the JS side).
function bigText(bytes) {
  const unit = 'Parley message 消息内容 😀🚀 ';
  let s = '';
  while (Buffer.byteLength(s) + Buffer.byteLength(unit) <= bytes) s += unit;
  return s;
}

const VARIANTS = [
  { label: 'plain', text: 'hello from A' },
  { label: 'emoji_cjk', text: '你好，世界！😀🎉 こんにちは 한국어 ✓ 👨‍👩‍👧' },
  { label: 'big100k', text: bigText(100 * 1024) },
];

let server;
const clients = [];
async function client(name, storage) {
  const c = await OfficialClient.start({ name, appKey: server.appKey, navi: server.naviUrl, storage });
  clients.push(c);
  return c;
}

test.before(async () => { server = await ImServer.start(); });
test.after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.stop();
});

for (const { label, text } of VARIANTS) {
  test(`official clients, ${label} text (${Buffer.byteLength(text)} bytes)`, async (t) => {
    const idA = `a_${label}`, idB = `b_${label}`;
    const tokenA = (await server.getToken(idA)).token;
    const tokenB = (await server.getToken(idB)).token;
    const a = await client(`A(${label})`, undefined);
    let b = await client(`B(${label})`, undefined);
    const sent = [];

    await t.test('both connect', async () => {
      assert.deepStrictEqual(await a.connect(tokenA), { userId: idA });
      assert.deepStrictEqual(await b.connect(tokenB), { userId: idB });
      assert.deepStrictEqual(a.statuses, [ConnectionStatus.CONNECTING, ConnectionStatus.CONNECTED]);
    });

    await t.test('A -> B while B is online', async () => {
      const before = Date.now();
      const m = await a.sendText(idB, text);
      assert.match(m.messageUId, UID_SHAPE);
      assert.ok(m.sentTime >= before - 1000 && m.sentTime <= Date.now() + 1000, `sentTime ${m.sentTime}`);
      sent.push(m);
      await b.waitForMessages(1);
      const got = b.received[0];
      assert.strictEqual(got.content.content, text);
      assert.strictEqual(got.messageUId, m.messageUId);
      assert.strictEqual(got.sentTime, m.sentTime);
      assert.strictEqual(got.senderUserId, idA);
      assert.strictEqual(got.targetId, idA);
      assert.strictEqual(got.messageDirection, 2);
      assert.strictEqual(got.offLineMessage, false);
    });

    await t.test('B offline, A sends 3, B reconnects and gets all 3 once, in order', async () => {
      const storage = await b.storage();  // the same browser comes back
      await b.disconnect();
      await b.close();
      for (let i = 1; i <= 3; i++) sent.push(await a.sendText(idB, `${text} #${i}`));
      b = await client(`B2(${label})`, storage);
      await b.connect(tokenB);
      await b.waitForMessages(3);
      await sleep(1500);  // anything more would be a duplicate
      assert.strictEqual(b.received.length, 3, JSON.stringify(b.received.map((m) => m.messageUId)));
      assert.deepStrictEqual(b.received.map((m) => m.content.content), [1, 2, 3].map((i) => `${text} #${i}`));
      assert.deepStrictEqual(b.received.map((m) => m.messageUId), sent.slice(1).map((m) => m.messageUId));
      for (const m of b.received) assert.strictEqual(m.offLineMessage, true, 'sent before B connected');
      const times = b.received.map((m) => m.sentTime);
      assert.deepStrictEqual(times, [...times].sort((x, y) => x - y));
    });

    await t.test('history pages newest-first with hasMore', async () => {
      // 4 messages in the conversation; the API returns each page oldest-first.
      const page1 = await b.history(idA, 0, 2);
      assert.strictEqual(page1.hasMore, true);
      assert.deepStrictEqual(page1.list.map((m) => m.messageUId), [sent[2].messageUId, sent[3].messageUId]);
      assert.strictEqual(page1.list[1].content.content, `${text} #3`);
      const page2 = await b.history(idA, page1.list[0].sentTime, 2);
      assert.strictEqual(page2.hasMore, false);
      assert.deepStrictEqual(page2.list.map((m) => m.messageUId), [sent[0].messageUId, sent[1].messageUId]);
      assert.strictEqual(page2.list[0].content.content, text);
      // The sender sees the same messages as its own.
      const fromA = await a.history(idB, 0, 10);
      assert.strictEqual(fromA.list.length, 4);
      assert.ok(fromA.list.every((m) => m.messageDirection === 1 && m.senderUserId === idA));
    });

    await t.test('conversation list shows the unread count, then it is cleared', async () => {
      const raw = await RawClient.connect(server, tokenB);
      try {
        const serverUnread = async () => {
          const ack = await raw.query('qryRelationR', idB, { type: 1, count: 100, startTime: 0, order: 0 });
          assert.strictEqual(ack.status, 0);
          const info = (ack.body.info || []).find((i) => i.userId === idA);
          return info && info.unreadCount;
        };
        const list = await b.conversations();
        const conv = list.find((c) => c.targetId === idA);
        assert.ok(conv, JSON.stringify(list));
        assert.strictEqual(conv.unreadMessageCount, 4);
        assert.strictEqual(conv.latestMessage.messageUId, sent[3].messageUId);
        assert.strictEqual(await serverUnread(), 4, 'kept by the server too');

        await b.clearUnread(idA);  // local in the official client
        assert.strictEqual((await b.conversations()).find((c) => c.targetId === idA).unreadMessageCount, 0);
        // The read receipt is what tells the server (and A).
        await b.sendReadReceipt(idA, sent[3].messageUId, sent[3].sentTime);
        assert.strictEqual(await serverUnread(), 0);
        await a.waitFor(() => a.received.some((m) => m.messageType === 'ReadReceiptMessage'), 10_000, 'read receipt');
      } finally {
        raw.close();
      }
    });

    await t.test('remove conversation', async () => {
      await b.removeConversation(idA);
      assert.ok(!(await b.conversations()).some((c) => c.targetId === idA));
      // Removed on the server: a new browser does not see it either, while A still does.
      const fresh = await client(`B3(${label})`, undefined);
      await fresh.connect(tokenB);
      assert.ok(!(await fresh.conversations()).some((c) => c.targetId === idA));
      assert.ok((await a.conversations()).some((c) => c.targetId === idB));
      // A new browser is not handed old messages as new ones.
      await sleep(500);
      assert.strictEqual(fresh.received.length, 0);
      // History is still there.
      assert.strictEqual((await fresh.history(idA, 0, 10)).list.length, 4);
    });
  });
}

test('a bad token makes connect fail', async () => {
  const c = await client('bad-token', undefined);
  await assert.rejects(c.connect('not-a-parley-token'), (e) => e.code === 30002);
  const forged = (await server.getToken('victim')).token.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
  const d = await client('forged-token', undefined);
  await assert.rejects(d.connect(forged), (e) => e.code === 30002);
  assert.ok(!d.statuses.includes(ConnectionStatus.CONNECTED));
});
