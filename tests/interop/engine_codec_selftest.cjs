'use strict';
/*
 * engine_codec_selftest.cjs - checks that the engine-codec harness (engine_codec.cjs)
 * really drives the official codec:
 *   1. every frame / payload / header / writeUTF line of shared/protocol/hex_client_frames.txt
 *      is reproduced byte for byte by the harness (engine writer classes);
 *   2. every frame of shared/protocol/hex_server_frames.txt decodes (engine reader
 *      classes) to the fields written there;
 *   3. generated frames (gen_frames.cjs) round-trip: client frames through
 *      encodeClientFrame + a small test parser, server frames through the reference
 *      encoder + decodeServerFrame; and the generators are deterministic.
 *
 * Usage: node engine_codec_selftest.cjs [seed] [n]      (exit code 0 = all passed)
 * Fixtures are read from $PARLEY_SHARED_DIR/protocol, default ../../../shared/protocol
 * (shared/ sits beside the repository checkout).
 */

const fs = require('fs');
const path = require('path');
const assert = require('assert');
const codec = require('./engine_codec.cjs');
const gen = require('./gen_frames.cjs');

const SEED = process.argv[2] || 'selftest';
const N = Number(process.argv[3] || 400);
const SHARED = process.env.PARLEY_SHARED_DIR || path.resolve(__dirname, '..', '..', '..', 'shared');
const PROTO_DIR = path.join(SHARED, 'protocol');

let passed = 0;
let failed = 0;
function test(name, fn) {
  try {
    fn();
    passed++;
    if (process.env.VERBOSE) console.log('ok   ' + name);
  } catch (e) {
    failed++;
    console.log('FAIL ' + name + '\n     ' + String(e && e.stack || e).split('\n').slice(0, 6).join('\n     '));
  }
}

function hexOf(s) { return s.replace(/\s+/g, '').toLowerCase(); }

// Deep equality with a readable first difference.
function diff(a, b, p = '$') {
  if (Object.is(a, b)) return null;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    return p + ': ' + JSON.stringify(a) + ' !== ' + JSON.stringify(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return p + ': array vs object';
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (!(k in a)) return p + '.' + k + ': missing on the left (right ' + JSON.stringify(b[k]) + ')';
    if (!(k in b)) return p + '.' + k + ': missing on the right (left ' + JSON.stringify(a[k]) + ')';
    const d = diff(a[k], b[k], p + '.' + k);
    if (d) return d;
  }
  return null;
}
function same(actual, expected, what) {
  const d = diff(actual, expected);
  if (d) throw new Error((what ? what + ': ' : '') + d);
}

function readFixture(name) {
  const f = path.join(PROTO_DIR, name);
  if (!fs.existsSync(f)) throw new Error('fixture not found: ' + f + ' (set PARLEY_SHARED_DIR)');
  return fs.readFileSync(f, 'utf8');
}

// ---------------------------------------------------------------------------
// 1. hex_client_frames.txt
// ---------------------------------------------------------------------------

const TXT_HI = { sessionId: 3, classname: 'RC:TxtMsg', content: '{"content":"hi"}', configFlag: 0 };
const PULL0 = { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 };
const F = (type, qos, extra) => Object.assign({ type, qos, dup: false, retain: false }, extra);

// description (exact text before " (N bytes):") -> how to reproduce the hex with the harness
const CLIENT_ENTRIES = {
  'PINGREQ c->s': () => codec.encodeClientFrame(F('PINGREQ', 0)),
  'UpStreamMessage(RC:TxtMsg {"content":"hi"}) protobuf': () => codec.encodePb('UpStreamMessage', TXT_HI),
  'PUBLISH c->s ppMsgP targetId=userB msgId=1 qos=1': () =>
    codec.encodeClientFrame(F('PUBLISH', 1, { topic: 'ppMsgP', targetId: 'userB', messageId: 1, body: TXT_HI })),
  'SyncRequestMsg(syncTime=0,ispolling=false,isPullSend=true,sendBoxSyncTime=0)': () => codec.encodePb('SyncRequestMsg', PULL0),
  'QUERY c->s pullMsg targetId=userA msgId=2 (default qos 0)': () =>
    codec.encodeClientFrame(F('QUERY', 0, { topic: 'pullMsg', targetId: 'userA', messageId: 2, body: PULL0 })),
  'PUBACK c->s msgId=7': () => codec.encodeClientFrame(F('PUBACK', 0, { messageId: 7 })),
  'QUERYCON c->s msgId=7': () => codec.encodeClientFrame(F('QUERYCON', 0, { messageId: 7 })),
};
const UTF_ARGS = { '""': '', '300 x "a"': 'a'.repeat(300), '"é"': '\u00e9', '"😀"': '\u{1F600}' };
const TYPE_NUM = { CONNACK: 2, PUBLISH: 3, PUBACK: 4, QUERY: 5, QUERYACK: 6, QUERYCON: 7, PINGREQ: 12, PINGRESP: 13, DISCONNECT: 14 };

