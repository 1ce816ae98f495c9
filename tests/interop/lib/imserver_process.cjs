'use strict';
// A real imserver for a test: started through tools/imserver (which builds it on first use)
// on a free loopback port with a temporary SQLite database, stopped (or killed -9 and
// restarted on the same port and database) by the test.
//
//   const server = await ImServer.start();           // { port, url, naviUrl, appKey, ... }
//   const { token } = await server.getToken('userA'); // signed POST /user/getToken.json
//   await server.kill9(); await server.restart();
//   await server.stop();                              // SIGTERM, waits for exit, removes the db
//   await ImServer.start({ config: { limits: { send_rate_per_second: 1000 } } });  // a --config file
//   await server.api('/group/create.json', { userId: ['a', 'b'], groupId: 'g', groupName: 'G' });

const { spawn, spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
// PARLEY_IMSERVER_BIN runs another build (e.g. build/native-asan/tools/server/imserver)
// instead of the launcher's native-release one.
const LAUNCHER = process.env.PARLEY_IMSERVER_BIN || path.join(ROOT, 'tools', 'imserver');

let built = false;
// Builds imserver once per test process (the launcher holds a lock across processes).
function ensureBuilt() {
  if (built || process.env.PARLEY_IMSERVER_BIN) return;
  const r = spawnSync(LAUNCHER, ['--help'], { encoding: 'utf8', timeout: 30 * 60 * 1000 });
  if (r.status !== 0) throw new Error('tools/imserver failed to build:\n' + r.stdout + r.stderr);
  built = true;
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

// One HTTP request; resolves { status, headers, body } (body as text).
function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// The server-API signature: hex SHA1(appSecret + nonce + timestamp).
function signHeaders(appKey, appSecret, { nonce = crypto.randomBytes(8).toString('hex'), timestamp = String(Date.now()) } = {}) {
  const signature = crypto.createHash('sha1').update(appSecret + nonce + timestamp).digest('hex');
  return { 'App-Key': appKey, Nonce: nonce, Timestamp: timestamp, Signature: signature };
}

class ImServer {
  constructor(opts) {
    this.appKey = opts.appKey || 'parley-test-app';
    this.appSecret = opts.appSecret || 'parley-test-secret';
    this.extraArgs = opts.args || [];
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-imserver-'));
    if (opts.config) {
      const configPath = path.join(this.dir, 'config.json');
      fs.writeFileSync(configPath, JSON.stringify(opts.config));
      this.extraArgs = ['--config', configPath, ...this.extraArgs];
    }
    this.dbPath = path.join(this.dir, 'im.db');
    this.logPath = path.join(this.dir, 'imserver.log');
    this.port = 0;
    this.proc = null;
    this.exited = null;
  }

  static async start(opts = {}) {
    ensureBuilt();
    const server = new ImServer(opts);
    await server._launch();
    return server;
  }

  get url() { return `http://127.0.0.1:${this.port}`; }
  get naviUrl() { return this.url; }

  async _launch() {
    const portFile = path.join(this.dir, 'port');
    fs.rmSync(portFile, { force: true });
    const args = ['--listen', '127.0.0.1', '--port', String(this.port), '--port-file', portFile,
      '--db', this.dbPath, '--app-key', this.appKey, '--app-secret', this.appSecret, '--dev',
      '--log-level', process.env.PARLEY_IMSERVER_LOG_LEVEL || 'info', ...this.extraArgs];
    const log = fs.openSync(this.logPath, 'a');
    const proc = spawn(LAUNCHER, args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
    let exitInfo = null;
    this.exited.then((e) => { exitInfo = e; });
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(portFile)) {
      if (exitInfo) throw new Error(`imserver exited (${JSON.stringify(exitInfo)}):\n${this.log()}`);
      if (Date.now() > deadline) throw new Error('imserver did not start within 60 s:\n' + this.log());
      await sleep(20);
    }
    this.port = Number(fs.readFileSync(portFile, 'utf8').trim());
  }

  log() {
    try { return fs.readFileSync(this.logPath, 'utf8'); } catch { return ''; }
  }

  // kill -9: no shutdown code runs; whatever was acknowledged must already be on disk.
  async kill9() {
    if (!this.proc) return;
    this.proc.kill('SIGKILL');
    await this.exited;
    this.proc = null;
  }

  // Same port, same database.
  async restart() {
    if (this.proc) throw new Error('still running');
    await this._launch();
  }

  async stop({ keepFiles = false } = {}) {
    if (this.proc) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc && this.proc.kill('SIGKILL'), 5000);
      const result = await this.exited;
      clearTimeout(timer);
      this.proc = null;
      this.lastExit = result;
    }
    if (!keepFiles) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  request(pathAndQuery, opts) { return request(this.url + pathAndQuery, opts); }

  signHeaders(opts) { return signHeaders(this.appKey, this.appSecret, opts); }

  // POST /user/getToken.json, signed like RongCloud's server API.
  async getToken(userId, { name = userId, portraitUri = '' } = {}) {
    const body = new URLSearchParams({ userId, name, portraitUri }).toString();
    const res = await this.request('/user/getToken.json', {
      method: 'POST',
      headers: { ...this.signHeaders(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });
    const json = JSON.parse(res.body);
    if (res.status !== 200 || json.code !== 200) throw new Error(`getToken ${userId}: ${res.status} ${res.body}`);
    return json;
  }

  // A signed server-API POST; `form` values may be arrays (repeated keys). Resolves
  // { status, body } with the body parsed as JSON.
  async api(pathName, form = {}) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) {
      for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item));
    }
    const res = await this.request(pathName, {
      method: 'POST',
      headers: { ...this.signHeaders(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: params.toString(),
    });
    let body;
    try { body = JSON.parse(res.body); } catch { body = res.body; }
    return { status: res.status, body };
  }

  async metrics() {
    const res = await this.request('/metrics');
    const values = {};
    for (const line of res.body.split('\n')) {
      const m = /^([a-z_]+(?:\{[^}]*\})?) (\d+)$/.exec(line);
      if (m) values[m[1]] = Number(m[2]);
    }
    return values;
  }
}

module.exports = { ImServer, ensureBuilt, request, signHeaders, sleep, ROOT };
