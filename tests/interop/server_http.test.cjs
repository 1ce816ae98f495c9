// imserver's HTTP side over real sockets: navi (JSONP, as the official client parses it),
// /ping, /metrics, the signed server API, the dev token, the demo page, CORS.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { ImServer, ROOT } = require('./lib/imserver_process.cjs');

let server;
test.before(async () => { server = await ImServer.start({ args: ['--static-dir', path.join(ROOT, 'demo')] }); });
test.after(async () => {
  await server.stop();
  assert.strictEqual(server.lastExit.code, 0, 'SIGTERM is a clean shutdown');
});

test('navi.js answers JSONP the official client accepts', async () => {
  const res = await server.request(`/navi.js?appId=${server.appKey}&token=abc%40&callBack=getServerEndpoint&v=2.9.2&r=${Date.now()}`);
  assert.strictEqual(res.status, 200);
  assert.strictEqual(res.headers['access-control-allow-origin'], '*');
  // The engine's own parsing (PROTOCOL.md §1.3).
  const navi = JSON.parse(res.body.replace('getServerEndpoint(', '').replace(/\);?$/, ''));
  assert.strictEqual(navi.server, `127.0.0.1:${server.port}`);
  assert.strictEqual(navi.logSwitch, 0);
  assert.strictEqual(navi.logPolicy, '');
  const comet = await server.request(`/cometnavi.js?appId=${server.appKey}`);
  assert.strictEqual(comet.status, 200);
  assert.strictEqual((await server.request('/navi.js?appId=unknown')).status, 401);
});

test('/ping and /metrics', async () => {
  const ping = await server.request('/ping?r=4242');
  assert.strictEqual(ping.status, 200);
  assert.strictEqual(ping.headers['access-control-allow-origin'], '*');
  const metrics = await server.request('/metrics');
  assert.strictEqual(metrics.status, 200);
  assert.match(metrics.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  for (const name of ['parley_websocket_sessions', 'parley_frames_in_total', 'parley_frames_out_total',
    'parley_messages_stored_total', 'parley_errors_total{kind="storage"}']) {
    assert.ok(metrics.body.includes(`\n${name} `) || metrics.body.startsWith(`${name} `), name);
  }
});

test('getToken.json: signed requests get a token, others the RongCloud error shape', async () => {
  const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const body = 'userId=alice&name=Alice&portraitUri=';
  const ok = await server.request('/user/getToken.json', { method: 'POST', headers: { ...server.signHeaders(), ...form }, body });
  assert.strictEqual(ok.status, 200, ok.body);
  const json = JSON.parse(ok.body);
  assert.strictEqual(json.code, 200);
  assert.strictEqual(json.userId, 'alice');
  assert.match(json.token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

  const headers = server.signHeaders({ nonce: 'once-only' });
  assert.strictEqual((await server.request('/user/getToken.json', { method: 'POST', headers: { ...headers, ...form }, body })).status, 200);
  const replay = await server.request('/user/getToken.json', { method: 'POST', headers: { ...headers, ...form }, body });
  assert.strictEqual(replay.status, 401);
  assert.deepStrictEqual(Object.keys(JSON.parse(replay.body)).sort(), ['code', 'errorMessage']);
  assert.strictEqual(JSON.parse(replay.body).code, 1004);

  const badSig = { ...server.signHeaders(), Signature: '0'.repeat(40) };
  assert.strictEqual((await server.request('/user/getToken.json', { method: 'POST', headers: { ...badSig, ...form }, body })).status, 401);
  const stale = server.signHeaders({ timestamp: String(Date.now() - 3_600_000) });
  assert.strictEqual((await server.request('/user/getToken.json', { method: 'POST', headers: { ...stale, ...form }, body })).status, 401);
  const badUser = await server.request('/user/getToken.json', { method: 'POST', headers: { ...server.signHeaders(), ...form }, body: 'userId=no%20spaces' });
  assert.strictEqual(badUser.status, 400);
  assert.strictEqual(JSON.parse(badUser.body).code, 1002);
});

test('dev mode: /demo/token, and the demo page is served at /', async () => {
  const res = await server.request('/demo/token?userId=demoUser');
  assert.strictEqual(res.status, 200);
  assert.strictEqual(JSON.parse(res.body).userId, 'demoUser');
  const page = await server.request('/');
  assert.strictEqual(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html/);
  assert.match(page.body, /Parley/);
  assert.strictEqual((await server.request('/../../etc/passwd')).status !== 200, true);
});

test('CORS preflight for the server API', async () => {
  const res = await server.request('/user/getToken.json', { method: 'OPTIONS' });
  assert.strictEqual(res.status, 204);
  assert.strictEqual(res.headers['access-control-allow-origin'], '*');
  assert.match(res.headers['access-control-allow-headers'], /Signature/);
});
