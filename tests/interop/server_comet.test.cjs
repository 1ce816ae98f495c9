// imserver's long polling (comet, PROTOCOL.md §5) against the official client
// (@rongcloud/imlib-v2 2.9.2): connectionType 'comet' (connect, send, receive, history,
// reconnect after kill -9), a mixed pair (one WebSocket, one comet), the automatic
// fallback when WebSocket is missing, a 1,000-message exchange between a comet and a
// WebSocket client (same messages, same order, counts printed), and at the HTTP level:
// the canonical connect answer, a held poll answered at once, POST sends, expiry of an
// abandoned session, the Origin allow-list.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { ImServer, request, sleep } = require('./lib/imserver_process.cjs');
const { OfficialClient } = require('./lib/official_client.cjs');
const { RawClient } = require('./lib/raw_client.cjs');

const CONNECTED = 0;

let server;
const clients = [];
async function client(name, opts = {}) {
  const c = await OfficialClient.start({ name, appKey: server.appKey, navi: server.naviUrl, ...opts });
  clients.push(c);
  return c;
}
async function token(userId) { return (await server.getToken(userId)).token; }
const texts = (c) => c.received.filter((m) => m.objectName === 'RC:TxtMsg').map((m) => m.content.content);

test.before(async () => {
  // The exchange below sends 1,000 messages as fast as the clients go.
  server = await ImServer.start({ config: { limits: { send_rate_per_second: 5000, send_burst: 5000 } } });
});
test.after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.stop();
});

test('comet: connect, send, receive, history, and reconnect after the server is killed', async () => {
  const a = await client('A(comet)', { connectionType: 'comet' });
  const b = await client('B(comet)', { connectionType: 'comet' });
  assert.deepStrictEqual(await a.connect(await token('ca')), { userId: 'ca' });
  assert.deepStrictEqual(await b.connect(await token('cb')), { userId: 'cb' });
  assert.ok(a.statuses.includes(CONNECTED));
  const before = await server.metrics();
  assert.ok(before.parley_comet_sessions >= 2, JSON.stringify(before));

  const m1 = await a.sendText('cb', 'over long polling 你好 😀');
  await b.waitForMessages(1);
  assert.strictEqual(b.received[0].content.content, 'over long polling 你好 😀');
  assert.strictEqual(b.received[0].messageUId, m1.messageUId);
  assert.strictEqual(b.received[0].sentTime, m1.sentTime);
  await b.sendText('ca', 'and back');
  await a.waitForMessages(1);
  assert.strictEqual(a.received[0].content.content, 'and back');

  const h = await b.history('ca', 0, 10);
  assert.deepStrictEqual(h.list.map((m) => m.content.content), ['over long polling 你好 😀', 'and back']);

  // About 100 KB (with quotes, which JSON escaping doubles) both ways.
  const big = '长"'.repeat(25000);
  await a.sendText('cb', big);
  await b.waitFor(() => texts(b).includes(big), 20_000, '100 KB over comet');
  await b.sendText('ca', big);
  await a.waitFor(() => texts(a).includes(big), 20_000, '100 KB back over comet');

  // kill -9: the polls fail, the clients reconnect (a new comet session) by themselves
  // (the engine reports 1 CONNECTING, then 7 while the server is down).
  const seen = a.statuses.length;
  await server.kill9();
  await a.waitFor(() => a.statuses.slice(seen).includes(1), 60_000, 'reconnecting');
  await server.restart();
  await a.waitFor(() => a.statuses[a.statuses.length - 1] === CONNECTED, 60_000, 'reconnected');
  await b.waitFor(() => b.statuses[b.statuses.length - 1] === CONNECTED, 60_000, 'reconnected');
  await a.sendText('cb', 'after the restart');
  await b.waitFor(() => texts(b).includes('after the restart'), 20_000, 'message after restart');
  assert.strictEqual(texts(b).filter((t) => t === 'over long polling 你好 😀').length, 1, 'no duplicate');
});

