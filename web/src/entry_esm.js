// Entry of parley.esm.js (bundlers, <script type="module">, node ESM). The wasm URL is
// written as `new URL('./parley.wasm', import.meta.url)`, the form bundlers (webpack 5,
// Vite, Parcel, esbuild with a loader) recognise and copy as an asset.
import { runtime } from './runtime.js';

runtime.wasm = new URL('./parley.wasm', import.meta.url).href;

export * from './index.js';
