'use strict';
// localStorage that throws: disabled (every access throws SecurityError, as with blocked
// site data) in one page, full (every write throws QuotaExceededError) in the other. The
// page still signs in and chats, on memory storage, without an uncaught error.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Env } = require('./lib/env.cjs');
const { launch, openPage, run } = require('./lib/browser.cjs');
const { DESKTOP } = require('./lib/scenario.cjs');
const d = require('./lib/demo.cjs');

const DISABLED = () => {
  Object.defineProperty(window, 'localStorage', {
    configurable: true,
    get() { throw new DOMException('Access is denied for this document.', 'SecurityError'); },
  });
};
const FULL = () => {
  Storage.prototype.setItem = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
};

let env;
let browser;
test.before(async () => { env = await Env.start(); browser = await launch(); });
test.after(async () => { if (browser) await browser.close(); if (env) await env.stop(); });

test('localStorage disabled or full: the page works on memory storage', async (t) => {
  const off = await openPage(browser, 'storage-disabled', DESKTOP, { initScripts: [DISABLED] });
  const full = await openPage(browser, 'storage-full', DESKTOP, { initScripts: [FULL] });
  await run(t, [off, full], async () => {
    const errors = [];
    for (const p of [off, full]) p.page.on('pageerror', (e) => errors.push(`${p.name}: ${e.message}`));
    await off.page.goto(env.url + '/');
    assert.equal(await off.page.evaluate(() => { try { return typeof window.localStorage; } catch (e) { return e.name; } }), 'SecurityError');
    await full.page.goto(env.url + '/');
    assert.equal(await full.page.evaluate(() => { try { localStorage.setItem('x', '1'); return 'stored'; } catch (e) { return e.name; } }), 'QuotaExceededError');

    const X = 'xena-nostorage';
    const Y = 'yuri-fullstorage';
    await d.signIn(off, env.url, X);
    await d.signIn(full, env.url, Y);
    await d.openPrivate(off, Y);
    await d.send(off, 'from the page without storage');
    await d.waitState(full, (s) => s.conversations.some((c) => c.key === `1:${X}` && c.unread === 1), 'unread at the full-storage page');
    await d.openConversation(full, `1:${X}`);
    await d.waitState(full, (s) => d.count(s, 'from the page without storage') === 1, 'the message received');
    await d.send(full, 'from the page with full storage');
    await d.waitState(off, (s) => d.count(s, 'from the page with full storage') === 1, 'the reply received');
    await d.waitState(off, (s) => s.messages.some((m) => m.mine && m.read), 'the read tick without storage');
    assert.deepEqual(errors, []);
  });
});
