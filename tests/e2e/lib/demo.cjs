'use strict';
// Driving the demo page (demo/app.js) like a person, and reading its state through the
// read-only window.parleyDemo.snapshot() (the message list is virtualised: the DOM holds only
// the rows on screen, so "exactly once" is checked on the model and on the visible rows).

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function snapshot(p, { brief = false } = {}) {
  return p.page.evaluate((b) => (window.parleyDemo ? window.parleyDemo.snapshot({ brief: b }) : null), brief);
}

// Polls the page's snapshot until `predicate(snapshot)` holds; the error says what was
// awaited, where, and what the page showed last.
async function waitState(p, predicate, what, { timeoutMs = 15_000, hint = '', brief = false, intervalMs = 100 } = {}) {
  const end = Date.now() + timeoutMs;
  let last = null;
  for (;;) {
    try {
      last = await snapshot(p, { brief });
      if (last && predicate(last)) return last;
    } catch (e) {
      last = { error: e.message };
    }
    if (Date.now() > end) {
      const shown = JSON.stringify(last, (k, v) => (k === 'messages' && Array.isArray(v) && v.length > 12 ? v.slice(-12) : v));
      throw new Error(`${p.name}: timed out after ${timeoutMs} ms waiting for ${what}` +
        (hint ? `\n  likely cause: ${hint}` : '') + `\n  last state: ${shown.slice(0, 2500)}`);
    }
    await sleep(intervalMs);
  }
}

// Opens the demo (query: extra parameters) and signs in as userId with the form.
async function signIn(p, baseUrl, userId, { query = '', path = '/', timeoutMs = 20_000 } = {}) {
  await p.page.goto(`${baseUrl}${path}${query ? '?' + query : ''}`);
  await p.page.fill('#signin-user', userId);
  await p.page.click('#signin-go');
  await waitState(p, (s) => s.userId === userId && s.status === 0, `${userId} connected (status 0)`, { timeoutMs });
}

async function openPrivate(p, peer) {
  await p.page.fill('#newchat-user', peer);
  await p.page.press('#newchat-user', 'Enter');
  await waitState(p, (s) => s.open === `1:${peer}`, `conversation with ${peer} open`);
}

// Clicks (or taps) the conversation list entry.
async function openConversation(p, key, { tap = false } = {}) {
  const sel = `button.conv[data-key="${key}"]`;
  if (tap) await p.page.tap(sel); else await p.page.click(sel);
  await waitState(p, (s) => s.open === key, `conversation ${key} open`);
}

// Types and sends with Enter (default) or the Send button.
async function send(p, text, { via = 'enter', tap = false } = {}) {
  await p.page.fill('#text', text);
  if (via === 'enter') await p.page.press('#text', 'Enter');
  else if (tap) await p.page.tap('#send');
  else await p.page.click('#send');
}

function count(snap, text) {
  return snap.messages.filter((m) => m.text === text).length;
}

module.exports = { snapshot, waitState, signIn, openPrivate, openConversation, send, count, sleep };
