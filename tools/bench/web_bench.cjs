'use strict';
// Web SDK bench: measured and printed, never asserted.
//  1. Download size: Parley (parley.wasm + one bundle) against the official v2 client
//     (@rongcloud/imlib-v2 2.9.2 + @rongcloud/engine 4.4.2 builds), gzip -9 and brotli.
//  2. Time to decode N server frames (PUBLISH s_msg with a text message):
//     - Parley's wasm codec (_decodeFrame + JSON.parse), one crossing per frame;
//     - the whole Parley path: bytes into the engine from a fake WebSocket, through the
//       core (dedupe, conversation store), to the app's onReceived (v2 message objects);
//     - the official engine's frame reader and ProtoBuf.js decode (test oracle harness).
//  3. Queueing Q messages offline (never connected): time and bytes written to storage;
//     then connecting and sending them all (PUBACKs from the fake socket). The official v2
//     client has no offline queue (sendMessage fails while disconnected), so there is
//     nothing of it to compare.
// Usage: tools/bench/web [N] [Q]   (builds the release package first)
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { loadParleyWasm } = require('../../tests/lib/load_wasm.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
const N = Number(process.argv[2] || 20000);
const Q = Number(process.argv[3] || 1000);
const WEB = path.join(ROOT, 'build', 'web');
const OFFICIAL = path.join(ROOT, 'tests', 'interop', 'node_modules', '@rongcloud');

const gz = (buf) => zlib.gzipSync(buf, { level: 9 }).length;
const br = (buf) => zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n) => (n / 1024).toFixed(1).padStart(7) + ' KB';

function sizes() {
  const rows = [];
  const add = (name, files) => {
    const bufs = files.map((f) => fs.readFileSync(f));
    const raw = bufs.reduce((s, b) => s + b.length, 0);
    rows.push([name, raw, bufs.reduce((s, b) => s + gz(b), 0), bufs.reduce((s, b) => s + br(b), 0)]);
  };
  add('Parley parley.wasm + parley.umd.js', [path.join(WEB, 'parley.wasm'), path.join(WEB, 'parley.umd.js')]);
  add('Parley parley.wasm + parley.esm.js', [path.join(WEB, 'parley.wasm'), path.join(WEB, 'parley.esm.js')]);
  add('  of which parley.wasm', [path.join(WEB, 'parley.wasm')]);
  add('  of which parley.umd.js (shim + glue)', [path.join(WEB, 'parley.umd.js')]);
  const off = (pkg, f) => path.join(OFFICIAL, pkg, 'dist', f);
  if (fs.existsSync(off('imlib-v2', 'index.umd.js'))) {
    add('official imlib-v2 + engine UMD', [off('imlib-v2', 'index.umd.js'), off('engine', 'index.umd.js')]);
    add('official imlib-v2 + engine ESM', [off('imlib-v2', 'index.esm.js'), off('engine', 'index.esm.js')]);
  }
  console.log('\n== download size (bytes a page fetches)');
  console.log('what'.padEnd(42) + 'raw'.padStart(10) + 'gzip -9'.padStart(10) + 'brotli'.padStart(10));
  for (const [name, raw, g, b] of rows) console.log(name.padEnd(42) + kb(raw) + kb(g) + kb(b));
}

function frameJson(i) {
  return {
    type: 'PUBLISH', qos: 1, date: 1700000000 + i, topic: 's_msg', targetId: 'me', messageId: (i % 65535) + 1,
    body: { fromUserId: 'peer', type: 1, classname: 'RC:TxtMsg', content: JSON.stringify({ content: `message ${i} 你好 😀` }),
      dataTime: 1700000000000 + i, status: 48, msgId: `UID-${i}`, direction: 2 },
  };
}

function serverFrame(M, json) {
  return { data: M._encodeFrame('server', JSON.stringify(json)).slice().buffer };
}

class NaviXHR {  // navi answers at once with one server
  open(m, url) { this.url = url; }
  setRequestHeader() {}
  send() {
    setImmediate(() => {
      this.readyState = 4;
      this.status = 200;
      this.responseText = this.url.includes('navi.js') ? '{"server":"bench:1"}' : '';
      this.onreadystatechange();
    });
  }
  abort() {}
}

// A Parley client on a fake WebSocket that keeps the frames it is sent (`sent`);
// connect() resolves that socket once the CONNACK has been answered.
function benchClient(Parley, M, storage) {
  let socket = null;
  class BenchSocket {
    constructor() { socket = this; this.sent = []; }
    send(bytes) { this.sent.push(new Uint8Array(bytes)); }
    close() {}
  }
  const client = Parley.createClient();
  client.init('bench', null, { navi: 'http://navi.bench', WebSocket: BenchSocket, XMLHttpRequest: NaviXHR, storage, signals: false, logLevel: 1000 });
  const connect = async () => {
    const connected = client.connect('token');
    while (!socket) await new Promise((r) => setImmediate(r));
    socket.onopen({});
    socket.onmessage(serverFrame(M, { type: 'CONNACK', status: 0, userId: 'me', sessionId: 's', timestamp: Date.now() }));
    await connected;
    return socket;
  };
  return { client, connect };
}

