'use strict';
/*
 * engine_codec.cjs - test-only oracle: drives the OFFICIAL RongCloud client codec
 * (@rongcloud/engine 4.4.2, as used by @rongcloud/imlib-v2 2.9.2) so that Parley's
 * C++ codec can be cross-checked against it.
 *
 * The engine does not export its frame classes, its binary reader/writer or its
 * ProtoBuf.js schema object.  At run time this module therefore
 *   1. reads node_modules/@rongcloud/engine/dist/index.js (the CommonJS build),
 *   2. locates the internal (minified) identifiers by searching for stable strings
 *      (method names, enum member names, log messages, the Modules proto text),
 *   3. writes a COPY of the dist with one extra line appended,
 *        ;exports.__parleyCodec = { Header: Ne, ... };
 *      into tests/interop/.engine-copy/ (git-ignored; never commit it), and
 *   4. require()s that copy and checks every located piece by behaviour
 *      (e.g. PINGREQ must encode to c0) before it is used.
 * Nothing of the engine is copied into our sources; if the dist does not look as
 * expected, loading fails with an error that says which search failed.
 *
 * Exports:
 *   encodeClientFrame(obj)                 -> Uint8Array   (engine frame writer classes)
 *   decodeServerFrame(bytes, ackTopic?, opts?) -> obj      (engine frame reader classes)
 *   encodePb(typeName, obj)                -> Uint8Array   (engine's ProtoBuf.js schema)
 *   decodePb(typeName, bytes)              -> obj
 *   engine()                               -> the raw located internals (tests only)
 *   topic tables + helpers, toHex/fromHex, encodeServerFrameRef (see there).
 * `bytes` may be a Uint8Array/Buffer/array or a hex string.
 *
 * JSON form: see the contract in the interop task (type/qos/dup/retain + per-type fields;
 * `body` = payload as JSON, int64 as numbers, bytes fields as UTF-8 text; `bodyHex`
 * when the payload type is unknown).  Two additions of this harness on decode:
 *   - an EMPTY payload is reported as bodyHex "" (the engine never decodes an empty payload);
 *   - a payload the engine's ProtoBuf.js rejects (e.g. a missing required field) is
 *     reported as bodyHex + bodyError (the engine logs "PB parse error" and goes on).
 * The reader does not validate lengths: a truncated frame decodes to the engine's
 * "end of stream" values (-1 per missing byte, "" per missing string), as the client would.
 *
 * CLI (JSON lines in/out, for driving from shell / C++ tests):
 *   node engine_codec.cjs encode-client  < frames.jsonl   # one JSON frame per line -> hex per line
 *   node engine_codec.cjs decode-server  < frames.hex     # "hex" or "hex<TAB>ackTopic" per line -> JSON per line
 *   node engine_codec.cjs encode-pb TYPE '<json>'  /  decode-pb TYPE <hex>
 */

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const ENGINE_VERSION = '4.4.2';
const COPY_DIR = path.join(__dirname, '.engine-copy');

// ---------------------------------------------------------------------------
// Locating and loading the engine internals
// ---------------------------------------------------------------------------

function fail(msg) {
  throw new Error('[engine_codec] ' + msg +
    ' (expected @rongcloud/engine@' + ENGINE_VERSION + ' dist/index.js; run `npm ci` in tests/interop)');
}

function engineDistPath() {
  let pkgFile;
  try {
    pkgFile = require.resolve('@rongcloud/engine/package.json', { paths: [__dirname] });
  } catch (e) {
    fail('cannot resolve @rongcloud/engine: ' + e.message);
  }
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  if (pkg.version !== ENGINE_VERSION) fail('found @rongcloud/engine@' + pkg.version);
  // package.json "main" is the CommonJS build ("./dist/index.js").
  return path.join(path.dirname(pkgFile), pkg.main || 'dist/index.js');
}

