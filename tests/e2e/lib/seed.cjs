'use strict';
// Fills a conversation with many messages fast, for the 10,000-message history test: a raw
// protocol client (tests/interop/lib/raw_client.cjs, frames encoded by the official engine's
// codec) pipelines PUBLISH ppMsgP frames in windows instead of one round trip each. A
// message answered with a non-zero PUBACK status (e.g. a send rate limit) is sent again
// after a pause; the resolved list is every message's {text, msgUId}, in send order.

const { RawClient } = require('../../interop/lib/raw_client.cjs');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function seedPrivate(server, fromToken, toUserId, texts, { window = 100, timeoutMs = 120_000 } = {}) {
  const client = await RawClient.connect(server, fromToken);
  const end = Date.now() + timeoutMs;
  const out = [];
  let scanned = 0;
  const acks = new Map();   // messageId -> PUBACK
  const collect = () => {
    for (; scanned < client.frames.length; scanned++) {
      const f = client.frames[scanned];
      if (f.type === 'PUBACK') acks.set(f.messageId, f);
    }
  };
  try {
    let i = 0;
    while (i < texts.length) {
      const batch = texts.slice(i, i + window);
      const ids = batch.map((text) => {
        const messageId = client.nextId++;
        if (client.nextId > 65535) client.nextId = 1;
        client.sendFrame({
          type: 'PUBLISH', qos: 1, topic: 'ppMsgP', targetId: toUserId, messageId,
          body: { sessionId: 3, classname: 'RC:TxtMsg', content: JSON.stringify({ content: text }) },
        });
        return messageId;
      });
      for (;;) {
        collect();
        if (ids.every((id) => acks.has(id))) break;
        if (Date.now() > end) throw new Error(`seeding: no PUBACK after ${timeoutMs} ms (${out.length} of ${texts.length} stored)`);
        await sleep(5);
      }
      // Keep the acknowledged prefix; resend from the first refused one (order matters).
      let ok = 0;
      for (; ok < ids.length; ok++) {
        const a = acks.get(ids[ok]);
        if (a.status !== 0) break;
        out.push({ text: batch[ok], msgUId: a.msgUId });
      }
      for (const id of ids) acks.delete(id);
      i += ok;
      if (ok < ids.length) await sleep(1000);
    }
  } finally {
    client.close();
  }
  return out;
}

module.exports = { seedPrivate };
