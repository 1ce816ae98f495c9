'use strict';
// The demo's group ("Parley group", created with the server API) and chatroom ("Lobby",
// joined when opened): messages both ways with sender names, the group's unread badge,
// the chatroom's member count.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Env } = require('./lib/env.cjs');
const { launch, openPage, run } = require('./lib/browser.cjs');
const { DESKTOP } = require('./lib/scenario.cjs');
const d = require('./lib/demo.cjs');

const GROUP = '3:parley-group';
const ROOM = '4:parley-lobby';

let env;
let browser;
test.before(async () => { env = await Env.start(); browser = await launch(); });
test.after(async () => { if (browser) await browser.close(); if (env) await env.stop(); });

test('group chat and chatroom', async (t) => {
  const A = 'gina-group';
  const B = 'hugo-group';
  const gina = await openPage(browser, 'gina', DESKTOP);
  const hugo = await openPage(browser, 'hugo', DESKTOP);
  const pages = [gina, hugo];
  await run(t, pages, async () => {
    await d.signIn(gina, env.url, A);
    await d.signIn(hugo, env.url, B);
  });

  await t.test('group: fan-out, unread badge, sender names', async (st) => run(st, pages, async () => {
    await env.createGroup('parley-group', [A, B], 'Parley group');
    await d.openConversation(gina, GROUP);
    await d.send(gina, 'hello group');
    await d.waitState(gina, (s) => s.messages.some((m) => m.text === 'hello group' && m.state === 'sent'), 'the group message acknowledged',
      { hint: 'imserver must accept pgMsgP from members and fan it out (issue 6, "Groups")' });
    await d.waitState(hugo, (s) => s.conversations.some((c) => c.key === GROUP && c.unread === 1 && c.latest === 'hello group'),
      'the group message, unread, at hugo', { hint: 'imserver must fan pgMsgP out to the group members (issue 6, "Groups")' });
    assert.match(await hugo.page.textContent(`button.conv[data-key="${GROUP}"] .preview`), new RegExp(`${A}: hello group`));
    await d.openConversation(hugo, GROUP);
    await hugo.page.locator('.msg.theirs .sender', { hasText: A }).waitFor();
    await d.send(hugo, 'hi everyone');
    await d.waitState(gina, (s) => d.count(s, 'hi everyone') === 1 && d.count(s, 'hello group') === 1, 'the reply in the group at gina');
    await gina.page.locator('.msg.theirs .sender', { hasText: B }).waitFor();
  }));

  await t.test('chatroom: join on open, messages both ways, member count', async (st) => run(st, pages, async () => {
    const hint = 'imserver must implement chatrooms: joinChrm, chrmPull, chatMsg fan-out, queryChrmI (issue 6, "Chatrooms")';
    await d.openConversation(gina, ROOM);
    await d.openConversation(hugo, ROOM);
    await d.send(gina, 'hello lobby');
    await d.waitState(hugo, (s) => d.count(s, 'hello lobby') === 1, 'the chatroom message at hugo', { hint });
    await d.send(hugo, 'hello from hugo in the lobby');
    await d.waitState(gina, (s) => d.count(s, 'hello from hugo in the lobby') === 1, 'the reply at gina', { hint });
    await gina.page.locator('.msg.theirs .sender', { hasText: B }).waitFor();
    // The header counts who is in the room (getChatRoomInfo), refreshed when it is opened.
    await d.openConversation(gina, GROUP);
    await d.openConversation(gina, ROOM);
    await gina.page.waitForFunction(() => /2 here/.test(document.getElementById('conv-sub').textContent), null, { timeout: 10_000 })
      .catch(async () => { throw new Error(`chatroom header says "${await gina.page.textContent('#conv-sub')}", want "2 here"\n  likely cause: ${hint}`); });
  }));
});
