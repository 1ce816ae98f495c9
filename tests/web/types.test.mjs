// index.d.ts type-checks (tsc --strict) against v2-style code: callbacks, Promise forms,
// enums, message classes, createClient. The package is resolved as `parley-im` through
// its package.json, as an app would.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('index.d.ts: v2 usage type-checks with tsc --strict', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-types-'));
  try {
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(path.join(ROOT, 'build', 'web'), path.join(dir, 'node_modules', 'parley-im'), 'dir');
    fs.copyFileSync(path.join(ROOT, 'tests', 'web', 'types', 'v2_usage.ts'), path.join(dir, 'v2_usage.ts'));
    const tsc = path.join(ROOT, 'web', 'node_modules', 'typescript', 'bin', 'tsc');
    let out = '';
    try {
      out = execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
        '--target', 'es2020', 'v2_usage.ts'], { cwd: dir, encoding: 'utf8' });
    } catch (e) {
      out = (e.stdout || '') + (e.stderr || '');
      assert.fail('tsc reported errors:\n' + out);
    }
    assert.equal(out.trim(), '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