test('a WebSocket client and a comet client talk to each other', async () => {
  const ws = await client('WS', {});
  const comet = await client('COMET', { connectionType: 'comet' });
  await ws.connect(await token('mix_ws'));
  await comet.connect(await token('mix_comet'));
  const sent = await ws.sendText('mix_comet', 'ws -> comet');
  await comet.waitForMessages(1);
  assert.strictEqual(comet.received[0].messageUId, sent.messageUId);
  const back = await comet.sendText('mix_ws', 'comet -> ws');
  await ws.waitForMessages(1);
  assert.strictEqual(ws.received[0].messageUId, back.messageUId);
  assert.strictEqual(ws.received[0].senderUserId, 'mix_comet');
});

test('without WebSocket the official client falls back to comet by itself', async () => {
  const before = (await server.metrics()).parley_comet_sessions_total;
  const c = await client('NOWS', { noWebSocket: true });
  assert.strictEqual(c.init.webSocket, false);
  const peer = await client('PEER', {});
  await c.connect(await token('fallback'));
  await peer.connect(await token('fallback_peer'));
  assert.strictEqual((await server.metrics()).parley_comet_sessions_total, before + 1);
  await peer.sendText('fallback', 'you have no WebSocket');
  await c.waitForMessages(1);
  assert.strictEqual(c.received[0].content.content, 'you have no WebSocket');
  await c.sendText('fallback_peer', 'and yet');
  await peer.waitForMessages(1);
});

// Runs as fast as both clients go, so that frames for the comet client cross each other:
// it once caught the official comet client handed its own message back as received, when
// a pullMsg answer overtook the PUBACK of a message it contained (two HTTP answers in
// flight); imserver now sends a comet client everything through its polls, in order.
test('1,000 messages between a comet and a WebSocket client: both see the same messages in the same order', async () => {
  // Its HTTP answers reach it after a random 0..20 ms, so that answers on different
  // connections can cross.
  const comet = await client('X(comet)', { connectionType: 'comet', httpJitterMs: 20 });
  const ws = await client('Y(ws)', {});
  await comet.connect(await token('xchg_comet'));
  await ws.connect(await token('xchg_ws'));
  const N = 500;
  const sentByComet = [], sentByWs = [];
  // Both send at the same time, each in order.
  await Promise.all([
    (async () => { for (let i = 0; i < N; i++) sentByComet.push(await comet.sendText('xchg_ws', `c${i}`)); })(),
    (async () => { for (let i = 0; i < N; i++) sentByWs.push(await ws.sendText('xchg_comet', `w${i}`)); })(),
  ]);
  await comet.waitForMessages(N, 120_000);
  await ws.waitForMessages(N, 120_000);
  await sleep(1000);  // anything more would be a duplicate

  const view = (sent, received) => [...sent, ...received]
    .sort((x, y) => x.sentTime - y.sentTime)
    .map((m) => `${m.messageUId} ${m.content.content}`);
  const cometView = view(sentByComet, comet.received);
  const wsView = view(sentByWs, ws.received);
  console.log(`1000-message exchange: comet client sent ${sentByComet.length}, received ${comet.received.length}; ` +
    `WebSocket client sent ${sentByWs.length}, received ${ws.received.length}; ` +
    `views ${cometView.length} / ${wsView.length} messages, identical: ${JSON.stringify(cometView) === JSON.stringify(wsView)}`);
  // On a mismatch, say what the extra or missing messages are (direction 1 = the client's
  // own message handed back as if received).
  for (const [name, c, sent] of [['comet', comet, sentByWs], ['WebSocket', ws, sentByComet]]) {
    const seen = new Map();
    c.received.forEach((m, i) => seen.set(m.messageUId, [...(seen.get(m.messageUId) || []), i]));
    for (const [uid, at] of seen) {
      if (at.length > 1) console.log(`${name}: ${uid} received ${at.length} times, at ${at.join(', ')}: ${JSON.stringify(c.received[at[0]])}`);
    }
    const sentUids = new Set(sent.map((m) => m.messageUId));
    for (const m of c.received) if (!sentUids.has(m.messageUId)) console.log(`${name}: not sent by the peer: ${JSON.stringify(m)}`);
    for (const m of sent) if (!seen.has(m.messageUId)) console.log(`${name}: never received: ${JSON.stringify(m)}`);
  }
  assert.strictEqual(comet.received.length, N);
  assert.strictEqual(ws.received.length, N);
  assert.deepStrictEqual(cometView, wsView);
  assert.strictEqual(new Set(cometView).size, 2 * N);
  // Each side received the other's messages in the order they were sent.
  assert.deepStrictEqual(comet.received.map((m) => m.content.content), sentByWs.map((m) => m.content.content));
  assert.deepStrictEqual(ws.received.map((m) => m.content.content), sentByComet.map((m) => m.content.content));
  const times = [...sentByComet, ...sentByWs].map((m) => m.sentTime);
  assert.strictEqual(new Set(times).size, times.length, 'every message has its own time');
});

