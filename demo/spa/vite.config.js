// Vite config of the demo SPA. `parley-im` is the package built into build/web (an app
// would `npm install parley-im` instead); Vite resolves its "exports" to parley.esm.js and
// copies parley.wasm as an asset, because the package references it as
// `new URL('./parley.wasm', import.meta.url)`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

export default defineConfig({
  base: './',   // served from any path (imserver serves it at /spa/)
  resolve: {
    alias: { 'parley-im': process.env.PARLEY_WEB_DIR || path.join(root, 'build', 'web') },
  },
  build: {
    outDir: process.env.PARLEY_SPA_OUT || path.join(root, 'build', 'demo', 'spa'),
    emptyOutDir: true,
    target: 'es2020',
  },
});
