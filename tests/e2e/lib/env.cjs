'use strict';
// The world of an end-to-end test: the demo site (demo/ + the SDK package + test pages)
// laid out in a temporary directory, an imserver (--dev) serving it on a free loopback
// port, and a plain static server for pages that need headers imserver does not send
// (the strict CSP page).
//
//   const env = await Env.start({ spa: true });   // env.server (ImServer), env.url, env.site
//   await env.stop();

const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { pathToFileURL } = require('url');
const { ImServer } = require('../../interop/lib/imserver_process.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const WEB_DIR = path.join(ROOT, 'build', 'web');
const OFFICIAL = path.join(ROOT, 'tests', 'interop', 'node_modules', '@rongcloud');
const APP_KEY = 'parley-demo';

async function siteModule() {
  return import(pathToFileURL(path.join(ROOT, 'demo', 'site.mjs')).href);
}

// demo/ files, sdk/ (build/web), spa/ when asked (built by Vite into the directory), and
// official.html: the same demo page on the official client's UMD builds (engine, then
// imlib-v2) instead of parley.umd.js.
async function makeSite({ spa = false } = {}) {
  for (const f of ['parley.umd.js', 'parley.esm.js', 'parley.wasm']) {
    if (!fs.existsSync(path.join(WEB_DIR, f))) {
      throw new Error(`build/web/${f} is missing: the SDK package must be built first (node web/build.mjs)`);
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-site-'));
  const site = await siteModule();
  let spaDir;
  if (spa) {
    spaDir = path.join(dir, '.spa-build');
    site.buildSpa(spaDir);
  }
  site.assembleSite(dir, { spaDir });
  const official = path.join(dir, 'official');
  fs.mkdirSync(official);
  fs.symlinkSync(path.join(OFFICIAL, 'engine', 'dist', 'index.umd.js'), path.join(official, 'engine.umd.js'));
  fs.symlinkSync(path.join(OFFICIAL, 'imlib-v2', 'dist', 'index.umd.js'), path.join(official, 'imlib-v2.umd.js'));
  const index = fs.readFileSync(path.join(ROOT, 'demo', 'index.html'), 'utf8');
  const sdkTag = '<script src="sdk/parley.umd.js"></script>';
  if (!index.includes(sdkTag)) throw new Error('demo/index.html no longer loads ' + sdkTag);
  fs.writeFileSync(path.join(dir, 'official.html'), index.replace(sdkTag,
    '<script src="official/engine.umd.js"></script>\n  <script src="official/imlib-v2.umd.js"></script>'));
  return dir;
}

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

// A static file server on a free loopback port that adds `headers` to every answer.
function staticServer(dir, headers = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(dir, path.normalize(rel).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(dir)) { res.writeHead(403); res.end(); return; }
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404, headers); res.end('not found'); return; }
      res.writeHead(200, Object.assign({ 'Content-Type': MIME[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' }, headers));
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  })));
}

class Env {
  static async start({ spa = false, serverArgs = [] } = {}) {
    const env = new Env();
    env.site = await makeSite({ spa });
    env.server = await ImServer.start({ appKey: APP_KEY, appSecret: 'parley-demo-secret', args: ['--static-dir', env.site, ...serverArgs] });
    return env;
  }

  get url() { return this.server.url; }
  get appKey() { return APP_KEY; }

  async stop() {
    if (this.server) await this.server.stop();
    if (this.site) fs.rmSync(this.site, { recursive: true, force: true });
  }

  // A group with these members, through the RongCloud server API (signed with the secret).
  async createGroup(groupId, members, name = groupId) {
    const body = new URLSearchParams();
    for (const m of members) body.append('userId', m);
    body.append('groupId', groupId);
    body.append('groupName', name);
    const res = await this.server.request('/group/create.json', {
      method: 'POST',
      headers: { ...this.server.signHeaders(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    let json = {};
    try { json = JSON.parse(res.body); } catch (e) { /* reported below */ }
    if (res.status !== 200 || json.code !== 200) {
      throw new Error(`POST /group/create.json answered HTTP ${res.status} ${res.body.slice(0, 200)}: ` +
        'imserver needs the group server API (issue 6, "Groups")');
    }
  }
}

module.exports = { Env, staticServer, makeSite, APP_KEY, ROOT };
