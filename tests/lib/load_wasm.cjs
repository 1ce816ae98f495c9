// Loads a build's parley.wasm (the tools build: the client plus the frame codec exports) in
// node through the SDK's own loader, web/src/core_abi.js.
'use strict';
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

const ROOT = path.join(__dirname, '..', '..');

function wasmDir(flavour) {
  return path.join(ROOT, 'build', `wasm-${flavour}`, 'bindings');
}

// name: 'parley' (tools build, with _decodeFrame/_encodeFrame) or 'parley_web' (shipped).
async function loadParleyWasm(flavour = 'release', name = 'parley') {
  const { instantiateCore } = await import(pathToFileURL(path.join(ROOT, 'web', 'src', 'core_abi.js')).href);
  const module = await WebAssembly.compile(fs.readFileSync(path.join(wasmDir(flavour), `${name}.wasm`)));
  return instantiateCore(module, (t) => process.stderr.write(t + '\n'));
}

module.exports = { loadParleyWasm, wasmDir, ROOT };
