'use strict';
// The Vite SPA (demo/spa) built against Parley's ESM package: the bundle loads in Chromium,
// the wasm comes from the bundler's asset (served as application/wasm), and it exchanges
// messages with a user on the demo page.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Env } = require('./lib/env.cjs');
const { launch, openPage, run } = require('./lib/browser.cjs');
const { DESKTOP } = require('./lib/scenario.cjs');
const d = require('./lib/demo.cjs');

let env;
let browser;
test.before(async () => { env = await Env.start({ spa: true }); browser = await launch(); });
test.after(async () => { if (browser) await browser.close(); if (env) await env.stop(); });

test('Vite SPA build exchanges a message with the demo page', async (t) => {
  const spa = await openPage(browser, 'spa', DESKTOP);
  const demo = await openPage(browser, 'demo', DESKTOP);
  await run(t, [spa, demo], async () => {
    const S = 'sam-spa';
    const D = 'dora-demo';
    const wasm = [];
    spa.page.on('response', (r) => { if (/\.wasm(\?|$)/.test(r.url())) wasm.push({ url: r.url(), type: r.headers()['content-type'], status: r.status() }); });
    await d.signIn(demo, env.url, D);
    await spa.page.goto(`${env.url}/spa/?user=${S}&peer=${D}`);
    assert.equal(await spa.page.evaluate(() => window.parleySpa.ready), S);
    assert.equal(wasm.length, 1);
    assert.match(wasm[0].url, /\/spa\/assets\/parley-[\w-]+\.wasm$/, 'the wasm is the bundler-emitted asset');
    assert.equal(wasm[0].type, 'application/wasm');
    // The bundle is Vite's output, not the package file.
    const scripts = await spa.page.evaluate(() => Array.from(document.scripts).map((s) => s.src));
    assert.ok(scripts.some((src) => /\/spa\/assets\/index-[\w-]+\.js$/.test(src)), JSON.stringify(scripts));

    await d.openPrivate(demo, S);
    await d.send(demo, 'hello SPA');
    await spa.page.waitForFunction(() => window.parleySpa.received.some((m) => m.text === 'hello SPA'));
    await spa.page.fill('#text', 'hello from the Vite SPA');
    await spa.page.press('#text', 'Enter');
    await d.waitState(demo, (s) => d.count(s, 'hello from the Vite SPA') === 1, 'the SPA message on the demo page');
    await spa.page.locator('.log li.out', { hasText: 'hello from the Vite SPA' }).waitFor();
  });
});