// ---- the HTTP level ----------------------------------------------------------------------

async function cometConnect(s, userId, pid = '1795311436177.6953') {
  const tok = (await s.getToken(userId)).token;
  const res = await s.request(`/websocket?appId=${s.appKey}&token=${encodeURIComponent(tok)}&sdkVer=2.9.2&pid=${pid}&apiVer=normal`);
  return { res, pid };
}

test('the comet connect answer is compact canonical JSON; a held poll is answered at once; POST sends', async () => {
  const { res, pid } = await cometConnect(server, 'raw_comet');
  assert.strictEqual(res.status, 200);
  assert.strictEqual(JSON.stringify(JSON.parse(res.body)), res.body, 'JSON.stringify(JSON.parse(body)) === body');
  const hello = JSON.parse(res.body);
  assert.strictEqual(hello.status, 0);
  assert.strictEqual(hello.userId, 'raw_comet');
  assert.match(hello.sessionid, /^[0-9a-f]{32}$/);
  assert.strictEqual(res.headers['access-control-allow-origin'], '*');
  const sid = hello.sessionid;

  // A poll with nothing to say is held; a message to the user answers it at once.
  const started = Date.now();
  const poll = request(`${server.url}/pullmsg.js?sessionid=${sid}&timestrap=${Date.now()}&pid=${pid}`);
  await sleep(300);
  const sender = await RawClient.connect(server, (await server.getToken('raw_sender')).token);
  const ack = await sender.publish('ppMsgP', 'raw_comet', { sessionId: 3, classname: 'RC:TxtMsg', content: '{"content":"wake up"}', configFlag: 0 });
  assert.strictEqual(ack.status, 0);
  const answered = await poll;
  const waited = Date.now() - started;
  assert.ok(waited < 2000, `answered after ${waited} ms`);
  const frames = JSON.parse(answered.body);
  assert.strictEqual(frames.length, 1);
  assert.strictEqual(frames[0].topic, 's_ntf');
  assert.strictEqual(frames[0].messageId, 0);
  assert.strictEqual(JSON.parse(frames[0].data).type, 1);
  sender.close();

  // POST a pullMsg QUERY: the POST is answered "[]"; the QUERYACK (with the message as a
  // JSON string) comes in the next poll answer, behind anything that waited before it:
  // a comet client gets its frames through one ordered channel.
  const pollOnce = async () => JSON.parse((await request(`${server.url}/pullmsg.js?sessionid=${sid}&timestrap=${Date.now()}&pid=${pid}`)).body);
  const post = await request(`${server.url}/websocket?messageid=7&header=80&sessionid=${sid}&topic=pullMsg&targetid=raw_comet&pid=${pid}`,
    { method: 'POST', headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body: '{"ispolling":false,"isPullSend":true,"sendBoxSyncTime":0,"syncTime":0}' });
  assert.strictEqual(post.status, 200);
  assert.strictEqual(post.body, '[]');
  const [queryAck] = await pollOnce();
  assert.strictEqual(queryAck.messageId, 7);
  assert.strictEqual(queryAck.status, 0);
  const data = JSON.parse(queryAck.data);
  assert.strictEqual(data.list.length, 1);
  assert.strictEqual(data.list[0].content, '{"content":"wake up"}');
  // A request id past 65535 (comet ids never wrap) comes back as sent.
  const big = await request(`${server.url}/websocket?messageid=70001&header=80&sessionid=${sid}&topic=pullMsg&targetid=raw_comet&pid=${pid}`,
    { method: 'POST', body: `{"ispolling":false,"isPullSend":true,"sendBoxSyncTime":0,"syncTime":${data.syncTime}}` });
  assert.strictEqual(big.body, '[]');
  assert.strictEqual((await pollOnce())[0].messageId, 70001);
  // Two POSTs before the next poll: their answers come in one poll answer, in order.
  for (const id of [8, 9]) {
    await request(`${server.url}/websocket?messageid=${id}&header=80&sessionid=${sid}&topic=pullMsg&targetid=raw_comet&pid=${pid}`,
      { method: 'POST', body: `{"ispolling":false,"isPullSend":true,"sendBoxSyncTime":0,"syncTime":${data.syncTime}}` });
  }
  assert.deepStrictEqual((await pollOnce()).map((f) => f.messageId), [8, 9]);
  // Wrong pid or session: 404 (the client then reconnects).
  assert.strictEqual((await request(`${server.url}/pullmsg.js?sessionid=${sid}&pid=other`)).status, 404);
  assert.strictEqual((await request(`${server.url}/pullmsg.js?sessionid=nope&pid=${pid}`)).status, 404);
});

