'use strict';
// The demo in a phone WebView (emulated: 390x844 viewport, touch, an Android WebView user
// agent): one pane at a time, send with the keyboard's Enter and with a tap on the button
// (seed 003: both must work), the input keeps focus after a tap (the keyboard stays up),
// Enter during IME composition does not send, nothing overflows sideways.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Env } = require('./lib/env.cjs');
const path = require('path');
const { launch, openPage, run, OUT } = require('./lib/browser.cjs');
const { DESKTOP } = require('./lib/scenario.cjs');
const d = require('./lib/demo.cjs');

const PHONE = {
  viewport: { width: 390, height: 844 },
  screen: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 ' +
    '(KHTML, like Gecko) Version/4.0 Chrome/156.0.0.0 Mobile Safari/537.36',
};

let env;
let browser;
test.before(async () => { env = await Env.start(); browser = await launch(); });
test.after(async () => { if (browser) await browser.close(); if (env) await env.stop(); });

test('mobile WebView: send with Enter and with the button', async (t) => {
  const phone = await openPage(browser, 'phone', PHONE);
  const desk = await openPage(browser, 'desktop', DESKTOP);
  await run(t, [phone, desk], async () => {
    const P = 'mia-phone';
    const D = 'dan-desktop';
    await phone.page.goto(env.url + '/');
    assert.deepEqual(await phone.page.evaluate(() => ({ touch: 'ontouchstart' in window, width: innerWidth, mobile: /Mobile/.test(navigator.userAgent) })),
      { touch: true, width: 390, mobile: true });
    await phone.page.tap('#signin-user');
    await phone.page.fill('#signin-user', P);
    await phone.page.tap('#signin-go');
    await d.waitState(phone, (s) => s.status === 0 && s.userId === P, 'the phone connected');
    await d.signIn(desk, env.url, D);

    // The list pane alone; opening a chat shows the conversation pane alone.
    assert.equal(await phone.page.isVisible('.sidebar'), true);
    assert.equal(await phone.page.isVisible('.conversation'), false);
    await phone.page.tap('#newchat-user');
    await phone.page.fill('#newchat-user', D);
    await phone.page.press('#newchat-user', 'Enter');
    await d.waitState(phone, (s) => s.open === `1:${D}`, 'the conversation open on the phone');
    assert.equal(await phone.page.isVisible('.sidebar'), false);
    assert.equal(await phone.page.isVisible('#back'), true);

    // Enter on the keyboard.
    await phone.page.tap('#text');
    await phone.page.fill('#text', 'sent with Enter');
    await phone.page.keyboard.press('Enter');
    await d.waitState(phone, (s) => d.count(s, 'sent with Enter') === 1, 'the Enter message shown');
    assert.equal(await phone.page.inputValue('#text'), '');

    // A tap on Send; the input keeps focus (the keyboard would stay up).
    await phone.page.fill('#text', 'sent with the button');
    await phone.page.tap('#send');
    await d.waitState(phone, (s) => d.count(s, 'sent with the button') === 1, 'the button message shown');
    assert.equal(await phone.page.inputValue('#text'), '');
    assert.equal(await phone.page.evaluate(() => document.activeElement && document.activeElement.id), 'text');

    // Enter that confirms an IME composition does not send.
    await phone.page.fill('#text', 'ni hao');
    await phone.page.evaluate(() => {
      const input = document.getElementById('text');
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', keyCode: 229, isComposing: true, bubbles: true, cancelable: true }));
    });
    await d.sleep(300);
    assert.equal(await phone.page.inputValue('#text'), 'ni hao');
    await phone.page.fill('#text', '');

    // The other side got both, once each and in order.
    const s = await d.waitState(desk, (x) => x.conversations.some((c) => c.key === `1:${P}` && c.unread === 2),
      'two unread from the phone on the desktop');
    assert.equal(s.conversations.find((c) => c.key === `1:${P}`).latest, 'sent with the button');
    await d.openConversation(desk, `1:${P}`);
    const got = await d.waitState(desk, (x) => x.messages.length === 2, 'both messages on the desktop');
    assert.deepEqual(got.messages.map((m) => m.text), ['sent with Enter', 'sent with the button']);

    // A reply arrives on the phone; nothing is wider than the screen; back to the list.
    await d.send(desk, 'got both');
    await d.waitState(phone, (x) => d.count(x, 'got both') === 1, 'the reply on the phone');
    assert.equal(await phone.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
    await phone.page.locator('.msg.theirs .text', { hasText: 'got both' }).waitFor();
    await phone.page.screenshot({ path: path.join(OUT, 'mobile-webview-conversation.png') });
    await phone.page.tap('#back');
    assert.equal(await phone.page.isVisible('.sidebar'), true);
    assert.match(await phone.page.textContent(`button.conv[data-key="1:${D}"] .preview`), /got both/);
    assert.equal(await phone.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
  });
});
