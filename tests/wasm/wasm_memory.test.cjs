// The WASM builds' allocator (bindings/wasm_alloc.cc) under a repeated load: every round
// makes a client, queues messages of many sizes (1 B to 100 KB, so most size classes),
// fills conversations, round-trips the golden frames, then frees the client. Each round
// must give the same outputs as the first (a block handed out twice would corrupt them),
// and after the first rounds the memory must stop growing (freed blocks are reused).
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { parseGoldenFrames, hexToBytes } = require('../lib/golden_fixtures.cjs');
const { loadParleyWasm, wasmDir } = require('../lib/load_wasm.cjs');

const frames = parseGoldenFrames();

function round(M) {
  const digest = crypto.createHash('sha256');
  const add = (out) => {
    digest.update(out.actions);
    for (const b of out.bytes) digest.update(b);
  };
  const client = new M._Client(JSON.stringify({ appKey: 'memory-test' }), 7);
  add(client.restore('{}'));
  let size = 1;
  for (let i = 0; i < 40; i++) {
    size = (size * 7 + 13) % 100000;  // 1 B .. 100 KB, in no order
    add(client.command(1000 + i, JSON.stringify({
      cmd: 'sendMessage', id: i + 1, conversationType: 1, targetId: `peer${i % 13}`,
      objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'é'.repeat(size >> 1) }),
    })));
    if (i % 4 === 0) {
      add(client.command(1000 + i, JSON.stringify({
        cmd: 'saveDraft', id: 1000 + i, conversationType: 3, targetId: `group${i}`, draft: 'd'.repeat(i * 50),
      })));
    }
  }
  add(client.command(5000, JSON.stringify({ cmd: 'getConversationList', id: 9999 })));
  add(client.command(5000, JSON.stringify({ cmd: 'getOutbox', id: 10000 })));
  client.delete();
  for (const f of frames) {
    const json = M._decodeFrame(f.from, hexToBytes(f.hex), f.ackTopic);
    digest.update(json);
    const bytes = M._encodeFrame(f.from, json);
    digest.update(bytes instanceof Uint8Array ? bytes : String(bytes));
  }
  return digest.digest('hex');
}

for (const flavour of ['release', 'debug']) {
  if (!fs.existsSync(path.join(wasmDir(flavour), 'parley.wasm'))) {
    test(`wasm ${flavour} is built`, () => assert.fail(`build/wasm-${flavour} missing`));
    continue;
  }
  test(`wasm ${flavour}: a repeated load gives the same outputs and stops growing the memory`, async () => {
    const M = await loadParleyWasm(flavour);
    const first = round(M);
    const sizes = [M._memoryBytes()];
    for (let r = 1; r < 8; r++) {
      assert.strictEqual(round(M), first, `round ${r + 1}: outputs differ from round 1`);
      sizes.push(M._memoryBytes());
    }
    console.log(`# wasm ${flavour}: memory after each round (bytes): ${sizes.join(' ')}`);
    assert.strictEqual(sizes[7], sizes[2], `memory grew after round 3: ${sizes.join(' ')}`);
  });
}
