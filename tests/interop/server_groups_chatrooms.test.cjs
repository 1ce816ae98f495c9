// Groups and chatrooms against the official client: a three-member group made with the
// signed server API (fan-out, a non-member refused with 22406, the mention flag set for
// the mentioned member only, group conversation and history, group read receipts with
// navi grpRRVer 1), on WebSocket and comet; a chatroom with 20 members (official clients
// and raw protocol sessions) where one leaves and one drops, info, history.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { ImServer, sleep } = require('./lib/imserver_process.cjs');
const { OfficialClient } = require('./lib/official_client.cjs');
const { RawClient } = require('./lib/raw_client.cjs');

const GROUP = 3, CHATROOM = 4;

let server;
const clients = [];
const raws = [];
async function client(name, userId, opts = {}) {
  const c = await OfficialClient.start({ name, appKey: server.appKey, navi: server.naviUrl, ...opts });
  clients.push(c);
  await c.connect((await server.getToken(userId)).token);
  return c;
}
async function raw(userId) {
  const c = await RawClient.connect(server, (await server.getToken(userId)).token);
  raws.push(c);
  return c;
}
const texts = (c, type) => c.received.filter((m) => m.objectName === 'RC:TxtMsg' && (!type || m.conversationType === type))
  .map((m) => m.content.content);

test.before(async () => { server = await ImServer.start(); });
test.after(async () => {
  for (const r of raws) r.close();
  await Promise.all(clients.map((c) => c.close()));
  await server.stop();
});

for (const transport of ['websocket', 'comet']) {
  test(`three-member group (${transport}): fan-out, non-member refused, mention flag, history, read receipts`, async () => {
    const p = transport === 'comet' ? 'gc_' : 'gw_';
    const opts = transport === 'comet' ? { connectionType: 'comet' } : {};
    const [ua, ub, uc, ud] = ['a', 'b', 'c', 'd'].map((x) => p + x);
    const group = p + 'team';
    const created = await server.api('/group/create.json', { userId: [ua, ub, uc], groupId: group, groupName: 'Team' });
    assert.deepStrictEqual(created, { status: 200, body: { code: 200 } });
    const members = await server.api('/group/user/query.json', { groupId: group });
    assert.deepStrictEqual(members.body.users.map((u) => u.id), [ua, ub, uc]);

    const a = await client(`A(${transport})`, ua, opts);
    const b = await client(`B(${transport})`, ub, opts);
    const c = await client(`C(${transport})`, uc, opts);
    const d = await client(`D(${transport})`, ud, opts);

    // Fan-out to B and C.
    const hello = await a.sendText(group, 'hello team', GROUP);
    await b.waitForMessages(1);
    await c.waitForMessages(1);
    for (const x of [b, c]) {
      const m = x.received[0];
      assert.strictEqual(m.conversationType, GROUP);
      assert.strictEqual(m.targetId, group);
      assert.strictEqual(m.senderUserId, ua);
      assert.strictEqual(m.messageUId, hello.messageUId);
    }
    // Not a member: 22406 NOT_IN_GROUP.
    await assert.rejects(d.sendText(group, 'let me in', GROUP), (e) => e.code === 22406);

    // @B: only B's copy carries the mentioned bit.
    const mention = await a.sendMention(group, '@B look', [ub]);
    await b.waitFor(() => texts(b, GROUP).includes('@B look'), 10_000, 'mention');
    const got = b.received.find((m) => m.messageUId === mention.messageUId);
    assert.deepStrictEqual(got.content.mentionedInfo.userIdList, [ub]);
    for (const [user, mentioned] of [[ub, true], [uc, false]]) {
      const r = await raw(user);
      const h = await r.query('qryGMsg', user, { targetId: group, time: 0, count: 5, order: 0 });
      assert.strictEqual(h.status, 0);
      const copy = h.body.list.find((m) => m.msgId === mention.messageUId);
      assert.strictEqual(Boolean(Number(copy.status) & 64), mentioned, `${user}'s copy`);
    }

    // History and the group conversation.
    const history = await c.history(group, 0, 10, 0, GROUP);
    assert.deepStrictEqual(history.list.map((m) => m.content.content), ['hello team', '@B look']);
    const list = await c.conversations(10, [GROUP]);
    assert.ok(list.some((x) => x.targetId === group && x.conversationType === GROUP), JSON.stringify(list));

    // Group read receipts (grpRRVer 1): B reads; A learns it and can list the readers.
    await b.groupReadReceipt(group, [hello.messageUId]);
    await a.waitFor(() => a.received.some((m) => m.objectName === 'RC:RRMsg'), 10_000, 'RC:RRMsg');
    const update = a.received.find((m) => m.objectName === 'RC:RRMsg');
    assert.strictEqual(update.content.ouid, hello.messageUId);
    assert.strictEqual(update.content.readCount, 1);
    assert.strictEqual(update.content.totalCount, 3);
    const readers = await a.messageReader(group, hello.messageUId);
    assert.strictEqual(readers.totalMemberCount, 3);
    assert.deepStrictEqual(readers.list.map((r) => r.userId), [ub]);

    // Quit: C no longer receives; dismiss: nobody can send.
    await server.api('/group/quit.json', { userId: uc, groupId: group });
    const before = texts(c).length;
    await a.sendText(group, 'after C left', GROUP);
    await b.waitFor(() => texts(b, GROUP).includes('after C left'), 10_000, 'after quit');
    await sleep(300);
    assert.strictEqual(texts(c).length, before);
    await assert.rejects(c.sendText(group, 'still here?', GROUP), (e) => e.code === 22406);
    await server.api('/group/dismiss.json', { userId: ua, groupId: group });
    await assert.rejects(a.sendText(group, 'anyone?', GROUP), (e) => e.code === 22406);
  });
}