function clientFixtures() {
  const lines = readFixture('hex_client_frames.txt').split('\n');
  const I = codec.engine();
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim() || /^\s/.test(line)) continue;
    count++;
    let m;
    if ((m = /^(.*) \((\d+) bytes\):$/.exec(line))) {
      const desc = m[1];
      const hex = hexOf(lines[++i] || '');
      test('client fixture: ' + desc, () => {
        assert.strictEqual(hex.length / 2, Number(m[2]), 'fixture byte count');
        const make = CLIENT_ENTRIES[desc];
        if (!make) throw new Error('fixture entry not covered by the self-test (add it to CLIENT_ENTRIES)');
        assert.strictEqual(codec.toHex(make()), hex);
        // Frames only: the engine's frame writer output starts with the same payload we
        // get from encodePb, i.e. the protobuf part is the engine's own encoding.
      });
    } else if ((m = /^header (\w+) qos=(\d) dup=(\d) retain=(\d) -> 0x([0-9a-f]{2})$/.exec(line))) {
      test('client fixture: ' + line, () => {
        const [, name, qos, dup, retain, byte] = m;
        const h = new I.Header(TYPE_NUM[name], retain === '1', Number(qos), dup === '1');
        assert.strictEqual(h.encode(), parseInt(byte, 16), 'engine Header.encode');
        const back = new I.Header(parseInt(byte, 16));
        assert.deepStrictEqual([back.type, back.qos, back._dup, back._retain], [TYPE_NUM[name], Number(qos), dup === '1', retain === '1']);
        if (['PUBLISH', 'QUERY', 'PUBACK', 'QUERYCON', 'PINGREQ'].includes(name)) {
          const fr = codec.encodeClientFrame(F(name, Number(qos), { topic: 't', targetId: 'u', messageId: 1 }));
          assert.strictEqual(fr[0], parseInt(byte, 16), 'encodeClientFrame header byte');
        }
      });
    } else if ((m = /^writeUTF\((.*)\)( prefix)? -> (\[[\d,]+\])/.exec(line))) {
      test('client fixture: ' + line, () => {
        if (!(m[1] in UTF_ARGS)) throw new Error('writeUTF argument not covered: ' + m[1]);
        const expect = JSON.parse(m[3]);
        let got = I.UTF.writeUTF(UTF_ARGS[m[1]]);
        if (m[2]) got = got.slice(0, expect.length);
        assert.deepStrictEqual(got, expect);
        // and through a real frame: the targetId of a QUERY
        if (!m[2]) {
          const fr = codec.encodeClientFrame(F('QUERY', 0, { topic: '', targetId: UTF_ARGS[m[1]], messageId: 0 }));
          assert.deepStrictEqual(Array.from(fr.subarray(3, 3 + expect.length)), expect);
        }
      });
    } else {
      test('client fixture: ' + line, () => { throw new Error('unrecognised fixture line'); });
    }
  }
  test('client fixtures: file has entries', () => assert.ok(count >= 10, 'only ' + count + ' entries'));
}

// ---------------------------------------------------------------------------
// 2. hex_server_frames.txt
// ---------------------------------------------------------------------------

