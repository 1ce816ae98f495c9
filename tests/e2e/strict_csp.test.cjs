'use strict';
// The demo page served with `Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'`
// (no 'unsafe-eval', no inline script): Parley compiles its wasm, connects and chats, and
// the page reports no CSP violation. The page comes from a static server that sends the
// header; it talks to imserver on another origin (navi=..., CORS).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { Env, staticServer } = require('./lib/env.cjs');
const { launch, openPage, run } = require('./lib/browser.cjs');
const { DESKTOP } = require('./lib/scenario.cjs');
const d = require('./lib/demo.cjs');

const CSP = "script-src 'self' 'wasm-unsafe-eval'";

let env;
let browser;
let strict;
test.before(async () => {
  env = await Env.start();
  browser = await launch();
  strict = await staticServer(env.site, { 'Content-Security-Policy': CSP });
});
test.after(async () => {
  if (strict) await strict.close();
  if (browser) await browser.close();
  if (env) await env.stop();
});

test('strict CSP page (script-src self + wasm-unsafe-eval) connects and chats', async (t) => {
  const csp = await openPage(browser, 'strict-csp', DESKTOP, {
    initScripts: [() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    }],
  });
  const peer = await openPage(browser, 'peer', DESKTOP);
  await run(t, [csp, peer], async () => {
    const C = 'carla-csp';
    const P = 'pete-peer';
    const query = `navi=${encodeURIComponent(env.url)}&appKey=${env.appKey}`;
    const response = await csp.page.goto(`${strict.url}/?${query}`);
    assert.equal(response.headers()['content-security-policy'], CSP);
    await d.signIn(csp, strict.url, C, { query });
    await d.signIn(peer, env.url, P);
    await d.openPrivate(csp, P);
    await d.send(csp, 'hello from a strict CSP page');
    await d.waitState(peer, (s) => s.conversations.some((c) => c.key === `1:${C}` && c.latest === 'hello from a strict CSP page'), 'the message at the peer');
    await d.openConversation(peer, `1:${C}`);
    await d.send(peer, 'hello back');
    await d.waitState(csp, (s) => d.count(s, 'hello back') === 1 && s.messages.some((m) => m.mine && m.read), 'the reply and the read tick');
    assert.deepEqual(await csp.page.evaluate(() => window.__cspViolations), []);

    // And the policy is in force: a same-origin script may not eval, an inline one may not run.
    fs.writeFileSync(path.join(env.site, 'csp-probe.js'),
      'try { window.__evalResult = String(eval("1 + 1")); } catch (e) { window.__evalResult = e.name; }\n');
    const probe = await csp.page.evaluate(() => new Promise((resolve) => {
      const inline = document.createElement('script');
      inline.textContent = 'window.__inlineRan = true;';
      document.head.appendChild(inline);
      const s = document.createElement('script');
      s.src = 'csp-probe.js';
      s.onload = () => resolve({ evalResult: window.__evalResult, inlineRan: !!window.__inlineRan });
      s.onerror = () => resolve({ error: 'probe did not load' });
      document.head.appendChild(s);
    }));
    assert.deepEqual(probe, { evalResult: 'EvalError', inlineRan: false });
  });
});
