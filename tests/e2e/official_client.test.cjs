'use strict';
// The official client's UMD builds (@rongcloud/engine 4.4.2 + @rongcloud/imlib-v2 2.9.2,
// globals RCEngine/RongIMLib) run the same demo page (official.html: demo/index.html with
// the two official scripts instead of parley.umd.js) in one browser context, Parley's
// demo in another; they chat through imserver, with unread counts and read ticks.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Env } = require('./lib/env.cjs');
const { launch, openPage, run } = require('./lib/browser.cjs');
const { DESKTOP } = require('./lib/scenario.cjs');
const d = require('./lib/demo.cjs');

let env;
let browser;
test.before(async () => { env = await Env.start(); browser = await launch(); });
test.after(async () => { if (browser) await browser.close(); if (env) await env.stop(); });

test('official client UMD page and Parley page chat through imserver', async (t) => {
  const official = await openPage(browser, 'official', DESKTOP);
  const parley = await openPage(browser, 'parley', DESKTOP);
  await run(t, [official, parley], async () => {
    const O = 'olga-official';
    const P = 'paul-parley';
    await d.signIn(official, env.url, O, { path: '/official.html' });
    assert.deepEqual(await official.page.evaluate(() => ({ lib: window.parleyDemo.lib, parley: typeof window.Parley, engine: typeof window.RCEngine })),
      { lib: 'official', parley: 'undefined', engine: 'object' });
    await d.signIn(parley, env.url, P);
    assert.equal(await parley.page.evaluate(() => window.parleyDemo.lib), 'parley');

    // official -> Parley
    await d.openPrivate(official, P);
    await d.send(official, 'hello from the official client, 你好');
    await d.waitState(parley, (s) => s.conversations.some((c) => c.key === `1:${O}` && c.unread === 1 && c.latest === 'hello from the official client, 你好'),
      'the official message, unread, at Parley');
    await d.openConversation(parley, `1:${O}`);
    // Parley read it: the official page shows the read tick.
    await d.waitState(official, (s) => s.messages.length === 1 && s.messages[0].read, 'the read tick at the official page');

    // Parley -> official
    await d.send(parley, 'hello from Parley');
    await d.waitState(official, (s) => d.count(s, 'hello from Parley') === 1, 'the Parley message at the official page');
    await d.waitState(parley, (s) => s.messages.some((m) => m.mine && m.text === 'hello from Parley' && m.read), 'the read tick at Parley');
    const [so, sp] = [await d.snapshot(official), await d.snapshot(parley)];
    assert.deepEqual(so.messages.map((m) => [m.uid, m.text]), sp.messages.map((m) => [m.uid, m.text]));
  });
});
