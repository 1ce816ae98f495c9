// imserver features against the official client, on WebSocket (and the core ones on comet):
// recall by the sender (allowed) and by others (refused 25101); typing reaching the peer
// without being stored; blacklists (server API, 405 for the blocked sender, the protocol
// topics); several devices of one user (sync copy on the second); an app with one session
// per user (the old client sees 2 then 6); a blocked user (2 then 9, refused until
// unblocked); the send rate limit (20604); system, private and group messages published
// by the server API.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { ImServer, sleep } = require('./lib/imserver_process.cjs');
const { OfficialClient } = require('./lib/official_client.cjs');
const { RawClient } = require('./lib/raw_client.cjs');

const PRIVATE = 1, GROUP = 3, SYSTEM = 6;
const Status = { CONNECTED: 0, DISCONNECTED: 2, KICKED: 6, BLOCKED: 9 };

let server;
const clients = [];
const raws = [];
async function client(name, userId, opts = {}, s = server) {
  const c = await OfficialClient.start({ name, appKey: s.appKey, navi: s.naviUrl, ...opts });
  clients.push(c);
  if (userId) await c.connect((await s.getToken(userId)).token);
  return c;
}
const texts = (c) => c.received.filter((m) => m.objectName === 'RC:TxtMsg').map((m) => m.content.content);

test.before(async () => { server = await ImServer.start(); });
test.after(async () => {
  for (const r of raws) r.close();
  await Promise.all(clients.map((c) => c.close()));
  await server.stop();
});

for (const transport of ['websocket', 'comet']) {
  const opts = transport === 'comet' ? { connectionType: 'comet' } : {};
  const p = transport === 'comet' ? 'fc_' : 'fw_';

  test(`recall (${transport}): the sender may, the receiver may not; history shows the recall notice`, async () => {
    const a = await client(`A(${transport})`, p + 'ra', opts);
    const b = await client(`B(${transport})`, p + 'rb', opts);
    const m = await a.sendText(p + 'rb', 'oops, wrong chat');
    await b.waitForMessages(1);
    // B tries to recall A's message: refused.
    await assert.rejects(b.recall(m.messageUId), (e) => e.code === 25101);
    const recalled = await a.recall(m.messageUId);
    assert.ok(recalled.messageUId && recalled.messageUId !== m.messageUId);
    await b.waitFor(() => b.received.some((x) => x.objectName === 'RC:RcCmd'), 10_000, 'recall command');
    const cmd = b.received.find((x) => x.objectName === 'RC:RcCmd');
    assert.strictEqual(cmd.content.messageUId, m.messageUId);
    assert.strictEqual(cmd.senderUserId, p + 'ra');
    const h = await b.history(p + 'ra', 0, 10);
    assert.strictEqual(h.list.length, 1);
    assert.strictEqual(h.list[0].messageUId, m.messageUId);
    assert.strictEqual(h.list[0].objectName, 'RC:RcNtf');
    await assert.rejects(a.recall(m.messageUId), (e) => e.code === 25101, 'twice');
  });

  test(`typing (${transport}): reaches the online peer, is not stored`, async () => {
    const a = await client(`TA(${transport})`, p + 'ta', opts);
    const b = await client(`TB(${transport})`, p + 'tb', { ...opts, typingListener: true });
    // The listener gets [{conversationType, targetId, list: [{userId, ...}]}]. A typing
    // status is fire-and-forget: one that lands while the peer's pull is in flight is
    // dropped by the official client (§4.3), so, like a typing user, send it again.
    const seen = () => b.typing.some((changes) => changes.some((c) => c.list.some((u) => u.userId === p + 'ta')));
    for (let i = 0; i < 10 && !seen(); i++) {
      await a.sendTyping(p + 'tb');
      await sleep(600);
    }
    assert.ok(seen(), JSON.stringify(b.typing));
    const change = b.typing.flat().find((c) => c.list.some((u) => u.userId === p + 'ta'));
    assert.strictEqual(change.conversationType, PRIVATE);
    assert.strictEqual(change.targetId, p + 'ta');
    assert.strictEqual(change.list[0].messageType, 'RC:TxtMsg');
    assert.strictEqual(b.received.length, 0, 'not a message');
    // Not a message: not in history, no conversation.
    assert.strictEqual((await b.history(p + 'ta', 0, 10)).list.length, 0);
    assert.ok(!(await b.conversations()).some((c) => c.targetId === p + 'ta'));
  });
}

