// Cross-checks our codec against the official engine's (@rongcloud/engine 4.4.2, reached
// through engine_codec.cjs). Both directions, randomised with fixed seeds:
//  - client->server frames made by the official encoder decode in ours (tools/rmtp) to the
//    fields the generator asked for;
//  - server->client frames made by our encoder decode in the official readers to the
//    fields we encoded.
// Each direction must reach at least 500 matching frames; the counts are printed.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { execFileSync } = require('child_process');
const engine = require('./engine_codec.cjs');
const { genClientFrames, genServerFrames } = require('./gen_frames.cjs');

const RMTP = path.join(__dirname, '..', '..', 'build', 'native-debug', 'tools', 'rmtp');
const SEEDS = ['parley-1', 'parley-2', 'parley-3'];
const PER_SEED = 250;
const hex = (b) => Buffer.from(b).toString('hex');

function rmtp(args, lines) {
  // rmtp exits 1 when any line fails; the per-line {"error"} objects say which.
  let out;
  try {
    out = execFileSync(RMTP, args, { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
  } catch (e) {
    out = e.stdout;
  }
  return out.trim().split('\n');
}

// The fields a frame is judged on: everything of the JSON form.
const normalize = (f) => ({ qos: 0, dup: false, retain: false, ...f });

test('official-encoder client frames decode in ours', () => {
  let checked = 0, matched = 0;
  const mismatches = [];
  for (const seed of SEEDS) {
    const frames = genClientFrames(seed, PER_SEED);
    const hexes = frames.map((f) => hex(engine.encodeClientFrame(f)));
    const ours = rmtp(['decode', '--from', 'client'], hexes).map((l) => JSON.parse(l));
    assert.strictEqual(ours.length, frames.length);
    frames.forEach((want, i) => {
      checked++;
      try {
        assert.deepStrictEqual(ours[i], normalize(want));
        matched++;
      } catch (e) {
        if (mismatches.length < 5) mismatches.push({ hex: hexes[i], want, got: ours[i] });
      }
    });
  }
  console.log(`# official encoder -> our decoder: ${matched}/${checked} client frames match`);
  assert.deepStrictEqual(mismatches, [], 'frames that differ');
  assert.ok(matched >= 500, `only ${matched} matched`);
});

test('our server frames decode in the official engine', () => {
  let checked = 0, matched = 0;
  const mismatches = [];
  for (const seed of SEEDS) {
    const frames = genServerFrames(seed, PER_SEED);
    const hexes = rmtp(['encode', '--from', 'server'], frames.map((f) => JSON.stringify(f)));
    assert.strictEqual(hexes.length, frames.length);
    frames.forEach((want, i) => {
      checked++;
      let got;
      try {
        assert.ok(!hexes[i].startsWith('{'), `our encoder failed: ${hexes[i]}`);
        got = engine.decodeServerFrame(hexes[i].replace(/ /g, ''), want.ackTopic);
        const { ackTopic, ...fields } = want;
        const gotFields = { ...got };
        delete gotFields.ackTopic;
        assert.deepStrictEqual(gotFields, normalize(fields));
        matched++;
      } catch (e) {
        if (mismatches.length < 5) mismatches.push({ hex: hexes[i], want, got, error: e.message.slice(0, 300) });
      }
    });
  }
  console.log(`# our encoder -> official decoder: ${matched}/${checked} server frames match`);
  assert.deepStrictEqual(mismatches, [], 'frames that differ');
  assert.ok(matched >= 500, `only ${matched} matched`);
});
