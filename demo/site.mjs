// Builds what the demo serves and puts it in one directory for imserver's --static-dir:
//
//   <out>/index.html, app.js, virtual_list.js, style.css, favicon.svg   -> demo/ (symlinks)
//   <out>/sdk/                                                         -> build/web (parley.umd.js, parley.wasm, ...)
//   <out>/spa/                                                         -> the Vite SPA build (demo/spa)
//
//   node demo/site.mjs [--out DIR] [--no-web] [--no-spa]
//
// --no-web skips `node web/build.mjs --flavour release` (the SDK package, which also builds
// the release wasm with CMake when its sources changed); --no-spa skips the Vite build.
// Symlinks, not copies: an edit in demo/ shows on the next page load.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DEMO = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.dirname(DEMO);
export const WEB_DIR = path.join(ROOT, 'build', 'web');
export const SPA_DIR = path.join(DEMO, 'spa');
const SKIP = new Set(['spa', 'site.mjs', 'node_modules']);

function log(text) { console.log('[demo] ' + text); }

// The SDK package (build/web). Builds the release wasm first when needed.
export function buildWeb() {
  log('building the web SDK package (node web/build.mjs --flavour release)');
  execFileSync(process.execPath, [path.join(ROOT, 'web', 'build.mjs'), '--flavour', 'release'],
    { cwd: ROOT, stdio: 'inherit', env: Object.assign({}, process.env, { NODE_PATH: '/usr/share/nodejs' }) });
}

// npm ci in demo/spa when its lockfile changed since the last install (as tools/setup does).
function ensureSpaModules() {
  const lock = path.join(SPA_DIR, 'package-lock.json');
  const stamp = path.join(SPA_DIR, 'node_modules', '.parley-lock');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === fs.readFileSync(lock, 'utf8')) return;
  log('npm ci in demo/spa');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: SPA_DIR, stdio: 'inherit' });
  fs.copyFileSync(lock, stamp);
}

// The Vite SPA, bundled against build/web's ESM entry, into `outDir`.
export function buildSpa(outDir) {
  if (!fs.existsSync(path.join(WEB_DIR, 'parley.esm.js'))) {
    throw new Error(`${WEB_DIR}/parley.esm.js is missing: build the SDK first (node web/build.mjs)`);
  }
  ensureSpaModules();
  log('building the Vite SPA (demo/spa) into ' + path.relative(ROOT, outDir));
  execFileSync(process.execPath, [path.join(SPA_DIR, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: SPA_DIR,
    stdio: 'inherit',
    env: Object.assign({}, process.env, { PARLEY_WEB_DIR: WEB_DIR, PARLEY_SPA_OUT: outDir }),
  });
}

function link(target, at) {
  fs.rmSync(at, { recursive: true, force: true });
  fs.symlinkSync(target, at);
}

// Lays out `out` (created or refreshed): the demo's files, sdk/ and, when given, spa/.
export function assembleSite(out, { spaDir } = {}) {
  fs.mkdirSync(out, { recursive: true });
  for (const name of fs.readdirSync(DEMO)) {
    if (SKIP.has(name) || name.startsWith('.')) continue;
    link(path.join(DEMO, name), path.join(out, name));
  }
  link(WEB_DIR, path.join(out, 'sdk'));
  if (spaDir) link(spaDir, path.join(out, 'spa'));
  return out;
}

// Everything tools/demo serves: the SDK, the SPA, the site directory.
export function buildAll({ out = path.join(ROOT, 'build', 'demo', 'site'), web = true, spa = true } = {}) {
  if (web) buildWeb();
  if (!fs.existsSync(path.join(WEB_DIR, 'parley.umd.js'))) {
    throw new Error(`${WEB_DIR}/parley.umd.js is missing: build the SDK first (node web/build.mjs)`);
  }
  const spaDir = path.join(ROOT, 'build', 'demo', 'spa');
  if (spa) buildSpa(spaDir);
  return assembleSite(out, { spaDir: fs.existsSync(spaDir) ? spaDir : undefined });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  try {
    const out = buildAll({
      out: outAt >= 0 ? path.resolve(args[outAt + 1]) : undefined,
      web: !args.includes('--no-web'),
      spa: !args.includes('--no-spa'),
    });
    log('site ready in ' + path.relative(ROOT, out));
  } catch (e) {
    console.error('[demo] ' + e.message);
    process.exit(1);
  }
}