// description prefix -> [ackTopic, expected extra fields of our JSON form]
const SERVER_EXTRA = [
  [/^CONNACK accepted, userId=userA, session=s1/, null, { sessionId: 's1' }],
  [/^QUERYACK msgId=3 qos=1 status=0 .*DownStreamMessages\{syncTime=0,finished=true\}/, 'pullMsg', { body: { syncTime: 0, finished: true } }],
  [/^PUBLISH s_ntf .*NotifyMsg\{type=1,time=1700000000123\}/, null, { body: { type: 1, time: 1700000000123 } }],
  [/^PUBLISH \(sync copy/, null, { body: { sessionId: 3, classname: 'RC:TxtMsg', content: '{"content":"hi"}' } }],
];
const DOWNSTREAM_HI = {
  fromUserId: 'userA', type: 1, classname: 'RC:TxtMsg', content: '{"content":"hi"}', dataTime: 1700000000123,
  status: 48, msgId: 'BFUJ-8GHM-G8O4-3T8A', direction: 2,
};

function serverFixtures() {
  const lines = readFixture('hex_server_frames.txt').split('\n');
  const blocks = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) { blocks.push({ desc: line }); continue; }
    const cur = blocks[blocks.length - 1];
    let m;
    if ((m = /^\s+hex: (.*)$/.exec(line))) cur.hex = hexOf(m[1]);
    else if ((m = /^\s+engine decodes: (.*)$/.exec(line))) cur.engine = JSON.parse(m[1]);
    else if ((m = /^\s+engine formats as: (.*)$/.exec(line))) cur.formatted = JSON.parse(m[1]);
    else if ((m = /^\s+([0-9a-f]{2}(?: [0-9a-f]{2})*)\s*$/.exec(line))) cur.hex = hexOf(m[1]);
  }
  const CLASS_TYPE = { ConnAckMessage: 'CONNACK', PublishMessage: 'PUBLISH', PubAckMessage: 'PUBACK', QueryAckMessage: 'QUERYACK', PingRespMessage: 'PINGRESP', DisconnectMessage: 'DISCONNECT' };
  for (const b of blocks) {
    test('server fixture: ' + b.desc, () => {
      if (!b.hex) throw new Error('no hex in fixture block');
      if (b.engine) {
        const e = b.engine;
        const extra = SERVER_EXTRA.find(([re]) => re.test(b.desc));
        const ackTopic = extra ? extra[1] : undefined;
        const got = codec.decodeServerFrame(b.hex, ackTopic, { withBodyHex: true });
        const type = CLASS_TYPE[e.class];
        const exp = { type, qos: e.qos, dup: e.dup, retain: false };
        switch (type) {
          case 'CONNACK':
            exp.status = e.status;
            if (e.userId !== undefined) { exp.userId = e.userId; exp.timestamp = e.timestamp; }
            break;
          case 'PUBLISH':
            Object.assign(exp, { date: e.date, topic: e.topic, targetId: e.targetId, messageId: e.messageId, bodyHex: e.dataHex });
            break;
          case 'PUBACK':
            Object.assign(exp, { messageId: e.messageId, date: e.date, status: e.status, millis: e.millisecond, msgUId: e.messageUId || '' });
            assert.strictEqual(got.date * 1000 + got.millis, e.timestamp, 'PUBACK timestamp = date*1000+millis');
            break;
          case 'QUERYACK':
            Object.assign(exp, { messageId: e.messageId, date: e.date, status: e.status, bodyHex: e.dataHex });
            break;
          case 'DISCONNECT':
            exp.status = e.status;
            break;
          case 'PINGRESP':
            break;
          default:
            throw new Error('unknown class in fixture: ' + e.class);
        }
        assert.strictEqual(e.syncMsg, got.dup && type === 'PUBLISH', 'syncMsg = dup bit of a PUBLISH');
        if (extra) Object.assign(exp, extra[2]);
        // Fields not in the fixture: only the body (decoded) may be extra, and only with a known type.
        if (got.body !== undefined && exp.body === undefined) throw new Error('unexpected body ' + JSON.stringify(got.body));
        same(got, exp);
      } else if (b.formatted) {
        // A bare DownStreamMessage payload: decode, compare with the engine's formatted view, re-encode.
        const got = codec.decodePb('DownStreamMessage', b.hex);
        same(got, DOWNSTREAM_HI, 'decodePb');
        const f = b.formatted;
        assert.strictEqual(got.fromUserId, f.senderUserId);
        assert.strictEqual(got.classname, f.messageType);
        assert.strictEqual(got.msgId, f.messageUId);
        assert.strictEqual(got.dataTime, f.sentTime);
        assert.strictEqual(got.type, f.conversationType);
        assert.strictEqual(got.direction, f.messageDirection);
        same(JSON.parse(got.content), f.content, 'content');
        assert.strictEqual(codec.toHex(codec.encodePb('DownStreamMessage', got)), b.hex, 're-encode');
      } else {
        throw new Error('fixture block has neither "engine decodes" nor "engine formats as"');
      }
    });
  }
  test('server fixtures: file has entries', () => assert.ok(blocks.length >= 9, 'only ' + blocks.length + ' blocks'));
}

