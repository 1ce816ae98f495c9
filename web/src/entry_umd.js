// Entry of parley.umd.js (script tag, AMD, CommonJS): the wasm is looked for next to the
// script (document.currentScript while it loads), or next to the file under node's require.
import { BUILTIN_CLASSES } from './messages.js';
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

// The global `Parley`: the names of index.js in the shape esbuild gives a CommonJS export
// (an __esModule mark, then each name in sorted order as an enumerable getter), with the
// built-in message classes taken from their table rather than written out a second time.
// build.mjs ends the bundle with `return umdGlobal({...})`, the object made from the
// bundle's export list (api.js's names): no namespace object is built for them.
export function umdGlobal(names) {
  const all = Object.assign({}, names, BUILTIN_CLASSES);
  const Parley = Object.defineProperty({}, '__esModule', { value: true });
  for (const name of Object.keys(all).sort()) {
    const value = all[name];
    Object.defineProperty(Parley, name, { get: () => value, enumerable: true });
  }
  return Parley;
}

export * from './api.js';