test('blacklist: the blocked sender gets 405 and nothing is delivered; the topics for clients that send them', async () => {
  const a = await client('BA', 'bl_a');
  const b = await client('BB', 'bl_b');
  assert.strictEqual((await server.api('/user/blacklist/add.json', { userId: 'bl_b', blackUserId: 'bl_a' })).status, 200);
  assert.deepStrictEqual((await server.api('/user/blacklist/query.json', { userId: 'bl_b' })).body.users, ['bl_a']);
  await assert.rejects(a.sendText('bl_b', 'can you hear me?'), (e) => e.code === 405);
  await b.sendText('bl_a', 'one way only');  // B may still write to A
  await a.waitForMessages(1);
  await sleep(300);
  assert.strictEqual(b.received.length, 0);
  await server.api('/user/blacklist/remove.json', { userId: 'bl_b', blackUserId: 'bl_a' });
  await a.sendText('bl_b', 'now?');
  await b.waitForMessages(1);

  // The official web client answers its blacklist calls locally (39002); the protocol
  // topics are there for clients that send them (Parley's SDK).
  const r = await RawClient.connect(server, (await server.getToken('bl_c')).token);
  raws.push(r);
  assert.strictEqual((await r.query('addBlack', 'bl_c', { userId: 'bl_a' })).status, 0);
  assert.deepStrictEqual((await r.query('qryBlack', 'bl_c', { nothing: 1 })).body.userIds, ['bl_a']);
  // blackStat answers a QueryBlackListOutput; an empty one (not listed) comes as bodyHex "".
  const listed = (ack) => (ack.bodyHex === '' ? [] : ack.body.userIds);
  assert.deepStrictEqual(listed(await r.query('blackStat', 'bl_c', { userId: 'bl_a' })), ['bl_a']);
  await assert.rejects(a.sendText('bl_c', 'hi c'), (e) => e.code === 405);
  assert.strictEqual((await r.query('rmBlack', 'bl_c', { userId: 'bl_a' })).status, 0);
  const stat = await r.query('blackStat', 'bl_c', { userId: 'bl_a' });
  assert.strictEqual(stat.status, 0);
  assert.deepStrictEqual(listed(stat), []);
});

test('two devices of one user: the second sees the first one\'s send as its own message (sync copy)', async () => {
  const a1 = await client('A1', 'md_a');
  const a2 = await client('A2(comet)', 'md_a', { connectionType: 'comet' });
  const b = await client('MB', 'md_b');
  const m = await a1.sendText('md_b', 'sent from device 1');
  await b.waitForMessages(1);
  await a2.waitForMessages(1);
  const copy = a2.received[0];
  assert.strictEqual(copy.messageUId, m.messageUId);
  assert.strictEqual(copy.sentTime, m.sentTime);
  assert.strictEqual(copy.messageDirection, 1);
  assert.strictEqual(copy.senderUserId, 'md_a');
  assert.strictEqual(copy.targetId, 'md_b');
  assert.strictEqual(copy.content.content, 'sent from device 1');
  // B answers: both devices get it.
  await b.sendText('md_a', 'to both');
  await a1.waitForMessages(1);
  await a2.waitForMessages(2);
  await sleep(300);
  assert.strictEqual(a2.received.length, 2, 'no duplicate of the sync copy');
});

test('one session per user: a new login kicks the old client (statuses 2 then 6), also on comet', async () => {
  const s = await ImServer.start({ appKey: 'single-app', args: ['--single-session', 'single-app'] });
  try {
    const first = await client('FIRST(comet)', 'solo', { connectionType: 'comet' }, s);
    const second = await client('SECOND', 'solo', {}, s);
    await first.waitFor(() => first.statuses.includes(Status.KICKED), 10_000, 'kicked');
    // (a comet client reports CONNECTED twice on connect, §5)
    const tail = first.statuses.slice(first.statuses.lastIndexOf(Status.CONNECTED) + 1);
    assert.deepStrictEqual(tail, [Status.DISCONNECTED, Status.KICKED]);
    assert.strictEqual(second.statuses[second.statuses.length - 1], Status.CONNECTED);
    const peer = await client('PEER', 'solo_peer', {}, s);
    await peer.sendText('solo', 'who gets it?');
    await second.waitForMessages(1);
    await sleep(1000);
    assert.strictEqual(first.received.length, 0, 'the kicked client stays off');
    assert.deepStrictEqual(first.statuses.slice(-2), [Status.DISCONNECTED, Status.KICKED], 'no reconnect');
  } finally {
    await s.stop();
  }
});

