'use strict';
// Debian's chromium driven by playwright-core: never a downloaded browser. Each launch gets
// a fresh profile (playwright makes a new temporary --user-data-dir per launch and removes
// it on close), QUIC and background traffic off, so the only traffic is to loopback.
//
//   const browser = await launch();
//   const alice = await openPage(browser, 'alice', { viewport: {...} });  // {context, page, logs}
//   await artifacts.run(t, [alice, bob], async () => { ... });  // screenshots; console log on failure

const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const OUT = path.join(ROOT, 'build', 'e2e');
const CHROMIUM = process.env.PARLEY_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

function playwright() {
  try {
    return require('playwright-core');
  } catch (e) {
    throw new Error('playwright-core is not installed in tests/e2e: run tools/setup (npm ci in tests/e2e)');
  }
}

async function launch() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (tools/setup)`);
  const { chromium } = playwright();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 });
}

// A new browser context (its own cookies and storage: another user) with one page whose
// console, page errors and failed requests are recorded in `logs`.
async function openPage(browser, name, contextOptions = {}, { initScripts = [] } = {}) {
  const context = await browser.newContext(contextOptions);
  for (const s of initScripts) await context.addInitScript(s);
  const page = await context.newPage();
  const logs = [];
  const stamp = () => new Date().toISOString().slice(11, 23);
  page.on('console', (m) => logs.push(`${stamp()} console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`${stamp()} pageerror: ${e && e.stack ? e.stack : e}`));
  page.on('requestfailed', (r) => logs.push(`${stamp()} requestfailed: ${r.method()} ${r.url()} ${r.failure() ? r.failure().errorText : ''}`));
  page.on('crash', () => logs.push(`${stamp()} page crashed`));
  page.setDefaultTimeout(20_000);
  return { name, context, page, logs };
}

function slug(text) {
  return String(text).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80);
}

// Runs `body`; afterwards saves a screenshot of every page under build/e2e/ (named after
// the test and the page), and, when the body failed, each page's console log beside it.
async function run(t, pages, body) {
  fs.mkdirSync(OUT, { recursive: true });
  const base = slug(t.name);
  let failure = null;
  try {
    await body();
  } catch (e) {
    failure = e;
  }
  for (const p of pages) {
    const file = path.join(OUT, `${base}-${slug(p.name)}`);
    try {
      if (!p.page.isClosed()) await p.page.screenshot({ path: file + '.png', timeout: 10_000 });
    } catch (e) {
      p.logs.push('screenshot failed: ' + e.message);
    }
    if (failure) fs.writeFileSync(file + '.console.log', p.logs.join('\n') + '\n');
    else fs.rmSync(file + '.console.log', { force: true });   // a stale one from an earlier failure
  }
  if (failure) {
    const where = pages.map((p) => `build/e2e/${base}-${slug(p.name)}.console.log`).join(', ');
    failure.message += `\n(browser console logs: ${where})`;
    throw failure;
  }
}

// A screenshot in the middle of a test: build/e2e/<name>.png.
async function shot(p, name) {
  fs.mkdirSync(OUT, { recursive: true });
  await p.page.screenshot({ path: path.join(OUT, slug(name) + '.png') });
}

module.exports = { launch, openPage, run, shot, OUT, ROOT, CHROMIUM };
