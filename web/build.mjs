// Builds the web packages from web/src and the WASM builds:
//   build/web/        release: parley.umd.js, parley.esm.js (minified by terser), parley.wasm,
//                     index.d.ts, package.json (with "exports"), README.md
//   build/web-debug/  the same, unminified, around the debug wasm (assertions)
// and prints the gzipped size of what a page downloads (parley.wasm + one bundle),
// failing when it exceeds the budget.
//
//   node web/build.mjs [--flavour release|debug|all] [--no-wasm-build]
//
// The wasm comes from `cmake --build build/wasm-<flavour> --target parley_web`, run here
// (a no-op when up to date). npm dependencies (esbuild, terser) are installed from the lockfile
// when missing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const WEB = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(WEB);

// Gzipped bytes of parley.wasm + parley.umd.js (release). The target is 48 KB and
// is not met yet, so the build fails only above this ceiling, a ratchet to lower as the
// core and the shim shrink: set at 57.1 KB measured plus 0.9 KB; 57.9 KB (43.0 KB wasm,
// 14.8 KB shim) since session 7 (per-entry outbox keys, deleteLocalMessages).
const TARGET_BYTES = 48 * 1024;
const CEILING_BYTES = Number(process.env.PARLEY_WEB_SIZE_CEILING || 58 * 1024);

const args = process.argv.slice(2);
const flavourArg = args.includes('--flavour') ? args[args.indexOf('--flavour') + 1] : 'all';
const flavours = flavourArg === 'all' ? ['release', 'debug'] : [flavourArg];
const buildWasm = !args.includes('--no-wasm-build');

function ensureNodeModules() {
  const lock = path.join(WEB, 'package-lock.json');
  const stamp = path.join(WEB, 'node_modules', '.parley-lock');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === fs.readFileSync(lock, 'utf8')) return;
  console.log('[web] npm ci in web/');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: WEB, stdio: 'inherit' });
  fs.copyFileSync(lock, stamp);
}

// Both flavours ship parley_web.wasm of their build (the debug one at -O0 with C asserts);
// the JS around it is web/src/core_abi.js, the same for both.
async function ensureWasm(flavour) {
  const dir = path.join(ROOT, 'build', `wasm-${flavour}`);
  const env = Object.assign({}, process.env, { NODE_PATH: '/usr/share/nodejs' });
  if (buildWasm) {
    if (!fs.existsSync(path.join(dir, 'build.ninja'))) {
      execFileSync('cmake', ['--preset', `wasm-${flavour}`], { cwd: ROOT, stdio: 'inherit', env });
    }
    execFileSync('cmake', ['--build', dir, '--target', 'parley_web'], { cwd: ROOT, stdio: 'inherit', env });
  }
  const wasm = path.join(dir, 'bindings', 'parley_web.wasm');
  if (!fs.existsSync(wasm)) throw new Error(`missing ${wasm} (build the wasm-${flavour} preset)`);
  if (flavour === 'release') await checkReleaseImports(wasm);
  return { wasm };
}

// The release bundle gives the wasm only core_abi.js's RELEASE_IMPORTS (no stdio): a release
// wasm that imports more (a printf left in) would fail when it calls one, so fail here.
async function checkReleaseImports(wasm) {
  const { RELEASE_IMPORTS } = await import(new URL('./src/core_abi.js', import.meta.url).href);
  const module = await WebAssembly.compile(fs.readFileSync(wasm));
  const extra = WebAssembly.Module.imports(module).map((i) => i.name).filter((n) => !RELEASE_IMPORTS.includes(n));
  if (extra.length) throw new Error(`${wasm} imports ${extra.join(', ')}: add them to RELEASE_IMPORTS in web/src/core_abi.js and give them in the release bundle`);
}

const UMD_HEAD = `(function (root, factory) {
  if (typeof define === 'function' && define.amd) define([], factory);
  else if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.Parley = factory();
}(typeof globalThis !== 'undefined' ? globalThis : typeof self !== 'undefined' ? self : this, function () {`;