test('a blocked user is disconnected (2 then 9) and refused until unblocked', async () => {
  const u = await client('BLOCKED', 'bad_user');
  const res = await server.api('/user/block.json', { userId: 'bad_user', minute: 10 });
  assert.deepStrictEqual(res, { status: 200, body: { code: 200 } });
  await u.waitFor(() => u.statuses.includes(Status.BLOCKED), 10_000, 'blocked');
  assert.deepStrictEqual(u.statuses.slice(-2), [Status.DISCONNECTED, Status.BLOCKED]);
  const query = await server.api('/user/block/query.json', {});
  assert.ok(query.body.users.some((x) => x.userId === 'bad_user'));
  const again = await client('BLOCKED2', null);
  await assert.rejects(again.connect((await server.getToken('bad_user')).token), (e) => e.code === 30002);
  await server.api('/user/unblock.json', { userId: 'bad_user' });
  const after = await client('UNBLOCKED', 'bad_user');
  assert.strictEqual(after.statuses[after.statuses.length - 1], Status.CONNECTED);
});

test('sending faster than the session rate is answered 20604', async () => {
  const s = await ImServer.start({ config: { limits: { send_rate_per_second: 2, send_burst: 3 } } });
  try {
    const a = await client('FAST', 'fast', {}, s);
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => a.sendText('slow', `m${i}`)));
    const refused = results.filter((r) => r.status === 'rejected');
    assert.ok(results.filter((r) => r.status === 'fulfilled').length >= 3);
    assert.ok(refused.length >= 3, JSON.stringify(results.map((r) => r.status)));
    assert.ok(refused.every((r) => r.reason.code === 20604), JSON.stringify(refused.map((r) => r.reason.code)));
    await sleep(1100);
    await a.sendText('slow', 'after a pause');  // the bucket refills
  } finally {
    await s.stop();
  }
});

test('messages published by the server API reach the official client like user ones', async () => {
  const b = await client('API-B', 'api_b');
  let res = await server.api('/message/system/publish.json', {
    fromUserId: 'system', toUserId: ['api_b', 'api_offline'], objectName: 'RC:TxtMsg',
    content: JSON.stringify({ content: 'maintenance at 2am' }),
  });
  assert.strictEqual(res.status, 200);
  assert.strictEqual(res.body.messageUIDs.length, 2);
  await b.waitForMessages(1);
  assert.strictEqual(b.received[0].conversationType, SYSTEM);
  assert.strictEqual(b.received[0].senderUserId, 'system');
  assert.strictEqual(b.received[0].messageUId, res.body.messageUIDs[0].messageUID);

  res = await server.api('/message/private/publish.json', {
    fromUserId: 'api_bot', toUserId: 'api_b', objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'from the bot' }),
  });
  await b.waitForMessages(2);
  assert.strictEqual(b.received[1].conversationType, PRIVATE);
  assert.strictEqual(b.received[1].targetId, 'api_bot');

  await server.api('/group/create.json', { userId: ['api_b', 'api_c'], groupId: 'api_group', groupName: 'G' });
  res = await server.api('/message/group/publish.json', {
    fromUserId: 'api_bot', toGroupId: 'api_group', objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'to the group' }),
  });
  assert.strictEqual(res.body.messageUIDs[0].groupId, 'api_group');
  await b.waitForMessages(3);
  assert.strictEqual(b.received[2].conversationType, GROUP);
  assert.strictEqual(b.received[2].targetId, 'api_group');
  assert.deepStrictEqual(texts(b), ['maintenance at 2am', 'from the bot', 'to the group']);
  assert.strictEqual((await server.api('/user/checkOnline.json', { userId: 'api_b' })).body.status, '1');
  assert.strictEqual((await server.api('/user/checkOnline.json', { userId: 'api_offline' })).body.status, '0');
});