test('an abandoned comet session expires; Origins outside the allow-list are refused', async () => {
  const s = await ImServer.start({
    args: ['--idle-timeout-ms', '2000', '--allow-origin', 'https://chat.example.com'],
  });
  try {
    const { res, pid } = await cometConnect(s, 'quitter');
    const sid = JSON.parse(res.body).sessionid;
    // Polls keep it alive (held at most half the idle timeout)...
    const t0 = Date.now();
    const first = await request(`${s.url}/pullmsg.js?sessionid=${sid}&timestrap=1&pid=${pid}`);
    assert.strictEqual(first.body, '[]');
    assert.ok(Date.now() - t0 >= 900 && Date.now() - t0 < 2500, `held ${Date.now() - t0} ms`);
    // ...silence ends it.
    await sleep(3500);
    assert.strictEqual((await request(`${s.url}/pullmsg.js?sessionid=${sid}&timestrap=2&pid=${pid}`)).status, 404);
    assert.strictEqual((await s.metrics()).parley_comet_sessions, 0);

    // Origin: listed passes, others get 403 (comet and WebSocket); no Origin (not a browser) passes.
    const tok = (await s.getToken('browser')).token;
    const url = `/websocket?appId=${s.appKey}&token=${encodeURIComponent(tok)}&sdkVer=2.9.2&pid=1&apiVer=normal`;
    assert.strictEqual((await s.request(url, { headers: { Origin: 'https://evil.example.com' } })).status, 403);
    assert.strictEqual((await s.request(url, { headers: { Origin: 'https://chat.example.com' } })).status, 200);
    await assert.rejects(RawClient.open(s, tok, { origin: 'https://evil.example.com' }), /403/);
    const ok = await RawClient.connect(s, tok);
    ok.close();
    assert.ok((await s.metrics())['parley_errors_total{kind="origin_rejected"}'] >= 2);
  } finally {
    await s.stop();
  }
});
