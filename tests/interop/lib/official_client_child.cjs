'use strict';
// One official client (@rongcloud/imlib-v2 2.9.2 on @rongcloud/engine 4.4.2) in its own
// process: imlib is a singleton per module instance and keeps state in globals (window,
// localStorage), so two users in one test are two processes. Driven by official_client.cjs
// over the IPC channel: {id, cmd, args} -> {id, ok, value | error}; events are pushed as
// {event: 'status' | 'message', value}.
//
// Node globals per PROTOCOL.md §9, defined before the library loads.

const http = require('http');
const https = require('https');

class MemoryStorage {
  constructor(initial) { Object.assign(this, initial || {}); }
  getItem(key) { return Object.prototype.hasOwnProperty.call(this, key) ? String(this[key]) : null; }
  setItem(key, value) { this[key] = String(value); }
  removeItem(key) { delete this[key]; }
  clear() { for (const k of Object.keys(this)) delete this[k]; }
  key(i) { return Object.keys(this)[i] ?? null; }
  get length() { return Object.keys(this).length; }
}

// Enough XMLHttpRequest for navi, /ping (and comet): the engine uses open, setRequestHeader,
// send, onreadystatechange/readyState/status/responseText, onerror, withCredentials.
class NodeXMLHttpRequest {
  constructor() {
    this.readyState = 0;
    this.status = 0;
    this.responseText = '';
    this.withCredentials = false;
    this.timeout = 0;
    this.onreadystatechange = null;
    this.onerror = null;
    this.onload = null;
    this.ontimeout = null;
    this._headers = {};
  }
  open(method, url) { this._method = method; this._url = url; this.readyState = 1; }
  setRequestHeader(k, v) { this._headers[k] = v; }
  overrideMimeType() {}
  getAllResponseHeaders() { return ''; }
  getResponseHeader() { return null; }
  abort() { if (this._req) this._req.destroy(); }
  _finish(status, text, error) {
    if (this.readyState === 4) return;
    this.status = status;
    this.responseText = text;
    this.readyState = 4;
    if (this.onreadystatechange) this.onreadystatechange();
    if (error) { if (this.onerror) this.onerror(error); } else if (this.onload) this.onload();
  }
  send(body) {
    const url = new URL(this._url);
    const mod = url.protocol === 'https:' ? https : http;
    // No keep-alive agent: a socket kept from before a server restart would fail the next request.
    const req = mod.request(url, { method: this._method, headers: this._headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => this._finish(res.statusCode, Buffer.concat(chunks).toString('utf8')));
      res.on('error', (e) => this._finish(0, '', e));
    });
    this._req = req;
    req.on('error', (e) => this._finish(0, '', e));
    if (this.timeout) req.setTimeout(this.timeout, () => { req.destroy(); if (this.ontimeout) this.ontimeout(); });
    if (body !== undefined && body !== null) req.write(body);
    req.end();
  }
}

const storage = new MemoryStorage();
globalThis.window = globalThis;
globalThis.localStorage = storage;
globalThis.sessionStorage = new MemoryStorage();
if (typeof globalThis.navigator === 'undefined') globalThis.navigator = { userAgent: 'parley-interop-node' };
globalThis.XMLHttpRequest = NodeXMLHttpRequest;
globalThis.WebSocket = require('ws');

// The engine logs through console; keep the parent's output readable (stderr is captured).
const quiet = (...a) => { if (process.env.PARLEY_CLIENT_LOGS) process.stderr.write(a.join(' ') + '\n'); };
console.log = quiet; console.info = quiet; console.debug = quiet; console.warn = quiet;

const RongIMLib = require('@rongcloud/imlib-v2');
const { RongIMClient } = RongIMLib;

function send(msg) { if (process.connected) process.send(msg); }

// What tests look at, as plain JSON.
function simplify(m) {
  return {
    messageUId: m.messageUId,
    sentTime: m.sentTime,
    senderUserId: m.senderUserId,
    targetId: m.targetId,
    conversationType: m.conversationType,
    messageType: m.messageType,
    objectName: m.objectName,
    content: m.content,
    messageDirection: m.messageDirection,
    offLineMessage: m.offLineMessage,
    receivedStatus: m.receivedStatus,
  };
}

function callback(resolve, reject, map = (x) => x) {
  return {
    onSuccess: (...a) => resolve(map(...a)),
    onError: (code, extra) => reject({ code, detail: extra && extra.messageUId ? undefined : extra }),
  };
}

const commands = {
  init({ appKey, navi, storage: initial }) {
    if (initial) Object.assign(storage, initial);
    RongIMClient.init(appKey, null, { navi, logLevel: RongIMLib.LogLevel.NONE, indexDBSwitch: false });
    RongIMClient.setConnectionStatusListener({ onChanged: (status) => send({ event: 'status', value: status }) });
    RongIMClient.setOnReceiveMessageListener({
      onReceived: (message, left, hasMore) => send({ event: 'message', value: simplify(message), left, hasMore }),
    });
    return true;
  },
  connect(token) {
    return new Promise((resolve, reject) => {
      RongIMClient.connect(token, {
        onSuccess: (userId) => resolve({ userId }),
        onTokenIncorrect: () => reject({ code: 'tokenIncorrect' }),
        onError: (code) => reject({ code }),
      });
    });
  },
  sendText(targetId, text, type = RongIMLib.ConversationType.PRIVATE) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().sendMessage(type, targetId, new RongIMLib.TextMessage({ content: text }),
        callback(resolve, reject, simplify));
    });
  },
  sendReadReceipt(targetId, messageUId, lastMessageSendTime) {
    return new Promise((resolve, reject) => {
      const msg = new RongIMLib.ReadReceiptMessage({ messageUId, lastMessageSendTime, type: 1 });
      RongIMClient.getInstance().sendMessage(RongIMLib.ConversationType.PRIVATE, targetId, msg,
        callback(resolve, reject, simplify));
    });
  },
  history(targetId, timestamp, count, order = 0) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().getHistoryMessages(RongIMLib.ConversationType.PRIVATE, targetId, timestamp, count,
        callback(resolve, reject, (list, hasMore) => ({ list: list.map(simplify), hasMore })), undefined, order);
    });
  },
  conversations(count = 100) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().getConversationList(callback(resolve, reject, (list) => list.map((c) => ({
        conversationType: c.conversationType,
        targetId: c.targetId,
        unreadMessageCount: c.unreadMessageCount,
        latestMessage: c.latestMessage ? simplify(c.latestMessage) : null,
        sentTime: c.sentTime,
      }))), null, count);
    });
  },
  unreadCount(targetId) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().getUnreadCount(RongIMLib.ConversationType.PRIVATE, targetId, callback(resolve, reject));
    });
  },
  clearUnread(targetId) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().clearUnreadCount(RongIMLib.ConversationType.PRIVATE, targetId, callback(resolve, reject));
    });
  },
  removeConversation(targetId) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().removeConversation(RongIMLib.ConversationType.PRIVATE, targetId, callback(resolve, reject, () => true));
    });
  },
  disconnect() {
    RongIMClient.getInstance().disconnect();
    return true;
  },
  storage() { return { ...storage }; },
};

process.on('message', async ({ id, cmd, args }) => {
  try {
    if (!commands[cmd]) throw { code: 'unknown command ' + cmd };
    const value = await commands[cmd](...(args || []));
    send({ id, ok: true, value });
  } catch (error) {
    send({ id, ok: false, error: error instanceof Error ? { message: error.message, stack: error.stack } : error });
  }
});
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (e) => { process.stderr.write('uncaught: ' + (e && e.stack || e) + '\n'); });
send({ event: 'ready' });
