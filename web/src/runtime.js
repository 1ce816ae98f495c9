// Where the wasm comes from by default. The package entries fill this in
// (entry_umd.js: next to the script; entry_esm.js: next to the module, for bundlers); an
// app may override per client with init options `wasm` (bytes, module or URL).
export const runtime = {
  wasm: null,          // default wasm source (URL string)
};
