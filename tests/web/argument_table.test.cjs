'use strict';
// The argument table: every public asynchronous method, called with missing, wrong-typed
// and oversize arguments, in callback form and in Promise form, answers an error code
// (PARAMETER_ERROR, or the official code: 30016 for content over 128 KB, 33001 before
// init) and never throws into the caller. Nothing reaches the wire (no server here: a
// navi that does not exist, and the answers come before any connect). Prints the count.
const test = require('node:test');
const assert = require('node:assert/strict');
const { FLAVOURS, loadParley, fakeWebSocketClass, fakeXhrClass } = require('./lib/harness.cjs');

const S = 'x';
const BIG = 'y'.repeat(131073);
const bads = {
  type: [undefined, null, '1', 1.5, 99, {}, []],
  target: [undefined, null, '', 5, {}, 'z'.repeat(65)],
  str: [undefined, null, '', 5, {}],
  num: [undefined, null, 'a', NaN, {}],
  arr: ['a', 5, {}, [null]],
};

// [method, build(args for a valid call), [[argIndex, badValues]...]]
function table(P) {
  const msg = new P.TextMessage({ content: 'hi' });
  const sent = { conversationType: 1, targetId: 'u', messageUId: 'U', sentTime: 1 };
  return [
    ['sendMessage', (cb) => [1, 'u', msg, cb], [[0, bads.type], [1, bads.target], [2, [undefined, null, 'msg', 5, { objectName: 'RC:TxtMsg' }, { content: {} }]],
      [4, ['yes', 1]], [5, [5, {}]], [6, [5, {}]]]],
    ['sendTextMessage', (cb) => [1, 'u', 'hi', cb], [[0, bads.type], [1, bads.target], [2, [undefined, null, 5, {}]]]],
    ['sendTypingStatusMessage', (cb) => [1, 'u', 'RC:TxtMsg', cb], [[0, bads.type], [1, bads.target], [2, bads.str]]],
    ['sendRecallMessage', (cb) => [sent, cb], [[0, [undefined, null, 'm', {}, { ...sent, messageUId: 5 }, { ...sent, sentTime: 'x' }, { ...sent, targetId: '' }]]]],
    ['sendReadReceiptMessage', (cb) => [['U'], 'g', cb], [[0, [undefined, null, 'U', [], [5]]], [1, bads.str]]],
    ['getConversationList', (cb) => [cb, [1], 10], [[1, bads.arr], [2, ['10', {}, -1]]], 0],
    ['getConversation', (cb) => [1, 'u', cb], [[0, bads.type], [1, bads.target]]],
    ['removeConversation', (cb) => [1, 'u', cb], [[0, bads.type], [1, bads.target]]],
    ['clearConversations', (cb) => [cb, [1]], [[1, bads.arr]], 0],
    ['setConversationStatus', (cb) => [1, 'u', { isTop: true }, cb], [[0, bads.type], [1, bads.target], [2, [undefined, null, 'top', { isTop: 'yes' }, { notificationStatus: 0 }]]]],
    ['setConversationToTop', (cb) => [1, 'u', true, cb], [[0, bads.type], [1, bads.target], [2, [undefined, 'true', 1]]]],
    ['setConversationNotificationStatus', (cb) => [1, 'u', 1, cb], [[0, bads.type], [1, bads.target], [2, [undefined, 0, 3, '1']]]],
    ['getConversationNotificationStatus', (cb) => [1, 'u', cb], [[0, bads.type], [1, bads.target]]],
    ['getTotalUnreadCount', (cb) => [cb, [1], true], [[1, bads.arr], [2, ['yes', 1]]], 0],
    ['getUnreadCount', (cb) => [1, 'u', cb], [[0, bads.type], [1, bads.target]]],
    ['getConversationUnreadCount', (cb) => [[1], cb], [[0, [undefined, null, 1, 'a', [null]]]]],
    ['clearUnreadCount', (cb) => [1, 'u', cb], [[0, bads.type], [1, bads.target]]],
    ['getHistoryMessages', (cb) => [1, 'u', 0, 20, cb], [[0, bads.type], [1, bads.target], [2, bads.num.concat([-1])], [3, bads.num.concat([0, 101])]]],
    ['getRemoteHistoryMessages', (cb) => [1, 'u', 0, 20, cb], [[0, bads.type], [1, bads.target], [2, bads.num], [3, bads.num]]],
    ['clearRemoteHistoryMessages', (cb) => [{ conversationType: 1, targetId: 'u', timestamp: 1 }, cb], [[0, [undefined, null, 'p', {}, { conversationType: 1, targetId: 'u' }]]]],
    ['deleteRemoteMessages', (cb) => [1, 'u', [{ messageUId: 'U', sentTime: 1, messageDirection: 1 }], cb], [[0, bads.type], [1, bads.target], [2, [undefined, null, [], ['U'], [{ messageUId: 5, sentTime: 1 }]]]]],
    ['joinChatRoom', (cb) => [S, 10, cb], [[0, bads.str], [1, bads.num.concat([51])]]],
    ['quitChatRoom', (cb) => [S, cb], [[0, bads.str]]],
    ['getChatRoomInfo', (cb) => [S, 10, 1, cb], [[0, bads.str], [1, bads.num.concat([21])], [2, [undefined, 0, 3, '1']]]],
    ['getChatRoomHistoryMessages', (cb) => [S, 10, 0, cb], [[0, bads.str], [1, bads.num], [2, [undefined, 2, '0']]]],
    ['addToBlacklist', (cb) => [S, cb], [[0, bads.str]]],
    ['removeFromBlacklist', (cb) => [S, cb], [[0, bads.str]]],
    ['getBlacklistStatus', (cb) => [S, cb], [[0, bads.str]]],
    ['resendMessage', (cb) => [1, cb], [[0, bads.num]]],
    ['deleteLocalMessages', (cb) => [1, 'u', [1], cb], [[2, [undefined, null, 1, [], ['1'], [1.5]]]]],
  ];
}

