'use strict';
// Two users in two browser contexts chat through the demo page over WebSocket: unread badge,
// read tick, typing indicator and recall, each seen on the other side.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Env } = require('./lib/env.cjs');
const { launch } = require('./lib/browser.cjs');
const { privateChat } = require('./lib/scenario.cjs');

let env;
let browser;
test.before(async () => { env = await Env.start(); browser = await launch(); });
test.after(async () => { if (browser) await browser.close(); if (env) await env.stop(); });

test('demo page over WebSocket: two users chat', async (t) => {
  const sockets = { alice: [], bob: [] };
  const polls = [];
  await privateChat(t, env, browser, {
    label: 'websocket',
    before: async (alice, bob) => {
      for (const p of [alice, bob]) {
        p.page.on('websocket', (ws) => sockets[p.name].push(ws.url()));
        p.page.on('request', (r) => { if (/\/pullmsg\.js\?/.test(r.url())) polls.push(r.url()); });
      }
    },
    check: async (alice) => {
      assert.equal(await alice.page.evaluate(() => window.parleyDemo.lib), 'parley');
    },
  });
  for (const name of ['alice', 'bob']) {
    assert.ok(sockets[name].length >= 1 && sockets[name].every((u) => /\/websocket\?appId=parley-demo&/.test(u)),
      `${name} connected over WebSocket: ${JSON.stringify(sockets[name])}`);
  }
  assert.deepEqual(polls, [], 'no long polling');
});
