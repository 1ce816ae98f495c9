'use strict';
// Official RongCloud clients for tests, one child process each (official_client_child.cjs):
//
//   const a = await OfficialClient.start({ name: 'A', appKey, navi: server.naviUrl });
//   await a.connect(token);
//   const sent = await a.sendText('userB', 'hi');        // { messageUId, sentTime, ... }
//   await b.waitForMessages(1);                           // b.received: onReceived messages
//   b.statuses                                            // connection status events, in order
//   await a.close();
//
// start({ connectionType: 'comet' }) asks for long polling; start({ noWebSocket: true })
// deletes globalThis.WebSocket before the library loads (its automatic comet fallback);
// start({ typingListener: true }) collects typing listener calls in `typing` (the library
// then no longer passes typing statuses to onReceived). start({ httpJitterMs: n }) hands
// each HTTP response (comet polls and POSTs) to the library after a random 0..n ms, as a
// real network does: answers on different connections may then arrive out of order.
//
// Every call rejects with the client's error ({ code }) and times out after 20 s.

const { fork } = require('child_process');
const path = require('path');

const CHILD = path.join(__dirname, 'official_client_child.cjs');
const CALL_TIMEOUT_MS = 20_000;

class OfficialClient {
  constructor(name, child) {
    this.name = name;
    this.child = child;
    this.received = [];
    this.statuses = [];
    this.typing = [];  // typing listener calls, in order (with typingListener: true)
    this.stderr = '';
    this._pending = new Map();
    this._nextId = 1;
    this._waiters = new Set();
    child.on('message', (msg) => this._onMessage(msg));
    child.stderr.on('data', (d) => { this.stderr += d.toString(); });
    child.on('exit', () => {
      for (const { reject } of this._pending.values()) reject(new Error(`${name}: client process exited`));
      this._pending.clear();
    });
  }

  static async start({ name, appKey, navi, storage, connectionType, noWebSocket, typingListener, httpJitterMs }) {
    const child = fork(CHILD, [], {
      cwd: path.join(__dirname, '..'),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const client = new OfficialClient(name, child);
    await client.waitFor(() => client._ready, 20_000, 'child ready');
    client.init = await client.call('init', { appKey, navi, storage, connectionType, noWebSocket, typingListener, httpJitterMs });
    return client;
  }

  _onMessage(msg) {
    if (msg.event === 'ready') this._ready = true;
    else if (msg.event === 'status') this.statuses.push(msg.value);
    else if (msg.event === 'message') this.received.push(msg.value);
    else if (msg.event === 'typing') this.typing.push(msg.value);
    else if (msg.id !== undefined) {
      const p = this._pending.get(msg.id);
      if (p) {
        this._pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.ok) p.resolve(msg.value);
        else p.reject(Object.assign(new Error(`${this.name}: ${JSON.stringify(msg.error)}`), msg.error));
      }
    }
    for (const w of this._waiters) w();
  }

  call(cmd, ...args) {
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} timed out\n${this.stderr.slice(-2000)}`));
      }, CALL_TIMEOUT_MS);
      this._pending.set(id, { resolve, reject, timer });
      this.child.send({ id, cmd, args });
    });
  }

  // Resolves when predicate() holds, re-checked on every event from the child.
  waitFor(predicate, timeoutMs = 15_000, what = 'condition') {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name}: timed out waiting for ${what}; statuses=${JSON.stringify(this.statuses)} ` +
          `received=${this.received.length}\n${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      const poll = setInterval(check, 200);  // for predicates on state outside this client
      const cleanup = () => { clearTimeout(timer); clearInterval(poll); this._waiters.delete(check); };
      this._waiters.add(check);
    });
  }

  waitForMessages(count, timeoutMs = 15_000) {
    return this.waitFor(() => this.received.length >= count, timeoutMs, `${count} messages`);
  }

  connect(token) { return this.call('connect', token); }
  sendText(targetId, text, type) { return this.call('sendText', targetId, text, type); }
  sendMention(groupId, text, userIdList, mentionedType) {
    return this.call('sendMention', groupId, text, userIdList, mentionedType);
  }
  sendTyping(targetId, type) { return this.call('sendTyping', targetId, type); }
  recall(messageUId) { return this.call('recall', messageUId); }
  groupReadReceipt(groupId, messageUIds) { return this.call('groupReadReceipt', groupId, messageUIds); }
  messageReader(groupId, messageUId) { return this.call('messageReader', groupId, messageUId); }
  joinChatRoom(roomId, count) { return this.call('joinChatRoom', roomId, count); }
  quitChatRoom(roomId) { return this.call('quitChatRoom', roomId); }
  chatRoomInfo(roomId, count, order) { return this.call('chatRoomInfo', roomId, count, order); }
  chatRoomHistory(roomId, count, order) { return this.call('chatRoomHistory', roomId, count, order); }
  sendReadReceipt(targetId, messageUId, lastMessageSendTime) {
    return this.call('sendReadReceipt', targetId, messageUId, lastMessageSendTime);
  }
  history(targetId, timestamp, count, order = 0, type) {
    return this.call('history', targetId, timestamp, count, order, type);
  }
  conversations(count, types) { return this.call('conversations', count, types); }
  unreadCount(targetId) { return this.call('unreadCount', targetId); }
  clearUnread(targetId) { return this.call('clearUnread', targetId); }
  removeConversation(targetId) { return this.call('removeConversation', targetId); }
  disconnect() { return this.call('disconnect'); }
  storage() { return this.call('storage'); }

  async close() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }
}

module.exports = { OfficialClient };
