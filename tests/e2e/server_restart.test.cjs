'use strict';
// imserver killed (-9) and restarted on the same port and database in the middle of a
// conversation: both pages show the reconnecting banner, recover by themselves, and every
// message sent before, during and after the outage appears exactly once on both sides,
// acknowledged, in the same order.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Env } = require('./lib/env.cjs');
const path = require('path');
const { launch, openPage, run, OUT } = require('./lib/browser.cjs');
const { DESKTOP } = require('./lib/scenario.cjs');
const d = require('./lib/demo.cjs');

let env;
let browser;
test.before(async () => { env = await Env.start(); browser = await launch(); });
test.after(async () => { if (browser) await browser.close(); if (env) await env.stop(); });

test('imserver killed and restarted mid-conversation', async (t) => {
  const alice = await openPage(browser, 'alice', DESKTOP);
  const bob = await openPage(browser, 'bob', DESKTOP);
  await run(t, [alice, bob], async () => {
    const A = 'alice-restart';
    const B = 'bob-restart';
    await d.signIn(alice, env.url, A);
    await d.signIn(bob, env.url, B);
    await d.openPrivate(alice, B);
    await d.openPrivate(bob, A);

    const texts = [];
    const say = async (p, text) => { texts.push(text); await d.send(p, text); };
    await say(alice, 'before 1 (alice)');
    await say(bob, 'before 2 (bob)');
    await d.waitState(alice, (s) => d.count(s, 'before 2 (bob)') === 1, 'the first exchange');

    await env.server.kill9();
    for (const p of [alice, bob]) {
      await d.waitState(p, (s) => /Reconnecting|Offline/.test(s.banner), 'the reconnecting banner', { timeoutMs: 40_000 });
      assert.equal(await p.page.isVisible('#banner'), true);
    }
    // Sent while the server is down: queued (clock icon), not failed.
    await say(alice, 'during 3 (alice)');
    await say(bob, 'during 4 (bob)');
    await say(alice, 'during 5 (alice)');
    await d.waitState(alice, (s) => s.messages.filter((m) => m.mine && m.state === 'sending').length === 2, 'two queued messages at alice');
    await alice.page.locator('.tick.sending').nth(1).waitFor();
    await alice.page.screenshot({ path: path.join(OUT, 'server-restart-while-down-alice.png') });

    await env.server.restart();
    for (const p of [alice, bob]) {
      await d.waitState(p, (s) => s.status === 0 && s.banner === '', 'reconnected by itself, banner gone', { timeoutMs: 60_000 });
    }
    await say(bob, 'after 6 (bob)');
    await say(alice, 'after 7 (alice)');

    for (const p of [alice, bob]) {
      const s = await d.waitState(p, (x) => texts.every((txt) => d.count(x, txt) >= 1) && x.messages.every((m) => m.state === 'sent'),
        `all ${texts.length} messages shown and acknowledged`, { timeoutMs: 60_000 });
      for (const txt of texts) assert.equal(d.count(s, txt), 1, `${p.name} shows "${txt}" exactly once`);
      assert.equal(s.messages.length, texts.length, `${p.name} shows nothing else`);
      const uids = s.messages.map((m) => m.uid);
      assert.equal(new Set(uids).size, uids.length, 'distinct messageUIds');
      // Each sender's own messages keep their order.
      for (const who of ['alice', 'bob']) {
        const mine = texts.filter((x) => x.includes(`(${who})`));
        assert.deepEqual(s.messages.filter((m) => m.text.includes(`(${who})`)).map((m) => m.text), mine);
      }
    }
    // Both pages hold the same messages (same ids).
    const [sa, sb] = [await d.snapshot(alice), await d.snapshot(bob)];
    assert.deepEqual(sa.messages.map((m) => m.uid).sort(), sb.messages.map((m) => m.uid).sort());
  });
});