const ID = '[A-Za-z_$][\\w$]*';
function reEsc(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

function indexOnce(src, needle, what) {
  const i = src.indexOf(needle);
  if (i < 0) fail('could not find ' + what + ' (search string ' + JSON.stringify(needle) + ')');
  if (src.indexOf(needle, i + 1) >= 0) fail('search string for ' + what + ' is not unique: ' + JSON.stringify(needle));
  return i;
}

// In the minified build every (TypeScript-emitted) class is a top-level
//   NAME=function(){function e(...){...}return e.prototype.x=...,e}()          (base classes)
//   NAME=function(e){function t(...){...}return d(t,e),t.prototype.x=...,t}(Base) (subclasses)
// inside one long `var a=...,b=...;` statement.  Class bodies contain no nested
// `X=function(..){function ..(` openings, so the nearest such opening before a
// string that occurs inside the class gives the class's variable name.
function classNameBefore(src, idx, what) {
  const from = Math.max(0, idx - 20000);
  const re = new RegExp('(?:^|[,;\\s])(' + ID + ')=function\\((?:' + ID + ')?\\)\\{function ' + ID + '\\(', 'g');
  const window = src.slice(from, idx);
  let m, last = null;
  while ((m = re.exec(window)) !== null) last = m;
  if (!last) fail('could not find the class enclosing ' + what);
  return last[1];
}

function locate(src) {
  const names = {};

  // Sanity: the embedded proto text and its build call.
  indexOnce(src, 'package Modules;', 'the Modules proto text');
  indexOnce(src, 'message probuf {', 'the probuf message in the proto text');
  indexOnce(src, '.build("Modules").probuf', 'the ProtoBuf.js build of Modules.probuf');

  // (1) The frame-reader factory. The engine's socket onMessage handler does
  //       r = new Header(firstByte); s = factory(r); s.read(stream, len - 1)
  //     and factory is the only switch that logs "No support for deserializing".
  const anchor = indexOnce(src, '"No support for deserializing "', 'the frame reader factory');
  const sw = src.lastIndexOf('switch(', anchor);
  const fnStart = src.lastIndexOf('=function(', sw);
  if (sw < 0 || fnStart < 0 || anchor - fnStart > 1500) fail('unexpected shape of the frame reader factory');
  const head = /(?:^|[,;\s])([A-Za-z_$][\w$]*)$/.exec(src.slice(fnStart - 40, fnStart));
  if (!head) fail('could not read the frame reader factory name');
  names.readerFactory = head[1];
  const body = src.slice(sw, anchor);
  // e.g. `case me.CONN_ACK:t=new ei(e);break;case me.PUBLISH:(t=new oi(e)).syncMsg=...`
  const caseRe = new RegExp('((?:case (' + ID + ')\\.([A-Z_]+):)+)\\(?' + ID + '=new (' + ID + ')\\(', 'g');
  const byKind = {};
  let m, typeEnum = null;
  while ((m = caseRe.exec(body)) !== null) {
    typeEnum = m[2];
    for (const c of m[1].match(/\.([A-Z_]+):/g)) byKind[c.slice(1, -1)] = m[4];
  }
  const dm = new RegExp('default:' + ID + '=new (' + ID + ')\\(').exec(src.slice(sw, anchor + 10));
  for (const k of ['CONN_ACK', 'PUBLISH', 'PUB_ACK', 'QUERY_ACK', 'PING_RESP', 'DISCONNECT']) {
    if (!byKind[k]) fail('frame reader factory has no case for ' + k);
  }
  if (!dm) fail('frame reader factory has no default case');
  names.ConnAck = byKind.CONN_ACK;
  names.PublishIn = byKind.PUBLISH;
  names.PubAckIn = byKind.PUB_ACK;
  names.QueryAck = byKind.QUERY_ACK;
  names.PingResp = byKind.PING_RESP;
  names.Disconnect = byKind.DISCONNECT;
  names.ReaderBase = dm[1];
  names.MessageType = typeEnum; // enum { CONN_ACK = 2, PUBLISH = 3, ... }

  // (2) Writer classes: each client frame class calls its base constructor with
  //     the message-type enum member, e.g. `e.call(this,me.PING_REQ)`.
  const writerKinds = { PublishOut: 'PUBLISH', Query: 'QUERY', PubAckOut: 'PUB_ACK', QueryCon: 'QUERY_CONFIRM', PingReq: 'PING_REQ' };
  for (const [k, member] of Object.entries(writerKinds)) {
    const i = indexOnce(src, '.call(this,' + typeEnum + '.' + member + ')', 'the ' + member + ' writer class');
    names[k] = classNameBefore(src, i, 'the ' + member + ' writer class');
  }

  // (3) Header: the only class that unpacks `this._retain`, `this.qos`, `this._dup`.
  names.Header = classNameBefore(src, indexOnce(src, 'this._retain=!1,this.qos=', 'the header class'), 'the header class');
  // (4) Static UTF helper: `X.writeUTF=function(str,noLengthPrefix)` (2 params, not on a prototype).
  const wm = new RegExp('[,;{\\s](' + ID + ')\\.writeUTF=function\\(' + ID + ',' + ID + '\\)').exec(src);
  if (!wm) fail('could not find the static writeUTF helper');
  names.UTF = classNameBefore(src, wm.index + 1, 'the static writeUTF helper');
  // (5) Binary reader (readByte/readInt/readLong/readUTF/readAll) and writer (write/writeUTF/getBytesArray).
  names.BinaryReader = classNameBefore(src, indexOnce(src, '.prototype.readUTF=function', 'the binary reader readUTF'), 'the binary reader');
  names.BinaryWriter = classNameBefore(src, indexOnce(src, '.prototype.writeUTF=function', 'the binary writer writeUTF'), 'the binary writer');

  // (6) The built ProtoBuf.js namespace Modules.probuf: the engine adds
  //       rn.getModule=function(e){var t=new rn[e];return t.getArrayData=function(){var e=t.toArrayBuffer();...
  const pm = new RegExp('(' + ID + ')\\.getModule=function\\((' + ID + ')\\)\\{var (' + ID + ')=new \\1\\[\\2\\];return \\3\\.getArrayData=function\\(\\)\\{var ' + ID + '=\\3\\.toArrayBuffer\\(\\)').exec(src);
  if (!pm) fail('could not find the protobuf getModule helper (toArrayBuffer)');
  names.probuf = pm[1];

  // (7) Long -> number helper used by the engine on every decoded int64:
  //       se=function(e){if(!K(e)||void 0===e.low||void 0===e.high)return e;var t=e.low;...
  const lm = new RegExp('[,;\\s](' + ID + ')=function\\((' + ID + ')\\)\\{if\\(!' + ID + '\\(\\2\\)\\|\\|void 0===\\2\\.low\\|\\|void 0===\\2\\.high\\)return \\2;').exec(src);
  if (!lm) fail('could not find the Long-to-number helper');
  names.longToNumber = lm[1];

  // (8) The engine logger instance (`new z("RCLog")`), so that its output can be captured.
  const lg = new RegExp('[,;\\s](' + ID + ')=new ' + ID + '\\("RCLog"\\)').exec(src);
  if (!lg) fail('could not find the RCLog logger instance');
  names.logger = lg[1];

  return names;
}

let cached = null;

function loadEngine() {
  if (cached) return cached;
  const distPath = engineDistPath();
  const src = fs.readFileSync(distPath, 'utf8');
  const names = locate(src);
  // All located identifiers are top-level `var`s of the CommonJS module, so a
  // statement appended at the end of the file can see them.  The guard makes a
  // wrong guess fail loudly at load time instead of returning undefined.
  const entries = Object.entries(names)
    .map(([k, v]) => JSON.stringify(k) + ':(typeof ' + v + '==="undefined"?void 0:' + v + ')').join(',');
  const patch = '\n;/* parley interop test patch (test-time copy only) */exports.__parleyCodec={' + entries + '};\n';
  const patched = src + patch;
  const digest = crypto.createHash('sha256').update(patched).digest('hex').slice(0, 12);
  const copyPath = path.join(COPY_DIR, 'engine-' + ENGINE_VERSION + '-' + digest + '.cjs');
  if (!fs.existsSync(copyPath)) {
    fs.mkdirSync(COPY_DIR, { recursive: true });
    const tmp = copyPath + '.' + process.pid + '.tmp';
    fs.writeFileSync(tmp, patched);
    fs.renameSync(tmp, copyPath); // atomic: parallel test processes may race here
    // Drop copies made from an older dist/patch (best effort).
    for (const f of fs.readdirSync(COPY_DIR)) {
      if (/^engine-.*\.cjs$/.test(f) && path.join(COPY_DIR, f) !== copyPath) {
        try { fs.unlinkSync(path.join(COPY_DIR, f)); } catch (e) { /* another process may hold it */ }
      }
    }
  }
  const mod = require(copyPath);
  const I = mod.__parleyCodec;
  if (!I) fail('patched copy did not export __parleyCodec');
  for (const [k, v] of Object.entries(names)) {
    if (I[k] === undefined) fail('located identifier ' + v + ' for ' + k + ' is not a top-level binding');
  }
  I.names = names;
  I.copyPath = copyPath;
  I.version = mod.version;
  // Keep the engine's own log output off the console (it would print the
  // "No support for deserializing" errors); collect it instead.
  I.logLines = [];
  if (I.logger && typeof I.logger.setLogStdout === 'function') {
    I.logger.setLogStdout((level, line) => { if (I.logLines.length < 1000) I.logLines.push(line); });
  }
  verify(I);
  cached = I;
  return I;
}

function eqArr(a, b) { return a.length === b.length && a.every((x, i) => x === b[i]); }

// Behavioural checks of every located piece; any mismatch means the search hit
// something else than intended.
function verify(I) {
  const check = (cond, what) => { if (!cond) fail('located ' + what + ' does not behave as expected'); };
  check(I.MessageType.PUBLISH === 3 && I.MessageType.PING_REQ === 12 && I.MessageType.QUERY_CONFIRM === 7, 'message type enum');
  const h = new I.Header(0x3b);
  check(h.type === 3 && h.qos === 1 && h._dup === true && h._retain === true && h.syncMsg === true, 'Header (decode)');
  check(new I.Header(3, false, 1, false).encode() === 0x32, 'Header (encode)');
  check(eqArr(I.UTF.writeUTF('\u00e9'), [0, 2, 0xc3, 0xa9]) && I.UTF.readUTF(new Uint8Array([0xc3, 0xa9])) === '\u00e9', 'static UTF helper');
  const w = new I.BinaryWriter(); w.writeUTF('a'); w.write([1]);
  check(eqArr(w.getBytesArray(), [0, 1, 97, 1]), 'binary writer');
  const r = new I.BinaryReader(new Uint8Array([1, 0, 0, 0, 2, 0, 1, 98, 9]));
  check(r.readByte() === 1 && r.readInt() === 2 && r.readUTF() === 'b' && eqArr(Array.from(r.readAll()), [9]), 'binary reader');
  check(eqArr(Array.from(new I.PingReq().getBufferData()), [-64]), 'PINGREQ writer');
  check(eqArr(Array.from(new I.PubAckOut(7).getBufferData()), [0x40, 0, 7]), 'PUBACK writer');
  check(eqArr(Array.from(new I.QueryCon(7).getBufferData()), [0x70, 0, 7]), 'QUERYCON writer');
  const q = new I.Query('t', [5], 'u'); q.messageId = 2;
  check(eqArr(Array.from(q.getBufferData()), [0x50, 0, 1, 116, 0, 1, 117, 0, 2, 5]), 'QUERY writer');
  const p = new I.PublishOut('t', [5], 'u'); p.setHeaderQos(1); p.messageId = 2;
  check(eqArr(Array.from(p.getBufferData()), [0x32, 0, 1, 116, 0, 1, 117, 0, 2, 5]), 'PUBLISH writer');
  check(typeof I.probuf.UpStreamMessage === 'function' && I.probuf.UpStreamMessage.$type &&
        typeof I.probuf.getModule === 'function', 'Modules.probuf namespace');
  check(I.longToNumber({ low: 123, high: 1 }) === 4294967296 + 123, 'Long-to-number helper');
  const ping = I.readerFactory(new I.Header(0xd0));
  check(ping instanceof I.PingResp, 'frame reader factory');
}

function engine() { return loadEngine(); }

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

function toU8(bytes) {
  if (bytes instanceof Uint8Array) return bytes;
  if (typeof bytes === 'string') return fromHex(bytes);
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (Array.isArray(bytes)) return Uint8Array.from(bytes, (x) => x & 255);
  throw new TypeError('expected bytes (Uint8Array, Buffer, array or hex string)');
}

function fromHex(hex) {
  const clean = String(hex).replace(/[\s:]/g, '');
  if (clean.length % 2 || /[^0-9a-fA-F]/.test(clean)) throw new Error('invalid hex: ' + hex);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

function toHex(bytes) {
  return Buffer.from(toU8(bytes)).toString('hex');
}

// Signed-byte arrays (what the engine's getArrayData() returns) -> Uint8Array.
function i8ToU8(arr) {
  return Uint8Array.from(arr, (x) => x & 255);
}

// ---------------------------------------------------------------------------
// Topic -> payload type tables (the contract with tools/rmtp)
// ---------------------------------------------------------------------------

const CLIENT_TOPIC_TYPES = Object.freeze({
  ppMsgP: 'UpStreamMessage', pgMsgP: 'UpStreamMessage', chatMsg: 'UpStreamMessage', pcMsgP: 'UpStreamMessage',
  ppMsgS: 'UpStreamMessage', pgMsgS: 'UpStreamMessage', chatMsgS: 'UpStreamMessage', recallMsg: 'UpStreamMessage',
  pullMsg: 'SyncRequestMsg',
  pullSeAtts: 'SessionReq',
  pullUS: 'PullUserSettingInput',
  reportsdk: 'ReportSDKInput',
  qryRelationR: 'RelationQryInput', delRelation: 'RelationQryInput',
  qryPMsg: 'HistoryMsgInput', qryGMsg: 'HistoryMsgInput', qryCHMsg: 'HistoryMsgInput', qryCMsg: 'HistoryMsgInput', qrySMsg: 'HistoryMsgInput',
  delMsg: 'DeleteMsgInput',
  cleanPMsg: 'CleanHisMsgInput', cleanGMsg: 'CleanHisMsgInput', cleanCMsg: 'CleanHisMsgInput', cleanSMsg: 'CleanHisMsgInput',
  setSeAtt: 'SessionStateModifyReq',
  joinChrm: 'ChrmInput', joinChrmR: 'ChrmInput', exitChrm: 'ChrmInput',
  chrmPull: 'ChrmPullMsg',
  queryChrmI: 'QueryChatRoomInfoInput',
  rrMsg: 'GrpReadReceiptMsg',
  rrList: 'GrpReadReceiptQryReq',
  pullKV: 'QueryChrmKV',
  setKV: 'SetChrmKV', delKV: 'SetChrmKV',
  addBlack: 'Add2BlackListInput',
  rmBlack: 'RemoveFromBlackListInput',
  qryBlack: 'QueryBlackListInput',
  blackStat: 'BlackListStatusInput',
});

const SERVER_PUBLISH_TOPIC_TYPES = Object.freeze({
  s_ntf: 'NotifyMsg', s_cmd: 'NotifyMsg', s_msg: 'DownStreamMessage', s_us: 'UserSettingNotification',
});

const QUERYACK_TOPIC_TYPES = Object.freeze({
  pullMsg: 'DownStreamMessages', chrmPull: 'DownStreamMessages',
  pullSeAtts: 'SessionStates',
  pullUS: 'PullUserSettingOutput',
  reportsdk: 'ReportSDKOutput',
  qryRelationR: 'RelationsOutput',
  qryPMsg: 'HistoryMsgOuput', qryGMsg: 'HistoryMsgOuput', qryCHMsg: 'HistoryMsgOuput', qryCMsg: 'HistoryMsgOuput', qrySMsg: 'HistoryMsgOuput',
  setSeAtt: 'SessionStateModifyResp',
  joinChrm: 'ChrmOutput', joinChrmR: 'ChrmOutput',
  queryChrmI: 'QueryChatRoomInfoOutput',
  rrList: 'GrpReadReceiptQryResp',
  pullKV: 'ChrmKVOutput',
  qryBlack: 'QueryBlackListOutput',
  blackStat: 'QueryBlackListOutput',  // userIds: [the asked userId] when blacklisted, else empty
});

const own = (o, k) => typeof k === 'string' && Object.prototype.hasOwnProperty.call(o, k);
function clientBodyType(topic) { return own(CLIENT_TOPIC_TYPES, topic) ? CLIENT_TOPIC_TYPES[topic] : null; }
// The engine (_signalHandler) decodes every PUBLISH with the dup ("syncMsg") bit
// as UpStreamMessage, whatever its topic; otherwise it dispatches on the topic.
function serverPublishBodyType(topic, dup) {
  if (dup) return 'UpStreamMessage';
  return own(SERVER_PUBLISH_TOPIC_TYPES, topic) ? SERVER_PUBLISH_TOPIC_TYPES[topic] : null;
}
function queryAckBodyType(topic) { return own(QUERYACK_TOPIC_TYPES, topic) ? QUERYACK_TOPIC_TYPES[topic] : null; }

const TYPE_NAMES = { 2: 'CONNACK', 3: 'PUBLISH', 4: 'PUBACK', 5: 'QUERY', 6: 'QUERYACK', 7: 'QUERYCON', 12: 'PINGREQ', 13: 'PINGRESP', 14: 'DISCONNECT' };

// ---------------------------------------------------------------------------
// Protobuf via the engine's ProtoBuf.js (5.0.1) Modules.probuf
// ---------------------------------------------------------------------------

function pbClass(I, typeName) {
  const C = own(I.probuf, typeName) ? I.probuf[typeName] : null;
  if (typeof C !== 'function' || !C.$type || C.$type.className !== 'Message') {
    throw new Error('unknown protobuf message type ' + JSON.stringify(typeName) + ' in the engine schema');
  }
  return C;
}

// Reflect fields of a ProtoBuf.js message type, in declaration order.
function pbFields(reflectType) {
  return reflectType.getChildren().filter((c) => c.className === 'Message.Field');
}

const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

// Builds a message exactly the way the engine's own encoders do it:
// `m = probuf.getModule(Type); m.setField(value); ...; m.getArrayData()`,
// with nested messages built as module instances (as encodeSetConversationStatus does)
// and bytes fields passed as JS strings (as _getUpMsgModule does: setContent(JSON.stringify(..))).
function buildModule(I, typeName, obj) {
  const C = pbClass(I, typeName);
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new TypeError(typeName + ': expected an object, got ' + JSON.stringify(obj));
  }
  const m = I.probuf.getModule(typeName);
  const fields = pbFields(C.$type);
  const known = new Set(fields.map((f) => f.name));
  for (const k of Object.keys(obj)) {
    if (!known.has(k)) throw new Error(typeName + ': no field named ' + JSON.stringify(k) + ' in the engine schema');
  }
  for (const f of fields) {
    if (!own(obj, f.name) || obj[f.name] === undefined || obj[f.name] === null) continue;
    const conv = (v) => {
      if (f.type.name === 'message') return buildModule(I, f.resolvedType.name, v);
      if (INT64_TYPES.has(f.type.name) && typeof v === 'bigint') return v.toString(); // Long.fromValue(string)
      return v;
    };
    let v = obj[f.name];
    if (f.repeated) {
      if (!Array.isArray(v)) throw new TypeError(typeName + '.' + f.name + ' is repeated: expected an array');
      v = v.map(conv);
    } else {
      v = conv(v);
    }
    const setter = 'set' + f.name.charAt(0).toUpperCase() + f.name.slice(1);
    if (typeof m[setter] === 'function') m[setter](v); else m.set(f.name, v);
  }
  return m;
}

function encodePbArray(I, typeName, obj) {
  // getArrayData(): toArrayBuffer() then [].slice.call(new Int8Array(buf)) - a plain
  // array of SIGNED bytes; that array is what the engine hands to the frame classes.
  return buildModule(I, typeName, obj).getArrayData();
}

function encodePb(typeName, obj) {
  const I = loadEngine();
  return i8ToU8(encodePbArray(I, typeName, obj));
}

// int64 -> JS number.  The engine converts Longs with its own helper (`se`), which
// concatenates high/low as hex digits; for a negative high word that yields a wrong
// value (e.g. -1 -> -8589934591), so negative values use Long#toNumber instead.
function longToNumber(I, v) {
  if (v && typeof v === 'object' && typeof v.high === 'number' && typeof v.low === 'number') {
    if (v.high < 0 && !v.unsigned) return v.toNumber();
    return I.longToNumber(v);
  }
  return v;
}

// bytes fields: exactly what the engine's codec does in _readBytes():
// readUTF(new Uint8Array(bb.buffer).subarray(bb.offset, bb.limit)).  The engine's
// readUTF accepts 1-4 byte UTF-8 (and CESU-8 surrogate triples) and maps a stray
// byte to the code point of the same value.
function bytesToString(I, bb) {
  const u8 = bb.buffer instanceof ArrayBuffer ? new Uint8Array(bb.buffer) : bb.buffer;
  return I.UTF.readUTF(u8.subarray(bb.offset, bb.limit));
}

function pbToJson(I, msg, reflectType) {
  const out = {};
  for (const f of pbFields(reflectType)) {
    let v = msg[f.name];
    if (v === null || v === undefined) continue;
    const conv = (x) => {
      switch (f.type.name) {
        case 'message': return pbToJson(I, x, f.resolvedType);
        case 'bytes': return bytesToString(I, x);
        default: return INT64_TYPES.has(f.type.name) ? longToNumber(I, x) : x;
      }
    };
    if (f.repeated) {
      if (!v.length) continue; // proto2: an empty repeated field is not on the wire
      v = v.map(conv);
    } else {
      v = conv(v);
    }
    out[f.name] = v;
  }
  return out;
}

// Decodes like the engine's decodeByPBName(): probuf[Type].decode(Uint8Array).
// ProtoBuf.js enforces `required` fields and throws "Missing at least one required field".
function decodePb(typeName, bytes) {
  const I = loadEngine();
  const C = pbClass(I, typeName);
  const msg = C.decode(toU8(bytes));
  return pbToJson(I, msg, C.$type);
}

// ---------------------------------------------------------------------------
// Client -> server frames (engine writer classes)
// ---------------------------------------------------------------------------

function bodyArray(I, obj) {
  if (obj.body !== undefined && obj.bodyHex !== undefined) throw new Error('frame has both body and bodyHex');
  if (obj.bodyHex !== undefined) return Array.from(fromHex(obj.bodyHex));
  if (obj.body === undefined) return [];
  const t = clientBodyType(obj.topic);
  if (!t) throw new Error('no payload type known for client topic ' + JSON.stringify(obj.topic) + '; use bodyHex');
  return encodePbArray(I, t, obj.body);
}

/**
 * Encodes one client->server frame with the engine's own frame classes:
 *   PUBLISH  new PublishMessage(topic, data, targetId)   (engine class `ai`)
 *   QUERY    new QueryMessage(topic, data, targetId)     (`ci`)
 *   PUBACK   new PubAckMessage(messageId)                (`hi`)
 *   QUERYCON new QueryConMessage(messageId)              (`li`)
 *   PINGREQ  new PingReqMessage()                        (`ni`)
 * then `frame.messageId = id` (as channel.send does), `setHeaderQos(qos)` (as the
 * engine does for PUBLISH), and `getBufferData()` (Int8Array handed to WebSocket.send).
 * `qos` absent -> the class default (0; the engine itself sets 1 on message PUBLISHes).
 * `dup`/`retain`: the engine never sets them on client frames; if true they are set on
 * the frame's header object so that the engine's header encoder emits them.
 */
function encodeClientFrame(obj) {
  const I = loadEngine();
  if (!obj || typeof obj !== 'object') throw new TypeError('frame object expected');
  let f;
  switch (obj.type) {
    case 'PUBLISH':
    case 'QUERY': {
      const Cls = obj.type === 'PUBLISH' ? I.PublishOut : I.Query;
      if (typeof obj.topic !== 'string' || typeof obj.targetId !== 'string') throw new Error(obj.type + ' needs string topic and targetId');
      // A string `data` would be writeUTF()'d by the constructor; always pass the byte array.
      f = new Cls(obj.topic, bodyArray(I, obj), obj.targetId);
      f.messageId = obj.messageId === undefined ? 0 : obj.messageId;
      break;
    }
    case 'PUBACK':
      f = new I.PubAckOut(obj.messageId === undefined ? 0 : obj.messageId);
      break;
    case 'QUERYCON':
      f = new I.QueryCon(obj.messageId === undefined ? 0 : obj.messageId);
      break;
    case 'PINGREQ':
      f = new I.PingReq();
      break;
    default:
      throw new Error('not a client->server frame type: ' + JSON.stringify(obj.type));
  }
  if (obj.qos !== undefined) f.setHeaderQos(obj.qos);
  if (obj.dup) f._header._dup = true;
  if (obj.retain) f._header._retain = true;
  return i8ToU8(f.getBufferData());
}

// ---------------------------------------------------------------------------
// Server -> client frames (engine reader classes)
// ---------------------------------------------------------------------------

function decodeBody(out, typeName, data, opts) {
  if (opts && opts.withBodyHex) out.bodyHex = toHex(data);
  // The engine skips the protobuf decoder for an empty payload (decodeByPBName:
  // `e.length > 0 && decode(e)`), so an empty payload is reported as bodyHex "".
  if (!typeName || data.length === 0) { out.bodyHex = toHex(data); return; }
  try {
    out.body = decodePb(typeName, data);
  } catch (e) {
    out.bodyHex = toHex(data);
    out.bodyError = typeName + ': ' + e.message;
  }
}

/**
 * Decodes one server->client frame exactly as the engine's WebSocket onMessage does:
 *   stream = new BinaryReader(new Uint8Array(buf)); header = new Header(stream.readByte());
 *   msg = readerFactory(header); msg.read(stream, buf.length - 1)
 * The only addition: stream.readUTF is wrapped on this one stream instance to record
 * the strings read, because the CONNACK reader reads the sessionId and drops it.
 *
 * ackTopic: the request topic a QUERYACK answers (not on the wire) - picks the payload type.
 * opts.withBodyHex: also report the raw payload as bodyHex next to body.
 * Payload decode failures are reported as bodyHex + bodyError (the engine logs
 * "PB parse error" and carries on).
 */
function decodeServerFrame(bytes, ackTopic, opts) {
  const I = loadEngine();
  if (ackTopic && typeof ackTopic === 'object' && opts === undefined) { opts = ackTopic; ackTopic = opts.ackTopic; }
  const u8 = toU8(bytes);
  if (u8.length === 0) throw new Error('empty frame');
  const stream = new I.BinaryReader(u8);
  const strings = [];
  const readUTF = stream.readUTF;
  stream.readUTF = function () { const s = readUTF.apply(this, arguments); strings.push(s); return s; };
  const header = new I.Header(stream.readByte());
  const type = TYPE_NAMES[header.type];
  if (!['CONNACK', 'PUBLISH', 'PUBACK', 'QUERYACK', 'PINGRESP', 'DISCONNECT'].includes(type)) {
    throw new Error('not a server->client frame type: header 0x' + u8[0].toString(16) + ' (type ' + header.type + ')');
  }
  const msg = I.readerFactory(header);
  msg.read(stream, u8.length - 1);

  const out = { type, qos: header.qos, dup: header._dup, retain: header._retain };
  switch (type) {
    case 'CONNACK':
      out.status = msg.status;
      if (msg.userId !== null) { // long form: the reader read userId, sessionId, timestamp
        out.userId = msg.userId;
        out.sessionId = strings[1];
        out.timestamp = msg.timestamp;
      }
      break;
    case 'PUBLISH':
      out.date = msg.date;
      out.topic = msg.topic;
      out.targetId = msg.targetId;
      out.messageId = msg.messageId;
      decodeBody(out, serverPublishBodyType(msg.topic, msg.syncMsg), msg.data, opts);
      break;
    case 'PUBACK':
      out.messageId = msg.messageId;
      out.date = msg.date;
      out.status = msg.status;
      out.millis = msg.millisecond;
      out.msgUId = msg.messageUId;
      break;
    case 'QUERYACK':
      out.messageId = msg.messageId;
      out.date = msg.date;
      out.status = msg.status;
      decodeBody(out, queryAckBodyType(ackTopic), msg.data, opts);
      break;
    case 'DISCONNECT':
      out.status = msg.status;
      break;
    default: // PINGRESP
      break;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Reference server-frame encoder (NOT an engine function: the client has no
// server-frame writer).  Built only from the engine's primitives (BinaryWriter,
// writeUTF, probuf) for round-trip tests of the decoder and of gen_frames.cjs.
// Strings are therefore CESU-8 (the engine's writeUTF); the engine reader accepts
// that as well as standard 4-byte UTF-8.
// ---------------------------------------------------------------------------

function encodeServerFrameRef(obj) {
  const I = loadEngine();
  const w = new I.BinaryWriter();
  const typeNum = Number(Object.keys(TYPE_NAMES).find((k) => TYPE_NAMES[k] === obj.type));
  if (!typeNum) throw new Error('unknown frame type ' + obj.type);
  w.write(new I.Header(typeNum, !!obj.retain, obj.qos || 0, !!obj.dup).encode());
  const u16 = (n) => { w.write((n >> 8) & 255); w.write(n & 255); };
  const u32 = (n) => { u16(Math.floor(n / 65536) & 0xffff); u16(n & 0xffff); };
  const body = (typeName) => {
    if (obj.bodyHex !== undefined) return w.write(Array.from(fromHex(obj.bodyHex)));
    if (obj.body === undefined) return undefined;
    if (!typeName) throw new Error('no payload type for ' + obj.type + ' ' + (obj.topic || obj.ackTopic));
    return w.write(encodePbArray(I, typeName, obj.body));
  };
  switch (obj.type) {
    case 'CONNACK':
      w.write(0); w.write(obj.status);
      if (obj.userId !== undefined) {
        w.writeUTF(obj.userId); w.writeUTF(obj.sessionId || '');
        const hi = Math.floor(obj.timestamp / 4294967296);
        u32(hi); u32(obj.timestamp - hi * 4294967296);
      }
      break;
    case 'PUBLISH':
      u32(obj.date); w.writeUTF(obj.topic); w.writeUTF(obj.targetId); u16(obj.messageId);
      body(serverPublishBodyType(obj.topic, obj.dup));
      break;
    case 'PUBACK':
      u16(obj.messageId); u32(obj.date); u16(obj.status); u16(obj.millis); w.writeUTF(obj.msgUId);
      break;
    case 'QUERYACK':
      u16(obj.messageId); u32(obj.date); u16(obj.status);
      body(queryAckBodyType(obj.ackTopic));
      break;
    case 'DISCONNECT':
      w.write(0); w.write(obj.status);
      break;
    case 'PINGRESP':
      break;
    default:
      throw new Error('not a server->client frame type: ' + obj.type);
  }
  return i8ToU8(w.getBytesArray());
}

module.exports = {
  ENGINE_VERSION,
  encodeClientFrame,
  decodeServerFrame,
  encodePb,
  decodePb,
  encodeServerFrameRef,
  engine,
  _locate: locate, // exposed for the self-test of the search failure path
  toHex,
  fromHex,
  CLIENT_TOPIC_TYPES,
  SERVER_PUBLISH_TOPIC_TYPES,
  QUERYACK_TOPIC_TYPES,
  clientBodyType,
  serverPublishBodyType,
  queryAckBodyType,
};

// ---------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------

function cliMain(argv) {
  const [cmd, ...rest] = argv;
  const lines = () => fs.readFileSync(0, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  const out = (s) => process.stdout.write(s + '\n');
  switch (cmd) {
    case 'encode-client':
      for (const l of lines()) out(toHex(encodeClientFrame(JSON.parse(l))));
      return 0;
    case 'decode-server':
      for (const l of lines()) {
        const [hex, ackTopic] = l.split('\t');
        out(JSON.stringify(decodeServerFrame(hex, ackTopic || undefined)));
      }
      return 0;
    case 'encode-pb':
      out(toHex(encodePb(rest[0], JSON.parse(rest[1]))));
      return 0;
    case 'decode-pb':
      out(JSON.stringify(decodePb(rest[0], rest[1])));
      return 0;
    case 'info': {
      const I = loadEngine();
      out(JSON.stringify({ version: I.version, copy: I.copyPath, names: I.names }, null, 2));
      return 0;
    }
    default:
      process.stderr.write('usage: node engine_codec.cjs encode-client|decode-server|encode-pb TYPE JSON|decode-pb TYPE HEX|info\n');
      return 2;
  }
}

if (require.main === module) process.exitCode = cliMain(process.argv.slice(2));
