'use strict';
// A conversation of 10,000 messages in the demo's virtualised list (seed 001 §5): history is
// paged upward as the user scrolls to the top, the row in view stays put while older pages
// are prepended, the DOM never holds more than a screenful or two of rows, every message
// ends up shown once and in order, and sweeping through the whole list keeps frames short.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Env } = require('./lib/env.cjs');
const { launch, openPage, run } = require('./lib/browser.cjs');
const { DESKTOP } = require('./lib/scenario.cjs');
const { seedPrivate } = require('./lib/seed.cjs');
const d = require('./lib/demo.cjs');

const N = 10_000;
const MAX_ROWS = 120;   // rows in the DOM at any time (a 760 px viewport + overscan holds ~50)

let env;
let browser;
test.before(async () => {
  // Durability normal: 10,000 seeded messages without 10,000 fsyncs; no send rate limit.
  env = await Env.start({ serverArgs: ['--durability', 'normal', '--send-rate', '100000'] });
  browser = await launch();
});
test.after(async () => { if (browser) await browser.close(); if (env) await env.stop(); });

test('10,000-message history: paged upward, virtualised, smooth', async (t) => {
  const A = 'hana-history';
  const B = 'ivan-history';
  const texts = Array.from({ length: N }, (_, i) => `message ${String(i + 1).padStart(5, '0')}` +
    (i % 7 === 3 ? ' — a longer one that wraps onto a second line in a bubble of the demo page, to vary row heights' : ''));
  const seeded = await seedPrivate(env.server, (await env.server.getToken(A)).token, B, texts);
  assert.equal(seeded.length, N);

  const ivan = await openPage(browser, 'reader', DESKTOP);
  await run(t, [ivan], async () => {
    await d.signIn(ivan, env.url, B);
    await d.waitState(ivan, (s) => s.conversations.some((c) => c.key === `1:${A}` && c.unread === N), `${N} unread in the list`,
      { timeoutMs: 30_000 });
    await d.openConversation(ivan, `1:${A}`);
    await d.waitState(ivan, (s) => s.messages.length > 0 && s.messages[s.messages.length - 1].text === texts[N - 1], 'the newest page shown');
    await ivan.page.locator('.msg .text', { hasText: 'message 10000' }).waitFor();

    // Scroll to the top again and again: each time an older page is prepended and the row
    // that was at the top stays where it was.
    const t0 = Date.now();
    let loads = 0;
    let maxRows = 0;
    for (;;) {
      const before = await d.snapshot(ivan, { brief: true });
      maxRows = Math.max(maxRows, before.renderedRows);
      if (!before.hasMore) break;
      const top = await ivan.page.evaluate(() => {
        const s = window.parleyDemo.scroller;
        s.scrollTop = 0;
        s.dispatchEvent(new Event('scroll'));
        return window.parleyDemo.visible()[0];
      });
      const after = await d.waitState(ivan, (s) => s.messageCount > before.messageCount || !s.hasMore, 'an older page',
        { timeoutMs: 20_000, brief: true, intervalMs: 10 });
      loads++;
      if (loads % 25 === 1 && top) {
        const rows = await ivan.page.evaluate(() => window.parleyDemo.visible());
        const same = rows.find((r) => r.text === top.text);
        assert.ok(same, `"${top.text}" still in view after prepending (${JSON.stringify(rows.slice(0, 3))})`);
        assert.ok(Math.abs(same.y - top.y) <= 2, `"${top.text}" stayed at ${top.y}px (now ${same.y}px)`);
      }
      assert.ok(after.renderedRows <= MAX_ROWS, `${after.renderedRows} rows in the DOM`);
      assert.ok(Date.now() - t0 < 240_000, `paging through ${N} messages took too long (${loads} pages)`);
    }
    const all = await d.snapshot(ivan);
    t.diagnostic(`${N} messages in ${loads} pages in ${Date.now() - t0} ms; at most ${maxRows} rows in the DOM`);
    assert.equal(all.messages.length, N, 'every message once');
    assert.deepEqual(all.messages.map((m) => m.text), texts, 'in order');
    assert.deepEqual(all.messages.map((m) => m.uid), seeded.map((m) => m.msgUId));

    // At the top: the first message is on screen.
    await ivan.page.evaluate(() => { window.parleyDemo.scroller.scrollTop = 0; });
    await ivan.page.locator('.msg .text', { hasText: 'message 00001' }).waitFor();

    // Sweep: 120 frames of ordinary scrolling (60 px a frame), then 120 frames jumping
    // through the whole list (every frame a screen of rows never seen before).
    const sweep = await ivan.page.evaluate(async () => {
      const s = window.parleyDemo.scroller;
      const frame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
      const times = [];
      let maxRows = 0;
      let last = await frame();
      const max = s.scrollHeight - s.clientHeight;
      const positions = [];
      for (let i = 0; i < 120; i++) positions.push(Math.round(max * 0.5) + i * 60);
      for (let i = 0; i < 120; i++) positions.push(Math.round(max - (i * max) / 119));
      for (const y of positions) {
        s.scrollTop = y;
        const now = await frame();
        times.push(now - last);
        last = now;
        maxRows = Math.max(maxRows, s.querySelectorAll('.vl-row').length);
      }
      times.sort((a, b) => a - b);
      return { median: times[times.length >> 1], p95: times[Math.floor(times.length * 0.95)], max: times[times.length - 1], maxRows, height: s.scrollHeight };
    });
    t.diagnostic(`sweep of ${sweep.height} px: frame median ${sweep.median.toFixed(1)} ms, p95 ${sweep.p95.toFixed(1)} ms, ` +
      `max ${sweep.max.toFixed(1)} ms, at most ${sweep.maxRows} rows`);
    assert.ok(sweep.maxRows <= MAX_ROWS, `${sweep.maxRows} rows in the DOM while sweeping`);
    assert.ok(sweep.median < 34, `median frame ${sweep.median.toFixed(1)} ms (two frames at 60 Hz is the bound)`);
    assert.ok(sweep.p95 < 100, `95th percentile frame ${sweep.p95.toFixed(1)} ms`);
    await ivan.page.evaluate(() => { window.parleyDemo.scroller.scrollTop = window.parleyDemo.scroller.scrollHeight * 0.4; });
    await d.sleep(200);
  });
});
