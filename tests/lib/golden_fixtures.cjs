// Reads tests/fixtures/golden_frames.txt, the fixture file the C++ golden tests read too.
// Block format:
//   == name
//   from: client|server
//   [ackTopic: pullMsg]
//   32 00 06 ...   | comment
//   json: {...}
'use strict';
const fs = require('fs');
const path = require('path');

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'golden_frames.txt');

function parseGoldenFrames(file = FIXTURE) {
  const frames = [];
  let cur = null;
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trimEnd();
    if (line.startsWith('== ')) {
      cur = { name: line.slice(3), from: null, ackTopic: '', hex: '', json: null };
      frames.push(cur);
    } else if (!cur || line.trim() === '' || line.trimStart().startsWith('#')) {
      continue;
    } else if (line.startsWith('from:')) {
      cur.from = line.slice(5).trim();
    } else if (line.startsWith('ackTopic:')) {
      cur.ackTopic = line.slice(9).trim();
    } else if (line.startsWith('json:')) {
      cur.json = JSON.parse(line.slice(5));
    } else {
      cur.hex += line.split('|')[0].replace(/\s+/g, '');
    }
  }
  for (const f of frames) {
    if (!f.from || !f.hex || !f.json) throw new Error(`incomplete fixture block: ${f.name}`);
  }
  if (frames.length === 0) throw new Error(`no frames in ${file}`);
  return frames;
}

const hexToBytes = (hex) => Uint8Array.from(hex.match(/../g) || [], (h) => parseInt(h, 16));
const bytesToHex = (b) => Buffer.from(b).toString('hex');

module.exports = { parseGoldenFrames, hexToBytes, bytesToHex, FIXTURE };