// Calls client[method](...args) and resolves the error code it answers (callback form when
// `cb` is true). Fails the test on a synchronous throw or a success.
async function errorCode(client, method, build, index, value, cb) {
  let answer;
  const done = new Promise((resolve) => { answer = resolve; });
  const callback = cb ? { onSuccess: () => answer('success'), onError: (code) => answer(code) } : undefined;
  const args = build(callback);
  args[index] = value;
  let ret;
  try {
    ret = client[method](...args);
  } catch (e) {
    return `threw ${e}`;
  }
  if (!cb) {
    if (!ret || typeof ret.then !== 'function') return 'no Promise';
    return ret.then(() => 'success', (e) => (e && typeof e.code === 'number' ? e.code : `rejected ${e}`));
  }
  if (ret !== undefined) {
    if (typeof ret.then === 'function') ret.catch(() => {});
    return 'callback form returned a value';
  }
  return Promise.race([done, new Promise((r) => setTimeout(() => r('no answer'), 2000))]);
}

for (const flavour of FLAVOURS) {
  test(`${flavour}: argument table: every bad argument answers an error code, never a throw`, async () => {
    const P = loadParley(flavour);
    const XHR = fakeXhrClass(() => ({ status: 503 }));
    const client = P.createClient();
    client.init('app', null, { navi: 'http://nowhere.test', WebSocket: fakeWebSocketClass(), XMLHttpRequest: XHR, storage: false, logLevel: 1000, signals: false });
    await client.ready();
    let cases = 0;
    const problems = [];
    for (const [method, build, slots] of table(P)) {
      for (const [index, values] of slots) {
        for (const value of values) {
          for (const cb of [true, false]) {
            const code = await errorCode(client, method, build, index, value, cb);
            cases++;
            if (code !== P.ErrorCode.PARAMETER_ERROR) problems.push(`${method} arg ${index}=${JSON.stringify(value)} (${cb ? 'callback' : 'promise'}): ${code}`);
          }
        }
      }
    }
    // Oversize content: the official code, in both forms.
    for (const cb of [true, false]) {
      const code = await errorCode(client, 'sendMessage', (c) => [1, 'u', new P.TextMessage({ content: BIG }), c], 2, new P.TextMessage({ content: BIG }), cb);
      cases++;
      if (code !== P.ErrorCode.RC_MSG_CONTENT_EXCEED_LIMIT) problems.push(`oversize (${cb ? 'callback' : 'promise'}): ${code}`);
    }
    // A callback that is not a callback object: a rejected Promise, never a throw.
    for (const bad of ['cb', 5, { onSuccess: 'x' }]) {
      let r;
      try { r = client.getUnreadCount(1, 'u', bad); } catch (e) { r = null; }
      cases++;
      const code = r && typeof r.then === 'function' ? await r.then(() => 'success', (e) => e.code) : 'threw';
      if (code !== P.ErrorCode.PARAMETER_ERROR) problems.push(`bad callback ${JSON.stringify(bad)}: ${code}`);
    }
    // Before init: BIZ_ERROR_CLIENT_NOT_INIT, in both forms; sync methods answer defaults.
    const fresh = P.createClient();
    for (const cb of [true, false]) {
      const code = await errorCode(fresh, 'getUnreadCount', (c) => [1, 'u', c], 0, 1, cb);
      cases++;
      if (code !== P.ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT) problems.push(`before init (${cb ? 'callback' : 'promise'}): ${code}`);
    }
    assert.equal(fresh.getCurrentUserId(), '');
    assert.equal(fresh.getCurrentConnectionStatus(), P.ConnectionStatus.DISCONNECTED);
    assert.equal(fresh.saveTextMessageDraft(1, 'u', 'd'), false);
    assert.equal(client.saveTextMessageDraft(null, 'u', 'd'), false);
    assert.equal(client.getTextMessageDraft(1, 5), undefined);
    // Sync methods with junk: no throw.
    const quiet = P.createClient();
    for (const junk of [undefined, null, 5, 'x', {}]) {
      client.registerMessageType(junk, junk, junk, junk);
      client.setConnectionStatusListener(junk);
      quiet.init(junk, null, { logLevel: P.LogLevel.NONE });
      cases += 3;
    }
    // connect: empty token -> onTokenIncorrect; bad callbacks -> rejected Promise.
    let tokenIncorrect = 0;
    await client.connect('', { onTokenIncorrect: () => tokenIncorrect++, onError: () => {} });
    assert.equal(tokenIncorrect, 1);
    assert.equal(await client.connect(5).then(() => 0, (e) => e.code), P.ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR);
    assert.equal(await client.connect('t', 'cb').then(() => 0, (e) => e.code), P.ErrorCode.PARAMETER_ERROR);
    cases += 3;
    console.log(`# ${flavour}: argument table: ${cases} cases, ${problems.length} problems`);
    assert.deepEqual(problems, []);
    assert.equal(XHR.requests.filter((x) => !x.url.includes('nowhere.test')).length, 0, 'nothing but the failed navi left the client');
    await client.disconnect();
    client.destroy();
  });
}
