'use strict';
// A protocol-level client for what the official API cannot show: server-side unread
// counts, clientUniqueId, malformed/unknown/oversized frames. Frames are encoded and
// decoded by the official engine's own codec (engine_codec.cjs), so our server is judged
// by the client's reading of the bytes, not by ours.
//
//   const c = await RawClient.connect(server, token);    // resolves after CONNACK status 0
//   const ack = await c.query('qryRelationR', 'userB', { type: 1, count: 10, startTime: 0, order: 0 });
//   const puback = await c.publish('ppMsgP', 'userA', { sessionId: 3, classname: 'RC:TxtMsg', content: '{}' });
//   c.sendBytes(Buffer.from('32ff', 'hex'));  await c.closed;   // { code }

const WebSocket = require('ws');
const engine = require('../engine_codec.cjs');

class RawClient {
  constructor(ws) {
    this.ws = ws;
    this.frames = [];         // every decoded server frame, in order
    this.ackTopics = new Map();  // messageId -> QUERY topic, to type the QUERYACK payload
    this.waiters = new Set();
    this.nextId = 1;
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data) => {
      const bytes = new Uint8Array(data);
      const peekId = bytes.length >= 3 ? (bytes[1] << 8) | bytes[2] : 0;  // QUERYACK: u16 id first
      const frame = engine.decodeServerFrame(bytes, this.ackTopics.get(peekId));
      this.frames.push(frame);
      for (const w of this.waiters) w();
    });
    ws.on('error', () => {});
  }

  // Opens /websocket?appId&token... and resolves with the client once the CONNACK arrives
  // (any status: check client.connack.status). `origin` sends an Origin header, as a browser does.
  static async open(server, token, { appKey = server.appKey, origin } = {}) {
    const url = `ws://127.0.0.1:${server.port}/websocket?appId=${appKey}&token=${encodeURIComponent(token)}` +
      '&sdkVer=2.9.2&pid=undefined&apiVer=normal';
    const ws = origin ? new WebSocket(url, { origin }) : new WebSocket(url);
    const client = new RawClient(ws);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    client.connack = await client.waitForFrame((f) => f.type === 'CONNACK');
    return client;
  }

  static async connect(server, token) {
    const client = await RawClient.open(server, token);
    if (client.connack.status !== 0) throw new Error('CONNACK status ' + client.connack.status);
    return client;
  }

  waitForFrame(predicate, timeoutMs = 10_000) {
    const found = this.frames.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const f = this.frames.find(predicate);
        if (f) { cleanup(); resolve(f); }
      };
      const timer = setTimeout(() => { cleanup(); reject(new Error('timed out waiting for a frame')); }, timeoutMs);
      const cleanup = () => { clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
    });
  }

  sendBytes(bytes) { this.ws.send(Buffer.from(bytes), { binary: true }); }
  sendFrame(frame) { this.sendBytes(engine.encodeClientFrame(frame)); }

  // QUERY -> its QUERYACK ({ status, body | bodyHex }).
  query(topic, targetId, body, { bodyHex } = {}) {
    const messageId = this.nextId++;
    this.ackTopics.set(messageId, topic);
    this.sendFrame(bodyHex !== undefined ? { type: 'QUERY', topic, targetId, messageId, bodyHex }
      : { type: 'QUERY', topic, targetId, messageId, body });
    return this.waitForFrame((f) => f.type === 'QUERYACK' && f.messageId === messageId);
  }

  // PUBLISH (qos 1) -> its PUBACK ({ status, msgUId, date, millis }).
  publish(topic, targetId, body, { bodyHex } = {}) {
    const messageId = this.nextId++;
    this.sendFrame(bodyHex !== undefined ? { type: 'PUBLISH', qos: 1, topic, targetId, messageId, bodyHex }
      : { type: 'PUBLISH', qos: 1, topic, targetId, messageId, body });
    return this.waitForFrame((f) => f.type === 'PUBACK' && f.messageId === messageId);
  }

  async ping() {
    const before = this.frames.filter((f) => f.type === 'PINGRESP').length;
    this.sendFrame({ type: 'PINGREQ' });
    await this.waitForFrame(() => this.frames.filter((f) => f.type === 'PINGRESP').length > before);
  }

  close() { this.ws.terminate(); }
}

module.exports = { RawClient };
