// Entry of parley.umd.js (script tag, AMD, CommonJS): the wasm is looked for next to the
// script (document.currentScript while it loads), or next to the file under node's require.
import { runtime } from './runtime.js';

function defaultWasmUrl() {
  try {
    if (typeof document !== 'undefined' && document.currentScript && document.currentScript.src) {
      return new URL('parley.wasm', document.currentScript.src).href;
    }
    // eslint-disable-next-line no-undef
    if (typeof __dirname === 'string' && globalThis.process && typeof process.getBuiltinModule === 'function') {
      // eslint-disable-next-line no-undef
      return process.getBuiltinModule('url').pathToFileURL(__dirname + '/parley.wasm').href;
    }
    if (typeof self !== 'undefined' && self.location) return new URL('parley.wasm', self.location.href).href;
  } catch (e) { /* fall through */ }
  return 'parley.wasm';
}

runtime.wasm = defaultWasmUrl();

export * from './index.js';
