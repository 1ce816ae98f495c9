'use strict';
// A Parley user (the web package, each wasm flavour) and an official @rongcloud/imlib-v2
// 2.9.2 user (its own process, tests/interop/lib/official_client.cjs) talk through a real
// imserver: text both ways (CJK, emoji, 100 KB), read receipts both ways, history and
// conversation list as each side sees them.
const test = require('node:test');
const assert = require('node:assert/strict');
const { ImServer } = require('../interop/lib/imserver_process.cjs');
const { OfficialClient } = require('../interop/lib/official_client.cjs');
const { FLAVOURS, loadParley, realClient, waitFor } = require('./lib/harness.cjs');

let server;
test.before(async () => { server = await ImServer.start(); });
test.after(async () => { if (server) await server.stop(); });

const TEXTS = ['hello official', '中文消息：你好', 'emoji 😀🎉👨‍👩‍👧', '长'.repeat(34000)];

for (const flavour of FLAVOURS) {
  const Parley = loadParley(flavour);

  test(`${flavour}: Parley <-> official client: text both ways, read receipts both ways, history`, async () => {
    const pu = `${flavour}-parley`;
    const ou = `${flavour}-official`;
    const p = realClient(Parley, server);
    const o = await OfficialClient.start({ name: 'official', appKey: server.appKey, navi: server.naviUrl });
    try {
      assert.equal(await p.connect((await server.getToken(pu)).token), pu);
      assert.equal((await o.connect((await server.getToken(ou)).token)).userId, ou);

      // Parley -> official
      const sent = [];
      for (const t of TEXTS) sent.push(await p.sendMessage(1, ou, new Parley.TextMessage({ content: t })));
      await o.waitForMessages(TEXTS.length, 20000);
      assert.deepEqual(o.received.map((m) => m.content.content), TEXTS);
      assert.deepEqual(o.received.map((m) => m.messageUId), sent.map((m) => m.messageUId));
      assert.ok(o.received.every((m) => m.senderUserId === pu && m.messageType === 'TextMessage'));

      // official -> Parley
      const back = [];
      for (const t of TEXTS) back.push(await o.sendText(pu, t));
      await waitFor(() => p.received.filter((m) => m.messageType === 'TextMessage').length >= TEXTS.length, { timeoutMs: 20000, what: 'parley receives' });
      const got = p.received.filter((m) => m.messageType === 'TextMessage');
      assert.deepEqual(got.map((m) => m.content.content), TEXTS);
      assert.deepEqual(got.map((m) => m.messageUId), back.map((m) => m.messageUId));
      assert.ok(got.every((m) => m.senderUserId === ou && m.targetId === ou && m.objectName === 'RC:TxtMsg'));

      // read receipts: official -> Parley, then Parley -> official
      const receipts = [];
      p.on('readReceipt', (r) => receipts.push(r));
      await o.sendReadReceipt(pu, sent[3].messageUId, sent[3].sentTime);
      await waitFor(() => receipts.length === 1, { what: 'receipt at Parley' });
      assert.equal(receipts[0].messageUId, sent[3].messageUId);
      assert.equal(receipts[0].lastMessageSendTime, sent[3].sentTime);
      const before = o.received.length;
      await p.sendMessage(1, ou, new Parley.ReadReceiptMessage({ messageUId: back[3].messageUId, lastMessageSendTime: back[3].sentTime, type: 1 }));
      await o.waitForMessages(before + 1);
      const r = o.received[before];
      assert.equal(r.messageType, 'ReadReceiptMessage');
      assert.equal(r.content.messageUId, back[3].messageUId);

      // Each side's history has the other's messages, oldest first.
      const ph = await p.getHistoryMessages(1, ou, 0, 20);
      assert.deepEqual(ph.list.filter((m) => m.objectName === 'RC:TxtMsg').map((m) => m.content.content), [...TEXTS, ...TEXTS]);
      const oh = await o.history(pu, 0, 20);
      assert.deepEqual(oh.list.filter((m) => m.objectName === 'RC:TxtMsg').map((m) => m.content.content), [...TEXTS, ...TEXTS]);
      const convs = await o.conversations();
      const oc = convs.find((c) => c.targetId === pu);
      assert.ok(oc && oc.latestMessage, 'the official client lists the conversation with Parley');
      const pc = (await p.getConversationList(null)).find((c) => c.targetId === ou);
      assert.equal(pc.latestMessage.content.content, TEXTS[3]);
    } finally {
      await p.disconnect();
      p.destroy();
      await o.close();
    }
  });

  test(`${flavour}: typing and recall between Parley and the official client`, async () => {
    const pu = `${flavour}-parley-t`;
    const ou = `${flavour}-official-t`;
    const p = realClient(Parley, server);
    const o = await OfficialClient.start({ name: 'official', appKey: server.appKey, navi: server.naviUrl });
    try {
      await p.connect((await server.getToken(pu)).token);
      await o.connect((await server.getToken(ou)).token);
      await p.sendTypingStatusMessage(1, ou, 'RC:TxtMsg');
      await o.waitFor(() => o.received.some((m) => m.messageType === 'TypingStatusMessage'), 3000, 'typing');
      const m = await p.sendTextMessage(1, ou, 'to recall');
      await p.sendRecallMessage(m);
      await o.waitFor(() => o.received.some((x) => x.messageType === 'RecallCommandMessage'), 3000, 'recall');
    } finally {
      await p.disconnect();
      p.destroy();
      await o.close();
    }
  });
}
