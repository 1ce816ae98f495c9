// Issue 4's integration test: the client core (Session) under a small native host —
// Beast WebSockets, no browser — against a real imserver, chatting with the official
// RongCloud client. The server is killed (-9) and restarted mid-conversation: nothing
// is lost, nothing arrives twice, in both directions.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ImServer } = require('./lib/imserver_process.cjs');
const { OfficialClient } = require('./lib/official_client.cjs');
const { NativeHost } = require('./lib/native_host.cjs');

const texts = (host) => host.events('message').map((e) => e.message)
  .filter((m) => m.objectName === 'RC:TxtMsg').map((m) => m.content.content);

test('native Session <-> official client through imserver, across a kill -9', { timeout: 180_000 }, async () => {
  const server = await ImServer.start();
  const store = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'parley-host-')), 'store.json');
  const a = await NativeHost.start({ appKey: server.appKey, host: `127.0.0.1:${server.port}`, store });
  const b = await OfficialClient.start({ name: 'B', appKey: server.appKey, navi: server.naviUrl });
  try {
    const { token: ta } = await server.getToken('nativeA');
    const { token: tb } = await server.getToken('officialB');
    const r = await a.call({ cmd: 'connect', token: ta });
    assert.strictEqual(r.code, 0, JSON.stringify(r));
    assert.strictEqual(r.data.userId, 'nativeA');
    await b.connect(tb);

    const send = (text) => a.call({ cmd: 'sendMessage', conversationType: 1, targetId: 'officialB',
                                    objectName: 'RC:TxtMsg', content: { content: text } }, 60_000);
    for (const t of ['a1 你好', 'a2 😀', 'a3']) {
      const res = await send(t);
      assert.strictEqual(res.code, 0, JSON.stringify(res));
      assert.match(res.data.message.messageUId, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    }
    for (const t of ['b1', 'b2 🎉', 'b3']) await b.sendText('nativeA', t);
    await b.waitForMessages(3);
    await a.waitFor(() => texts(a).length >= 3, 20_000, 'A receives b1..b3');

    // The server dies hard. A queues two messages while it is down.
    await server.kill9();
    await a.waitFor(() => a.events('status').some((s) => s.status !== 0), 40_000, 'A notices the dead link');
    const queued = [send('a4 while down'), send('a5 while down')];
    await server.restart();
    const results = await Promise.all(queued);
    for (const res of results) assert.strictEqual(res.code, 0, JSON.stringify(res));
    await a.waitFor(() => a.events('status').slice(-1)[0].status === 0, 40_000, 'A reconnects by itself');
    await b.waitFor(() => b.statuses.slice(-1)[0] === 0, 40_000, 'B reconnects by itself');
    for (const t of ['b4 after restart', 'b5']) await b.sendText('nativeA', t);

    await b.waitForMessages(5, 30_000);
    await a.waitFor(() => texts(a).length >= 5, 30_000, 'A receives b4, b5');
    await new Promise((r) => setTimeout(r, 1500));  // room for any duplicate to show up
    assert.deepStrictEqual(texts(a), ['b1', 'b2 🎉', 'b3', 'b4 after restart', 'b5']);
    assert.deepStrictEqual(b.received.map((m) => m.content.content),
                           ['a1 你好', 'a2 😀', 'a3', 'a4 while down', 'a5 while down']);
    // Persisted state survived in the host's store: sync position and seen ids.
    const saved = JSON.parse(fs.readFileSync(store, 'utf8'));
    assert.ok(Object.keys(saved).some((k) => /\/nativeA\/seen\/\d+$/.test(k)));  // the dedupe set, in blocks
  } finally {
    await a.close();
    await b.close();
    await server.stop();
  }
});