test('a chatroom with 20 members: fan-out, one leaves, one drops, info and history', async () => {
  const room = 'room20';
  // Three official clients (one on comet) and 17 protocol-level sessions.
  const x = await client('X', 'cr_x');
  const y = await client('Y', 'cr_y');
  const z = await client('Z(comet)', 'cr_z', { connectionType: 'comet' });
  for (const c of [x, y, z]) await c.joinChatRoom(room, -1);
  const others = [];
  for (let i = 0; i < 17; i++) {
    const r = await raw(`cr_raw${i}`);
    const ack = await r.query('joinChrm', room, { nothing: 1 });
    assert.strictEqual(ack.status, 0);
    others.push(r);
  }
  const info = await x.chatRoomInfo(room, 20, 1);
  assert.strictEqual(info.userTotalNums, 20, JSON.stringify(info));
  assert.strictEqual(info.userInfos.length, 20);

  const countNotices = (r) => r.frames.filter((f) => f.type === 'PUBLISH' && f.topic === 's_ntf' && f.body && f.body.type === 2).length;
  const m1 = await x.sendText(room, 'hello room', CHATROOM);
  await y.waitFor(() => texts(y, CHATROOM).includes('hello room'), 10_000, 'room message');
  await z.waitFor(() => texts(z, CHATROOM).includes('hello room'), 10_000, 'room message (comet)');
  assert.strictEqual(y.received.find((m) => m.content.content === 'hello room').messageUId, m1.messageUId);
  for (const r of others) await r.waitForFrame(() => countNotices(r) >= 1);
  assert.ok(!texts(x, CHATROOM).includes('hello room'), 'not echoed to its sender');

  // Y leaves, one raw member drops: 18 remain, neither gets the next message.
  await y.quitChatRoom(room);
  others[0].close();
  await sleep(300);
  assert.strictEqual((await x.chatRoomInfo(room, 20, 1)).userTotalNums, 18);
  await z.sendText(room, 'second', CHATROOM);
  await x.waitFor(() => texts(x, CHATROOM).includes('second'), 10_000, 'second');
  for (const r of others.slice(1)) await r.waitForFrame(() => countNotices(r) >= 2);
  await sleep(500);
  assert.ok(!texts(y, CHATROOM).includes('second'), 'Y left the room');
  await assert.rejects(y.sendText(room, 'let me back', CHATROOM), (e) => e.code === 23406);

  const history = await x.chatRoomHistory(room, 10, 0);
  assert.deepStrictEqual(history.list.map((m) => m.content.content).sort(), ['hello room', 'second']);
});
