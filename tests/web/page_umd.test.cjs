'use strict';
// A "page": parley.umd.js evaluated as a classic script (no module, no require; the global
// `Parley` appears), served over HTTP with its parley.wasm next to it, with the browser
// globals a page has (window, document.currentScript, WebSocket, XMLHttpRequest,
// localStorage, fetch). The page code is v2 code from seed 001 §七, after one line:
// `var RongIMLib = Parley`. It runs against a real imserver; the peer is a second client.
// Release package only: that is what ships (the debug package wraps node-enabled glue).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const http = require('http');
const path = require('path');
const vm = require('vm');
const { ImServer } = require('../interop/lib/imserver_process.cjs');
const { packageDir, NodeWebSocket, NodeXMLHttpRequest, StubStorage, waitFor, realClient } = require('./lib/harness.cjs');

// A static server for build/web, wasm as application/wasm (streaming compile).
function serve(dir) {
  const srv = http.createServer((req, res) => {
    const file = path.join(dir, path.basename(new URL(req.url, 'http://x').pathname));
    if (!fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    const type = file.endsWith('.wasm') ? 'application/wasm' : 'application/javascript';
    res.writeHead(200, { 'Content-Type': type });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

test('a page with <script src="parley.umd.js"> runs the v2 calls of seed 001 §七', async () => {
  const server = await ImServer.start();
  const files = await serve(packageDir('release'));
  const base = `http://127.0.0.1:${files.address().port}`;
  try {
    // The page's globals.
    const storage = new StubStorage();
    globalThis.window = globalThis;
    globalThis.localStorage = storage;
    globalThis.WebSocket = NodeWebSocket();
    globalThis.XMLHttpRequest = NodeXMLHttpRequest;
    globalThis.document = { currentScript: { src: `${base}/parley.umd.js` }, visibilityState: 'visible' };
    const code = await (await fetch(`${base}/parley.umd.js`)).text();
    vm.runInThisContext(code, { filename: 'parley.umd.js' });  // a classic script
    globalThis.document.currentScript = null;                  // as after the script ran
    assert.equal(typeof globalThis.Parley, 'object', 'the script defines the global Parley');

    const peerToken = (await server.getToken('page-peer')).token;
    const pageToken = (await server.getToken('page-user')).token;
    const peer = realClient(globalThis.Parley, server);
    await peer.connect(peerToken);

    // ---- the page (v2 code, seed 001 §七) ----
    const log = [];
    const page = new Function('appkey', 'navi', 'token', 'log', `
      var RongIMLib = Parley;
      var RongIMClient = RongIMLib.RongIMClient;
      RongIMClient.init(appkey, null, { navi: navi });
      RongIMClient.setConnectionStatusListener({
        onChanged: function (status) {
          switch (status) {
            case RongIMLib.ConnectionStatus.CONNECTED: log.push('connected'); break;
            case RongIMLib.ConnectionStatus.CONNECTING: log.push('connecting'); break;
            case RongIMLib.ConnectionStatus.DISCONNECTED: log.push('disconnected'); break;
            default: log.push('status ' + status);
          }
        }
      });
      RongIMClient.setOnReceiveMessageListener({
        onReceived: function (message) {
          if (message.messageType === RongIMClient.MessageType.TextMessage) log.push('text ' + message.content.content);
          else log.push('message ' + message.messageType);
        }
      });
      return new Promise(function (done, fail) {
        RongIMClient.connect(token, {
          onSuccess: function (userId) {
            log.push('user ' + userId);
            var msg = new RongIMLib.TextMessage({ content: 'hello RongCloud!', extra: '附加信息' });
            RongIMClient.getInstance().sendMessage(RongIMLib.ConversationType.PRIVATE, 'page-peer', msg, {
              onSuccess: function (message) {
                log.push('sent ' + (message.messageUId ? 'with uid' : 'without uid'));
                RongIMClient.getInstance().getConversationList({
                  onSuccess: function (list) {
                    log.push('conversations ' + list.length + ' ' + list[0].targetId);
                    RongIMLib.RongIMClient.getInstance().getRemoteHistoryMessages({
                      conversationType: RongIMLib.ConversationType.PRIVATE, targetId: 'page-peer', timestamp: 0
                    }, {
                      onSuccess: function (list, hasMore) {
                        log.push('history ' + list.length + ' ' + hasMore);
                        RongIMClient.getInstance().getHistoryMessages(RongIMLib.ConversationType.PRIVATE, 'page-peer', 0, 20, {
                          onSuccess: function (list2) {
                            log.push('history2 ' + list2.length);
                            done();
                          },
                          onError: fail
                        });
                      },
                      onError: fail
                    });
                  },
                  onError: fail
                }, [RongIMLib.ConversationType.PRIVATE], 150);
              },
              onError: function (errorCode) { fail(errorCode); }
            });
          },
          onTokenIncorrect: function () { fail('token'); },
          onError: function (errorCode) { fail(errorCode); }
        });
      });
    `);
    await page(server.appKey, server.naviUrl, pageToken, log);
    assert.deepEqual(log, ['connecting', 'connected', 'user page-user', 'sent with uid', 'conversations 1 page-peer', 'history 1 false', 'history2 1']);
    await waitFor(() => peer.received.length === 1, { what: 'peer receives' });
    assert.deepEqual(peer.received[0].content, { content: 'hello RongCloud!', extra: '附加信息' });

    // The peer answers; the page counts unread, clears it, disconnects and reconnects.
    await peer.sendTextMessage(1, 'page-user', '你好 page');
    await waitFor(() => log.includes('text 你好 page'), { what: 'page receives' });
    const P = globalThis.Parley;
    const cb = (fn) => new Promise((resolve, reject) => fn({ onSuccess: resolve, onError: reject }));
    const inst = P.RongIMClient.getInstance();
    assert.equal(await cb((c) => inst.getUnreadCount(P.ConversationType.PRIVATE, 'page-peer', c)), 1);
    assert.equal(await cb((c) => inst.clearUnreadCount(P.ConversationType.PRIVATE, 'page-peer', c)), true);
    assert.equal(await cb((c) => inst.getTotalUnreadCount(c)), 0);
    await inst.disconnect();
    assert.equal(inst.getCurrentConnectionStatus(), P.ConnectionStatus.DISCONNECTED);
    const userId = await cb((c) => P.RongIMClient.reconnect({ onSuccess: c.onSuccess, onTokenIncorrect: () => c.onError('token'), onError: c.onError },
      { auto: true, url: 'cdn.ronghub.com/RongIMLib-2.2.6.min.js?d=' + Date.now(), rate: [100, 1000, 3000, 6000, 10000] }));
    assert.equal(userId, 'page-user');
    assert.equal(inst.getCurrentUserId(), 'page-user');
    assert.ok(Array.from(storage.data.keys()).some((k) => k.startsWith(`parley/${server.appKey}/page-user/`)), 'state in localStorage');
    await inst.disconnect();
    await peer.disconnect();
    peer.destroy();
    P.RongIMClient.destroy();
  } finally {
    files.close();
    await server.stop();
  }
});
