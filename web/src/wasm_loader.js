// Loads parley.wasm and instantiates the core around it (core_abi.js). The same code works
// from a script tag, a bundler, a worker or node, and the app can hand over the bytes or a
// compiled module instead:
//   wasm: URL | string (URL) | ArrayBuffer | Uint8Array | WebAssembly.Module
// In node a file: URL is read with node's fs (process.getBuiltinModule, node >= 20.16),
// so nothing in the bundle names a node module that a browser bundler would chase.
import { ErrorCode } from './enums.js';
import { ParleyError } from './errors.js';
import { instantiateClient } from './core_abi.js';

function nodeBuiltin(name) {
  const p = globalThis.process;
  return p && typeof p.getBuiltinModule === 'function' ? p.getBuiltinModule(name) : null;
}

async function wasmBytesOrModule(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return source;
  const url = String(source);
  if (url.startsWith('file:')) {
    const fs = nodeBuiltin('fs');
    const nodeUrl = nodeBuiltin('url');
    if (!fs || !nodeUrl) throw new Error('cannot read ' + url + ': pass the wasm bytes in init option `wasm`');
    return fs.readFileSync(nodeUrl.fileURLToPath(url));
  }
  if (typeof fetch !== 'function') throw new Error('no fetch() to load ' + url + ': pass init option `wasm`');
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`fetching ${url}: HTTP ${res.status}`);
  return res;  // a Response: compiled while it streams when the server says application/wasm
}

async function compile(input) {
  if (input instanceof WebAssembly.Module) return input;
  if (typeof Response !== 'undefined' && input instanceof Response) {
    const type = input.headers.get('Content-Type') || '';
    if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')) {
      return WebAssembly.compileStreaming(input);
    }
    input = await input.arrayBuffer();
  }
  return WebAssembly.compile(input);
}

// Resolves the core (core_abi.js: {_Client}); rejects a ParleyError (UNKNOWN) with the
// reason when the wasm cannot be had or compiled.
export function loadCore(wasmSource, logger) {
  if (typeof WebAssembly !== 'object') {
    return Promise.reject(new ParleyError(ErrorCode.UNKNOWN, 'parley.wasm could not be loaded: WebAssembly is not available'));
  }
  return wasmBytesOrModule(wasmSource)
    .then(compile)
    .then((module) => instantiateClient(module, (t) => logger.warn(t)))
    .catch((e) => {
      throw new ParleyError(ErrorCode.UNKNOWN, 'parley.wasm could not be loaded: ' + (e && e.message ? e.message : e));
    });
}