function time(label, n, fn) {
  fn(Math.min(n, 500));  // warm-up
  const t0 = process.hrtime.bigint();
  fn(n);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`${label.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms  ${(ms * 1000 / n).toFixed(2).padStart(7)} µs/frame`);
}

async function decodeBench() {
  const Parley = require(path.join(WEB, 'parley.umd.js'));
  const M = await loadParleyWasm('release');
  const frames = [];
  for (let i = 0; i < N; i++) frames.push(M._encodeFrame('server', JSON.stringify(frameJson(i))));
  console.log(`\n== decode ${N} server frames (PUBLISH s_msg, text with CJK and emoji, ~${frames[0].length} bytes each)`);
  time('Parley wasm codec: _decodeFrame + JSON.parse', N, (n) => {
    for (let i = 0; i < n; i++) JSON.parse(M._decodeFrame('server', frames[i], ''));
  });

  // The whole path through a connected client.
  const { client, connect } = benchClient(Parley, M, false);
  let received = 0;
  client.setOnReceiveMessageListener({ onReceived: () => { received++; } });
  const sock = await connect();
  let next = 0;
  const ab = frames.map((f) => f.slice().buffer);
  time('Parley whole path: WebSocket bytes -> core -> onReceived', N, (n) => {
    for (let i = 0; i < n; i++) sock.onmessage({ data: ab[next++ % ab.length] });
  });
  console.log(`  (${received} onReceived calls: warm-up + timed run; ids seen again within the core's dedupe window are dropped)`);
  client.destroy();

  let codec = null;
  try {
    codec = require(path.join(ROOT, 'tests', 'interop', 'engine_codec.cjs'));
  } catch (e) {
    console.log(`official engine codec unavailable (${e.message.split('\n')[0]})`);
  }
  if (codec) {
    time('official engine 4.4.2: frame reader + ProtoBuf.js', N, (n) => {
      for (let i = 0; i < n; i++) codec.decodeServerFrame(frames[i]);
    });
  }
}

// sendMessage Q times with no connection (each message goes to the persisted outbox), then
// connect and answer every PUBLISH with a PUBACK until the outbox is empty.
async function offlineQueueBench() {
  const Parley = require(path.join(WEB, 'parley.umd.js'));
  const M = await loadParleyWasm('release');
  const map = new Map();
  let written = 0, writes = 0;
  const storage = {  // a Web Storage object that counts what is written
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => { writes++; written += k.length + String(v).length; map.set(k, String(v)); },
    removeItem: (k) => { map.delete(k); },
    key: (i) => Array.from(map.keys())[i] ?? null,
    get length() { return map.size; },
  };
  const { client, connect } = benchClient(Parley, M, storage);
  await client.ready();
  let queued = 0, delivered = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < Q; i++) {  // to 10 conversations: one message of each is in flight at a time
    client.sendMessage(1, `peer${i % 10}`, new Parley.TextMessage({ content: `queued ${i}` }), {
      onBefore() { queued++; }, onSuccess() { delivered++; }, onError() {},
    });
  }
  while (queued < Q) await new Promise((r) => setImmediate(r));
  const queueMs = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`\n== ${Q} messages queued offline (persisted outbox), then sent on connect`);
  console.log(`Parley queue: ${queueMs.toFixed(1)} ms, ${writes} storage writes, ${(written / 1024).toFixed(1)} KB written`);

  const t1 = process.hrtime.bigint();
  const sock = await connect();
  let uid = 0;
  while (delivered < Q) {
    const batch = sock.sent.splice(0);
    for (const bytes of batch) {
      const f = JSON.parse(M._decodeFrame('client', bytes, ''));
      if (f.type === 'PUBLISH') {
        sock.onmessage(serverFrame(M, { type: 'PUBACK', messageId: f.messageId, date: 1700000000, status: 0, millis: 0, msgUId: `B-${uid++}` }));
      }
    }
    if (!batch.length) await new Promise((r) => setImmediate(r));
  }
  const drainMs = Number(process.hrtime.bigint() - t1) / 1e6;
  console.log(`Parley send on connect: ${drainMs.toFixed(1)} ms for ${Q} PUBLISH/PUBACK round trips (${(drainMs * 1000 / Q).toFixed(0)} µs each)`);
  client.destroy();
}

(async () => {
  sizes();
  await decodeBench();
  await offlineQueueBench();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
