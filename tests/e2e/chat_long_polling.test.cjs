'use strict';
// The same conversation with `WebSocket` deleted from both pages before Parley loads (some
// Android WebViews): Parley uses XHR long polling (comet, PROTOCOL.md §5) and everything works.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Env } = require('./lib/env.cjs');
const { launch } = require('./lib/browser.cjs');
const { privateChat } = require('./lib/scenario.cjs');

let env;
let browser;
test.before(async () => { env = await Env.start(); browser = await launch(); });
test.after(async () => { if (browser) await browser.close(); if (env) await env.stop(); });

test('demo page without WebSocket: long polling', async (t) => {
  const polls = { alice: 0, bob: 0 };
  const sockets = [];
  await privateChat(t, env, browser, {
    label: 'long-polling',
    initScripts: [() => { delete window.WebSocket; }],
    before: async (alice, bob) => {
      for (const p of [alice, bob]) {
        p.page.on('request', (r) => { if (/\/pullmsg\.js\?/.test(r.url())) polls[p.name]++; });
        p.page.on('websocket', (ws) => sockets.push(ws.url()));
      }
    },
    check: async (alice, bob) => {
      for (const p of [alice, bob]) assert.equal(await p.page.evaluate(() => typeof window.WebSocket), 'undefined');
    },
  });
  assert.ok(polls.alice > 0 && polls.bob > 0, `both pages long-poll /pullmsg.js (${JSON.stringify(polls)})`);
  assert.deepEqual(sockets, []);
});
