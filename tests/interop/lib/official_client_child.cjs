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
let httpJitterMs = 0;  // init({ httpJitterMs }): responses delayed by a random 0..n ms
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
      res.on('end', () => {
        const finish = () => this._finish(res.statusCode, Buffer.concat(chunks).toString('utf8'));
        if (httpJitterMs > 0) setTimeout(finish, Math.random() * httpJitterMs);
        else finish();
      });
      res.on('error', (e) => this._finish(0, '', e));
    });
    this._req = req;
    req.on('error', (e) => this._finish(0, '', e));
    if (this.timeout) req.setTimeout(this.timeout, () => { req.destroy(); if (this.ontimeout) this.ontimeout(); });
    // As a browser does: no body on GET/HEAD (the engine passes {pid} to its comet GETs),
    // other values as their string form.
    const method = String(this._method || 'GET').toUpperCase();
    if (body !== undefined && body !== null && method !== 'GET' && method !== 'HEAD') {
      req.write(typeof body === 'string' || body instanceof Uint8Array ? body : String(body));
    }
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

// Loaded by `init`, so that a test can take WebSocket away before the library sees it
// (the official client then falls back to long polling by itself, §5).
let RongIMLib, RongIMClient;
function load({ noWebSocket } = {}) {
  if (RongIMLib) return;
  if (noWebSocket) delete globalThis.WebSocket;
  RongIMLib = require('@rongcloud/imlib-v2');
  RongIMClient = RongIMLib.RongIMClient;
}
// Messages as the library gave them (sent and received), by UID: recall needs the object.
const rawByUid = new Map();
function remember(m) {
  if (Array.isArray(m)) m.forEach(remember);
  else if (m && m.messageUId) rawByUid.set(m.messageUId, m);
  return m;
}

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
    isMentioned: m.isMentioned,
  };
}

function typeOf(type) { return type == null ? RongIMLib.ConversationType.PRIVATE : type; }  // (IPC turns undefined into null)

function callback(resolve, reject, map = (x) => x) {
  return {
    onSuccess: (...a) => { remember(a[0]); resolve(map(...a)); },
    onError: (code, extra) => reject({ code, detail: extra && extra.messageUId ? undefined : extra }),
  };
}

const commands = {
  init({ appKey, navi, storage: initial, connectionType, noWebSocket, typingListener, httpJitterMs: jitter }) {
    httpJitterMs = jitter || 0;
    load({ noWebSocket });
    if (initial) Object.assign(storage, initial);
    const options = { navi, logLevel: RongIMLib.LogLevel.NONE, indexDBSwitch: false };
    if (connectionType) options.connectionType = connectionType;
    RongIMClient.init(appKey, null, options);
    RongIMClient.setConnectionStatusListener({ onChanged: (status) => send({ event: 'status', value: status }) });
    RongIMClient.setOnReceiveMessageListener({
      onReceived: (message, left, hasMore) => {
        remember(message);
        send({ event: 'message', value: simplify(message), left, hasMore });
      },
    });
    // With a typing listener the library hands typing statuses to it instead of onReceived.
    if (typingListener) {
      RongIMClient.setTypingStatusListener({
        onChanged: (list) => send({ event: 'typing', value: JSON.parse(JSON.stringify(list || [])) }),
      });
    }
    return { webSocket: typeof globalThis.WebSocket !== 'undefined' };
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
  sendText(targetId, text, type) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().sendMessage(typeOf(type), targetId, new RongIMLib.TextMessage({ content: text }),
        callback(resolve, reject, simplify));
    });
  },
  // A group text mentioning users (mentionedType 1 everyone, 2 the listed users).
  sendMention(groupId, text, userIdList, mentionedType) {
    return new Promise((resolve, reject) => {
      const type = mentionedType == null ? 2 : mentionedType;  // (IPC turns undefined into null)
      const msg = new RongIMLib.TextMessage({ content: text, mentionedInfo: { type, userIdList } });
      RongIMClient.getInstance().sendMessage(RongIMLib.ConversationType.GROUP, groupId, msg,
        callback(resolve, reject, simplify), true);
    });
  },
  sendTyping(targetId, type) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().sendTypingStatusMessage(typeOf(type), targetId, 'RC:TxtMsg',
        callback(resolve, reject, () => true));
    });
  },
  // Recalls a message this client sent or received (by UID).
  recall(messageUId) {
    return new Promise((resolve, reject) => {
      const m = rawByUid.get(messageUId);
      if (!m) return reject({ code: 'unknown message ' + messageUId });
      RongIMClient.getInstance().sendRecallMessage(m, callback(resolve, reject, simplify));
    });
  },
  groupReadReceipt(groupId, messageUIds) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().sendReadReceiptMessage(messageUIds, groupId, callback(resolve, reject, () => true));
    });
  },
  messageReader(groupId, messageUId) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().getMessageReader(messageUId, groupId, callback(resolve, reject));
    });
  },
  joinChatRoom(roomId, count = 10) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().joinChatRoom(roomId, count, callback(resolve, reject, () => true));
    });
  },
  quitChatRoom(roomId) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().quitChatRoom(roomId, callback(resolve, reject, () => true));
    });
  },
  chatRoomInfo(roomId, count = 10, order = 1) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().getChatRoomInfo(roomId, count, order, callback(resolve, reject));
    });
  },
  chatRoomHistory(roomId, count = 10, order = 0) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().getChatRoomHistoryMessages(roomId, count, order,
        callback(resolve, reject, (list, hasMore) => ({ list: list.map(simplify), hasMore })));
    });
  },
  sendReadReceipt(targetId, messageUId, lastMessageSendTime) {
    return new Promise((resolve, reject) => {
      const msg = new RongIMLib.ReadReceiptMessage({ messageUId, lastMessageSendTime, type: 1 });
      RongIMClient.getInstance().sendMessage(RongIMLib.ConversationType.PRIVATE, targetId, msg,
        callback(resolve, reject, simplify));
    });
  },
  history(targetId, timestamp, count, order = 0, type) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().getHistoryMessages(typeOf(type), targetId, timestamp, count,
        callback(resolve, reject, (list, hasMore) => ({ list: list.map(simplify), hasMore })), undefined, order);
    });
  },
  conversations(count = 100, types = null) {
    return new Promise((resolve, reject) => {
      RongIMClient.getInstance().getConversationList(callback(resolve, reject, (list) => list.map((c) => ({
        conversationType: c.conversationType,
        targetId: c.targetId,
        unreadMessageCount: c.unreadMessageCount,
        latestMessage: c.latestMessage ? simplify(c.latestMessage) : null,
        sentTime: c.sentTime,
        mentionedMsg: c.mentionedMsg || null,
      }))), types, count);
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