// parley.umd.js is esbuild's ESM bundle of entry_umd.js inside UMD_HEAD, its export list
// (api.js's names and umdGlobal) turned into the factory's `return umdGlobal({name: value,
// ...})`: an IIFE bundle would add esbuild's CommonJS interop helpers (about 140 B gzipped),
// and `import * as api` a namespace object of getters, for the same object.
function umdFromEsm(code) {
  const m = /\nexport\s*\{([\w$\s,]*)\};?\n/.exec(code);
  if (!m || /^\s*(import|export)\b/m.test(code.slice(0, m.index))) {
    throw new Error('entry_umd.js: expected a bundle whose only export list is at its end');
  }
  const names = [];
  let global = null;
  for (const item of m[1].split(',').map((s) => s.trim()).filter(Boolean)) {
    const [local, name = local] = item.split(/\s+as\s+/);
    if (name === 'umdGlobal') global = local;
    else names.push(`${name}: ${local}`);
  }
  if (!global) throw new Error('entry_umd.js: expected an export named umdGlobal');
  return `${code.slice(0, m.index)}\nreturn ${global}({ ${names.join(', ')} });\n}));\n${code.slice(m.index + m[0].length)}`;
}

// Release bundles: esbuild bundles (and folds syntax), terser minifies: its compressor takes
// about 3% more off the gzipped bundle than esbuild's minifier. The UMD file is not mangled
// at top level (a script's top level is the page's global scope: it would leak `var`s);
// the ESM one is (`module`). Terser's unsafe_* options stay off: unsafe_arrows turns the
// message constructors (called as `new TextMessage(...)`) into arrows.
//
// Property names that start with one `_` are the SDK's internals (members of Client, Engine,
// MessageRegistry, WebStorage, NaviCache) and are shortened too, wherever terser sees them as names (also the string in
// Object.defineProperty(o, '_x')). Never give that prefix to anything an app, the core or
// the server reads by name (API, options, events, JSON keys, storage keys). The reserved
// ones are the wasm's own export (_initialize) and the core object of core_abi.js; `__`
// names (__esModule) are left alone.
const TERSER = {
  ecma: 2019,
  compress: { passes: 2 },
  mangle: {
    properties: { regex: /^_[^_]/, reserved: ['_initialize', '_Client', '_decodeFrame', '_encodeFrame'] },
  },
  format: { comments: false },
};

// Release: each `Enum.NAME` in web/src (ErrorCode.UNKNOWN, ConnectionStatus.CONNECTED, ...)
// becomes its number, read from enums.js itself. The enums are built at load from their
// spec strings, so terser cannot fold the references, which cost 10-30 B each. A name that
// is not a member fails the build.
async function enumConstants() {
  const enums = Object.fromEntries(Object.entries(await import(new URL('./src/enums.js', import.meta.url).href))
    .filter(([, v]) => typeof v === 'object'));
  // Not after a `.` or a name character: `x.ErrorCode.UNKNOWN` is some other object's.
  const member = new RegExp(`(?<![\\w$.])(${Object.keys(enums).join('|')})\\.([A-Za-z_]\\w*)\\b`, 'g');
  return {
    name: 'parley-enum-constants',
    setup(build) {
      build.onLoad({ filter: /[\\/]web[\\/]src[\\/][^\\/]+\.js$/ }, (args) => {
        if (path.basename(args.path) === 'enums.js') return undefined;
        const contents = fs.readFileSync(args.path, 'utf8').replace(member, (ref, e, name) => {
          const value = enums[e][name];
          if (typeof value !== 'number') throw new Error(`${args.path}: ${ref} is not an enum member`);
          return value < 0 ? `(${value})` : String(value);
        });
        return { contents, loader: 'js' };
      });
    },
  };
}

async function bundle(esbuild, flavour, outDir) {
  const release = flavour === 'release';
  const common = {
    bundle: true,
    minifySyntax: release,
    sourcemap: release ? false : 'inline',
    legalComments: 'none',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    // PARLEY_DEBUG false drops what only the debug wasm needs (core_abi.js: stdio imports).
    define: { 'process.env.NODE_ENV': '"production"', PARLEY_DEBUG: String(!release) },
    plugins: release ? [await enumConstants()] : [],
    write: false,
  };
  // ESM: the built-in message classes keep their names at top level (index.js takes them
  // out of BUILTIN_CLASSES only to export them), so the export list names each once:
  // `export{TextMessage,...}`, not `export{lt as TextMessage,...}`.
  const { BUILTIN_CLASSES } = await import(new URL('./src/messages.js', import.meta.url).href);
  const esmMangle = Object.assign({}, TERSER.mangle, { reserved: Object.keys(BUILTIN_CLASSES) });
  const builds = [
    [Object.assign({}, common, {
      entryPoints: [path.join(WEB, 'src', 'entry_umd.js')],
      outfile: path.join(outDir, 'parley.umd.js'),
      format: 'esm',
      target: 'es2019',
      banner: { js: UMD_HEAD },
    }), umdFromEsm, {}],
    [Object.assign({}, common, {
      entryPoints: [path.join(WEB, 'src', 'entry_esm.js')],
      outfile: path.join(outDir, 'parley.esm.js'),
      format: 'esm',
      target: 'es2020',
    }), (code) => code, { module: true, ecma: 2020, mangle: esmMangle }],
  ];
  const { minify } = await import(path.join(WEB, 'node_modules', 'terser', 'main.js'));
  for (const [options, finish, terserOptions] of builds) {
    const result = await esbuild.build(options);
    let code = finish(result.outputFiles[0].text);
    if (release) code = (await minify(code, Object.assign({}, TERSER, terserOptions))).code;
    fs.writeFileSync(options.outfile, code);
  }
}

