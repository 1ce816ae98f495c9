// Loads a build's parley.js + parley.wasm in node. Emscripten 3.1.6's loader would fetch()
// a file path under Node 20, so the wasm bytes are handed over directly (wasmBinary).
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');

function wasmDir(flavour) {
  return path.join(ROOT, 'build', `wasm-${flavour}`, 'bindings');
}

async function loadParleyWasm(flavour = 'release') {
  const dir = wasmDir(flavour);
  const create = require(path.join(dir, 'parley.js'));
  return create({ wasmBinary: fs.readFileSync(path.join(dir, 'parley.wasm')) });
}

module.exports = { loadParleyWasm, wasmDir, ROOT };
