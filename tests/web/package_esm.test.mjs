// The release package as an npm package: `import 'parley-im'` (ESM, the wasm found through
// new URL('./parley.wasm', import.meta.url)) and `require('parley-im')` (UMD) resolve
// through package.json "exports"; the ESM build connects to a real imserver and talks to
// the UMD build; the types file is there.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { ImServer } = require('../interop/lib/imserver_process.cjs');
const { packageDir, realClient, waitFor } = require('./lib/harness.cjs');

test('parley-im resolves as ESM and CommonJS; the ESM build talks to the UMD build via imserver', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pkg-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(packageDir('release'), path.join(dir, 'node_modules', 'parley-im'), 'dir');
  fs.writeFileSync(path.join(dir, 'app.mjs'), "export * as Parley from 'parley-im';\n");
  const server = await ImServer.start();
  try {
    const { Parley: Esm } = await import(pathToFileURL(path.join(dir, 'app.mjs')).href);
    const Umd = createRequire(path.join(dir, 'app.cjs'))('parley-im');
    assert.equal(typeof Esm.RongIMClient.init, 'function');
    assert.equal(typeof Umd.RongIMClient.init, 'function');
    assert.equal(Esm.ErrorCode.RC_MSG_CONTENT_EXCEED_LIMIT, 30016);
    assert.ok(fs.statSync(path.join(packageDir('release'), 'index.d.ts')).size > 1000);
    const pkg = JSON.parse(fs.readFileSync(path.join(packageDir('release'), 'package.json'), 'utf8'));
    assert.equal(pkg.exports['.'].import, './parley.esm.js');
    assert.equal(pkg.exports['.'].types, './index.d.ts');
    const esmSource = fs.readFileSync(path.join(packageDir('release'), 'parley.esm.js'), 'utf8');
    assert.match(esmSource, /new URL\("\.\/parley\.wasm",import\.meta\.url\)/, 'the form bundlers pick up');

    const a = realClient(Esm, server);
    const b = realClient(Umd, server);
    assert.equal(await a.connect((await server.getToken('esm-a')).token), 'esm-a');
    assert.equal(await b.connect((await server.getToken('umd-b')).token), 'umd-b');
    await a.sendMessage(Esm.ConversationType.PRIVATE, 'umd-b', new Esm.TextMessage({ content: 'from ESM' }));
    await waitFor(() => b.received.length === 1, { what: 'UMD receives' });
    assert.equal(b.received[0].content.content, 'from ESM');
    for (const c of [a, b]) { await c.disconnect(); c.destroy(); }
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