// ---------------------------------------------------------------------------
// 3. Known behaviour of the engine codec (documented in the report / PROTOCOL.md)
// ---------------------------------------------------------------------------

function behaviour() {
  test('astral chars: frame UTF strings are CESU-8, protobuf strings are UTF-8', () => {
    const fr = codec.encodeClientFrame(F('QUERY', 0, { topic: 'reportsdk', targetId: '\u{1F600}', messageId: 1, body: { sdkInfo: '\u{1F600}' } }));
    assert.strictEqual(codec.toHex(fr), '50' + '0009' + Buffer.from('reportsdk').toString('hex') + '0006eda0bdedb880' + '0001' + '0a04f09f9880');
  });
  test('reader accepts 4-byte UTF-8 and CESU-8 in frame strings', () => {
    const a = codec.decodeServerFrame('3100000001' + '0005' + '735f6e7466' + '0004f09f9880' + '0001' + '0801');
    const b = codec.decodeServerFrame('3100000001' + '0005' + '735f6e7466' + '0006eda0bdedb880' + '0001' + '0801');
    assert.strictEqual(a.targetId, '\u{1F600}');
    assert.strictEqual(b.targetId, '\u{1F600}');
  });
  test('messageId is written modulo 65536', () => {
    assert.strictEqual(codec.toHex(codec.encodeClientFrame(F('PUBACK', 0, { messageId: 65536 + 7 }))), '400007');
  });
  test('CONNACK short form: only status; long form when body > 2 bytes', () => {
    same(codec.decodeServerFrame('200004'), { type: 'CONNACK', qos: 0, dup: false, retain: false, status: 4 });
  });
  test('QUERYACK without a known ack topic -> bodyHex; empty payload -> bodyHex ""', () => {
    same(codec.decodeServerFrame('6200036553f10000001000'), { type: 'QUERYACK', qos: 1, dup: false, retain: false, messageId: 3, date: 1700000000, status: 0, bodyHex: '1000' });
    same(codec.decodeServerFrame('6000036553f1000195', 'pullMsg'), { type: 'QUERYACK', qos: 0, dup: false, retain: false, messageId: 3, date: 1700000000, status: 405, bodyHex: '' });
  });
  test('missing required field -> bodyHex + bodyError (engine: "PB parse error")', () => {
    const got = codec.decodeServerFrame('6200036553f10000001801', 'pullMsg');
    assert.strictEqual(got.bodyHex, '1801');
    assert.match(got.bodyError, /Missing at least one required field/);
  });
  test('encodePb refuses a missing required field and unknown field names', () => {
    assert.throws(() => codec.encodePb('UpStreamMessage', { sessionId: 1, classname: 'x' }), /Missing at least one required field/);
    assert.throws(() => codec.encodePb('NotifyMsg', { type: 1, bogus: 2 }), /no field named/);
  });
  test('a search that fails in the dist gives a clear error', () => {
    const src = fs.readFileSync(require.resolve('@rongcloud/engine'), 'utf8');
    assert.throws(() => codec._locate(src.replace('"No support for deserializing "', '"x"')),
      /could not find the frame reader factory \(search string/);
    assert.throws(() => codec._locate(src.replace('package Modules;', '')), /Modules proto text/);
  });
  test('int64: large and negative values', () => {
    same(codec.decodePb('NotifyMsg', codec.encodePb('NotifyMsg', { type: 1, time: 9007199254740991 })), { type: 1, time: 9007199254740991 });
    assert.strictEqual(codec.toHex(codec.encodePb('NotifyMsg', { type: -1, time: -1 })), '08ffffffffffffffffff0110ffffffffffffffffff01');
    same(codec.decodePb('NotifyMsg', '08ffffffffffffffffff0110ffffffffffffffffff01'), { type: -1, time: -1 });
    const I = codec.engine();
    // the engine's own Long->number helper mangles negative values:
    assert.strictEqual(I.longToNumber(I.probuf.NotifyMsg.decode(codec.fromHex('080110ffffffffffffffffff01')).time), -8589934591);
  });
}

// ---------------------------------------------------------------------------
// 4. Generated frames
// ---------------------------------------------------------------------------

// Minimal client-frame parser for the round trip (the engine has no client-frame reader);
// it uses the engine's binary reader and header class.
function parseClientFrame(u8) {
  const I = codec.engine();
  const s = new I.BinaryReader(u8);
  const h = new I.Header(s.readByte());
  const type = Object.keys(TYPE_NUM).find((k) => TYPE_NUM[k] === h.type);
  const out = { type, qos: h.qos, dup: h._dup, retain: h._retain };
  const u16 = () => s.readByte() * 256 + s.readByte();
  if (type === 'PUBLISH' || type === 'QUERY') {
    out.topic = s.readUTF();
    out.targetId = s.readUTF();
    out.messageId = u16();
    const data = s.readAll();
    const t = codec.clientBodyType(out.topic);
    if (t) out.body = codec.decodePb(t, data); else out.bodyHex = codec.toHex(data);
  } else if (type === 'PUBACK' || type === 'QUERYCON') {
    out.messageId = u16();
    assert.ok(s.check(), 'trailing bytes');
  } else {
    assert.ok(s.check(), 'trailing bytes');
  }
  return out;
}

function generated() {
  const clients = gen.genClientFrames(SEED, N);
  const servers = gen.genServerFrames(SEED, N);
  test('generators are deterministic', () => {
    same(gen.genClientFrames(SEED, N), clients);
    same(gen.genServerFrames(SEED, N), servers);
    assert.notDeepStrictEqual(gen.genClientFrames(SEED + 'x', 20), clients.slice(0, 20));
  });
  if (N >= 60) test('generators cover all kinds/variants', () => {
    const kinds = new Set(clients.map((f) => f.type));
    for (const k of ['PUBLISH', 'QUERY', 'PUBACK', 'QUERYCON', 'PINGREQ']) assert.ok(kinds.has(k), 'client ' + k);
    const has = (p) => servers.some(p);
    assert.ok(has((f) => f.type === 'CONNACK' && f.userId !== undefined), 'CONNACK long');
    assert.ok(has((f) => f.type === 'CONNACK' && f.userId === undefined), 'CONNACK short');
    assert.ok(has((f) => f.type === 'PUBLISH' && f.dup), 'PUBLISH dup');
    assert.ok(has((f) => f.type === 'PUBACK' && f.status !== 0), 'PUBACK error');
    assert.ok(new Set(servers.filter((f) => f.type === 'QUERYACK' && f.body).map((f) => f.ackTopic)).size >= 5, 'QUERYACK topics');
    for (const k of ['PINGRESP', 'DISCONNECT']) assert.ok(has((f) => f.type === k), k);
  });
  let bad = 0;
  clients.forEach((f, i) => {
    if (bad > 10) return;
    test('client round trip #' + i + ' ' + f.type + ' ' + (f.topic || ''), () => {
      try {
        same(parseClientFrame(codec.encodeClientFrame(f)), f);
      } catch (e) { bad++; throw new Error(e.message + '\n     frame: ' + JSON.stringify(f).slice(0, 400)); }
    });
  });
  servers.forEach((f, i) => {
    if (bad > 10) return;
    test('server round trip #' + i + ' ' + f.type + ' ' + (f.topic || f.ackTopic || ''), () => {
      try {
        const expect = Object.assign({}, f);
        delete expect.ackTopic;
        same(codec.decodeServerFrame(codec.encodeServerFrameRef(f), f.ackTopic), expect);
      } catch (e) { bad++; throw new Error(e.message + '\n     frame: ' + JSON.stringify(f).slice(0, 400)); }
    });
  });
}

test('fixtures readable', () => { readFixture('hex_client_frames.txt'); readFixture('hex_server_frames.txt'); });
if (!failed) {
  clientFixtures();
  serverFixtures();
}
behaviour();
generated();

const I = codec.engine();
console.log('engine ' + I.version + ' codec reached via ' + path.relative(__dirname, I.copyPath) + ' (' +
  Object.entries(I.names).map(([k, v]) => k + '=' + v).join(' ') + ')');
console.log('seed ' + JSON.stringify(SEED) + ', ' + N + ' generated frames per direction');
console.log(passed + ' passed, ' + failed + ' failed');
process.exitCode = failed ? 1 : 0;
