// The oracle must be right before it judges us: engine_codec.cjs reproduces the shared hex
// fixtures with the official engine's own code (see engine_codec_selftest.cjs).
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { spawnSync } = require('child_process');

test('official engine harness self-test', () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'engine_codec_selftest.cjs')], { encoding: 'utf8' });
  const last = r.stdout.trim().split('\n').pop();
  console.log(`# engine harness: ${last}`);
  assert.strictEqual(r.status, 0, r.stdout.slice(-2000) + r.stderr.slice(-2000));
  assert.match(last, /^\d+ passed, 0 failed$/);
});