function packageJson() {
  return {
    name: 'parley-im',
    version: '0.1.0',
    description: 'Parley: an IM Web SDK compatible with RongIMLib v2 (const RongIMLib = Parley), a C++ core compiled to WebAssembly.',
    license: 'UNLICENSED',
    main: './parley.umd.js',
    module: './parley.esm.js',
    browser: './parley.umd.js',
    types: './index.d.ts',
    exports: {
      '.': {
        types: './index.d.ts',
        import: './parley.esm.js',
        require: './parley.umd.js',
        default: './parley.esm.js',
      },
      './parley.wasm': './parley.wasm',
      './parley.umd.js': './parley.umd.js',
      './package.json': './package.json',
    },
    files: ['parley.umd.js', 'parley.esm.js', 'parley.wasm', 'index.d.ts', 'README.md'],
    sideEffects: ['./parley.umd.js'],
  };
}

const PACKAGE_README = `# parley-im

RongIMLib v2 compatible IM SDK over a WebAssembly core.

- Script tag: \`<script src="parley.umd.js"></script>\` (global \`Parley\`; \`parley.wasm\` next to it).
- Bundlers / ESM: \`import * as Parley from 'parley-im'\` (the wasm is referenced as
  \`new URL('./parley.wasm', import.meta.url)\`).
- Migrating from RongIMLib v2: \`const RongIMLib = Parley;\`

See the Parley repository README ("Using the SDK").
`;

function gz(file) {
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
}

async function main() {
  ensureNodeModules();
  const esbuild = await import(path.join(WEB, 'node_modules', 'esbuild', 'lib', 'main.js')).then((m) => m.default || m);
  let failed = false;
  for (const flavour of flavours) {
    const { wasm } = await ensureWasm(flavour);
    const outDir = path.join(ROOT, 'build', flavour === 'release' ? 'web' : 'web-debug');
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    await bundle(esbuild, flavour, outDir);
    fs.copyFileSync(wasm, path.join(outDir, 'parley.wasm'));
    fs.copyFileSync(path.join(WEB, 'index.d.ts'), path.join(outDir, 'index.d.ts'));
    fs.writeFileSync(path.join(outDir, 'package.json'), JSON.stringify(packageJson(), null, 2) + '\n');
    fs.writeFileSync(path.join(outDir, 'README.md'), PACKAGE_README);
    const w = gz(path.join(outDir, 'parley.wasm'));
    const umd = gz(path.join(outDir, 'parley.umd.js'));
    const esm = gz(path.join(outDir, 'parley.esm.js'));
    console.log(`[web] ${path.relative(ROOT, outDir)}: parley.wasm ${w} B, parley.umd.js ${umd} B, parley.esm.js ${esm} B (gzip -9)`);
    if (flavour === 'release') {
      const total = w + umd;
      const kb = (n) => (n / 1024).toFixed(1) + ' KB';
      console.log(`[web] SIZE parley.wasm + parley.umd.js = ${total} B gzipped (${kb(total)}); ` +
        `target ${kb(TARGET_BYTES)}: ${total <= TARGET_BYTES ? 'met' : 'NOT met, over by ' + kb(total - TARGET_BYTES)}; ` +
        `ceiling ${kb(CEILING_BYTES)}`);
      if (total > CEILING_BYTES) {
        console.error(`[web] size ceiling exceeded: ${total} > ${CEILING_BYTES} bytes gzipped`);
        failed = true;
      }
    }
  }
  if (failed) process.exit(1);
}

main().catch((e) => {
  console.error('[web] build failed: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
