'use strict';
// The two pictures of the demo the README and the issue point at, from a real conversation:
//   build/e2e/demo-desktop.png  alice on a 1280x800 desktop: the list (an unread badge from
//                               carol), the conversation with bob (read ticks, a recalled
//                               message), a half-typed message
//   build/e2e/demo-phone.png    bob on a phone (390x844 at 2x): the same conversation, with
//                               "alice is typing…" in the header
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { Env } = require('./lib/env.cjs');
const { launch, openPage, run, OUT } = require('./lib/browser.cjs');
const d = require('./lib/demo.cjs');

const PHONE = {
  viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/156.0.0.0 Mobile Safari/537.36',
};

let env;
let browser;
test.before(async () => { env = await Env.start(); browser = await launch(); });
test.after(async () => { if (browser) await browser.close(); if (env) await env.stop(); });

test('demo screenshots (desktop and phone)', async (t) => {
  const alice = await openPage(browser, 'desktop', { viewport: { width: 1280, height: 800 } });
  const bob = await openPage(browser, 'phone', PHONE);
  const carol = await openPage(browser, 'carol', { viewport: { width: 1000, height: 700 } });
  await run(t, [alice, bob], async () => {
    await d.signIn(alice, env.url, 'alice');
    await d.signIn(bob, env.url, 'bob');
    await d.signIn(carol, env.url, 'carol');

    await d.openPrivate(carol, 'alice');
    await d.send(carol, 'Are we still on for lunch tomorrow?');
    await d.openPrivate(alice, 'bob');
    await d.openPrivate(bob, 'alice');
    const script = [
      [alice, 'Hi Bob! Did the new build reach the test phones?'],
      [bob, 'Yes, installed on both this morning.'],
      [bob, 'Reconnects look much better: I switched Wi-Fi off and on in the lift and nothing got lost.'],
      [alice, 'Great. Messages sent while offline go out when the link comes back, once each.'],
      [alice, 'Can you try the long-polling fallback in the old WebView too?'],
      [bob, 'On it.'],
      [alice, 'Thanks!'],
    ];
    for (const [p, text] of script) {
      await d.send(p, text);
      const other = p === alice ? bob : alice;
      await d.waitState(other, (s) => d.count(s, text) === 1, `"${text}" delivered`);
    }
    await d.waitState(alice, (s) => s.messages.filter((m) => m.mine).every((m) => m.read), 'alice sees her messages read');
    await d.waitState(bob, (s) => s.messages.filter((m) => m.mine).every((m) => m.read), 'bob sees his messages read');
    await d.waitState(alice, (s) => s.conversations.some((c) => c.key === '1:carol' && c.unread === 1), 'carol unread at alice');
    await alice.page.locator('button.conv[data-key="1:carol"] .badge').waitFor();
    // A message sent to the wrong chat and recalled; then alice types (bob sees it).
    await d.send(alice, 'Lunch at 12:30 with carol?');
    const sent = await d.waitState(alice, (x) => x.messages.some((m) => m.text === 'Lunch at 12:30 with carol?' && m.uid), 'the stray message sent');
    const uid = sent.messages.find((m) => m.text === 'Lunch at 12:30 with carol?').uid;
    await alice.page.locator(`.msg[data-uid="${uid}"] .bubble`).hover();
    await alice.page.locator(`.msg[data-uid="${uid}"] .recall`).click();
    await d.waitState(bob, (x) => x.messages.some((m) => m.uid === uid && m.recalled), 'the recall at bob');
    await alice.page.click('#text');
    await alice.page.keyboard.type('I will send the notes after the ', { delay: 20 });
    await d.waitState(bob, (x) => x.typing.some(([k]) => k === '1:alice'), 'alice typing at bob');
    await alice.page.mouse.move(0, 790);
    await d.sleep(300);
    await alice.page.screenshot({ path: path.join(OUT, 'demo-desktop.png') });
    await bob.page.screenshot({ path: path.join(OUT, 'demo-phone.png') });
    const s = await d.snapshot(bob);
    assert.equal(s.messages.length, script.length + 1);
  });
  await carol.context.close();
});
