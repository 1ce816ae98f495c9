// The WASM build decodes every golden frame exactly as the native build does (tools/rmtp),
// and as the fixture says; encode round-trips; bad input is an error value, never a throw.
// Runs for each flavour built (release, debug).
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { execFileSync } = require('child_process');
const { parseGoldenFrames, hexToBytes, bytesToHex } = require('../lib/golden_fixtures.cjs');
const { loadParleyWasm, wasmDir, ROOT } = require('../lib/load_wasm.cjs');

const RMTP = path.join(ROOT, 'build', 'native-debug', 'tools', 'rmtp');
const frames = parseGoldenFrames();

function nativeDecode(frame) {
  const args = ['decode', '--from', frame.from];
  if (frame.ackTopic) args.push('--ack-topic', frame.ackTopic);
  args.push(frame.hex);
  return JSON.parse(execFileSync(RMTP, args, { encoding: 'utf8' }));
}

for (const flavour of ['release', 'debug']) {
  if (!fs.existsSync(path.join(wasmDir(flavour), 'parley.wasm'))) {
    test(`wasm ${flavour} is built`, () => assert.fail(`build/wasm-${flavour} missing`));
    continue;
  }
  test(`wasm ${flavour}: golden frames decode as natively and re-encode byte-identically`, async () => {
    const M = await loadParleyWasm(flavour);
    let count = 0;
    for (const f of frames) {
      const out = JSON.parse(M._decodeFrame(f.from, hexToBytes(f.hex), f.ackTopic));
      assert.deepStrictEqual(out, nativeDecode(f), `${f.name}: wasm != native`);
      assert.deepStrictEqual(out, f.json, `${f.name}: wasm != fixture`);
      const bytes = M._encodeFrame(f.from, JSON.stringify(out));
      assert.ok(bytes instanceof Uint8Array, `${f.name}: encode failed: ${bytes}`);
      assert.strictEqual(bytesToHex(bytes), f.hex, `${f.name}: re-encode differs`);
      count++;
    }
    console.log(`# wasm ${flavour}: ${count} golden frames identical to native`);
  });

  test(`wasm ${flavour}: truncated and garbage input gives error values`, async () => {
    const M = await loadParleyWasm(flavour);
    let errors = 0;
    for (const f of frames) {
      const b = hexToBytes(f.hex);
      for (let cut = 0; cut < Math.min(b.length, 12); cut++) {
        const out = JSON.parse(M._decodeFrame(f.from, b.slice(0, cut), f.ackTopic));
        if (out.error) errors++;
      }
    }
    assert.ok(errors > frames.length, 'cuts inside headers must fail');
    const bad = JSON.parse(M._decodeFrame('client', Uint8Array.from([0x10, 0, 0]), ''));
    assert.match(bad.error, /not sent by a client/);
    assert.strictEqual(bad.code, 47003);
    assert.ok(JSON.parse(M._encodeFrame('server', '{"type":"NOPE"}')).error);
    assert.ok(JSON.parse(M._encodeFrame('server', 'not json')).error);
  });
}

// Size is a feature (STYLE.md 11): the release wasm must stay within its budget. The
// comparison with the official client lives in tools/bench; this only guards against
// regressions. Raise the budget deliberately, in its own commit, with the reason.
// 43 KB: 43,369 B measured after the size work of session 6 (the wasm's own allocator,
// restore from the parsed object, members by reference; see CHANGELOG); 43,917 B since
// the outbox is stored one key per entry (+587 B, for O(n) instead of O(n^2) writes).
// 43.1 KB since session 7: deleteLocalMessages (+121 B; FAILED messages otherwise stayed in
// storage for good) and the per-conversation pump (+51 B; linear sending of a queued
// outbox) took it to 44,080 B.
const WASM_GZIP_BUDGET = Math.round(43.1 * 1024);
test('wasm release size budget', () => {
  const dir = wasmDir('release');
  const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join(dir, f)), { level: 9 }).length;
  const wasm = gz('parley_web.wasm');
  console.log(`# parley_web.wasm (shipped as parley.wasm) ${wasm} bytes gzipped (budget ${WASM_GZIP_BUDGET})`);
  assert.ok(wasm <= WASM_GZIP_BUDGET, `parley_web.wasm is ${wasm} bytes gzipped, over the budget`);
});
