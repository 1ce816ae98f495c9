'use strict';
/*
 * gen_frames.cjs - deterministic randomised frame generators for the interop tests.
 *
 *   genClientFrames(seed, n) -> n client->server frames in the JSON form
 *   genServerFrames(seed, n) -> n server->client frames in the JSON form
 *
 * The JSON form is the contract with our C++ tools/rmtp (see engine_codec.cjs).
 * One addition: generated QUERYACK objects carry `ackTopic` (the request topic the
 * ack answers).  It is NOT on the wire; an encoder needs it to pick the payload
 * type, and a decoder must be told it separately (decodeServerFrame's 2nd argument).
 *
 * Values are "canonical", i.e. exactly what a decoder reports back: optional fields
 * either absent or set, repeated fields absent or with >= 1 element, int64 values
 * within 0..2^53-1 (exact as JS numbers), strings as well-formed UTF-16 (astral
 * characters only as complete surrogate pairs), bytes fields as text.
 * Same (seed, n) -> same frames, on any machine (seeded PRNG, no Math.random).
 *
 * CLI: node gen_frames.cjs <seed> <n> [client|server]   -> JSON lines on stdout
 *
 * This file does not depend on the engine; the payload schema below is a
 * transcription of shared/protocol/WIRE-SCHEMA.md (only the types the topic
 * tables use).
 */

// ---------------------------------------------------------------------------
// PRNG: xmur3 string hash -> sfc32
// ---------------------------------------------------------------------------

function xmur3(str) {
  let h = 1779033703 ^ str.length;
  for (let i = 0; i < str.length; i++) {
    h = Math.imul(h ^ str.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (h ^= h >>> 16) >>> 0;
  };
}

function makeRng(seed) {
  const s = xmur3('parley-gen:' + String(seed));
  let a = s(), b = s(), c = s(), d = s();
  const next = () => { // sfc32, uniform in [0, 2^32)
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) next();
  const r = {
    u32: next,
    float: () => next() / 4294967296,
    int: (lo, hi) => lo + Math.floor((next() / 4294967296) * (hi - lo + 1)), // inclusive
    bool: (p = 0.5) => next() / 4294967296 < p,
    pick: (arr) => arr[Math.floor((next() / 4294967296) * arr.length)],
    // uniform integer in [0, 2^53)
    u53: () => (next() >>> 11) * 4294967296 + next(),
  };
  return r;
}

// ---------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------

const ASCII = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.:@#/!?"\'\\{}[],';
const LATIN = ['\u00e9', '\u00f1', '\u00fc', '\u00df', '\u00c5', '\u00a9', '\u00b5', '\u0394', '\u03c9', '\u0416', '\u05d0', '\u0627'];
const CJK = ['你', '好', '世', '界', '消', '息', '群', '组', '用', '户', '测', '试', '漢', '字', 'の', 'カ', 'タ', '한', '글', '　', '，', '。'];
const BMP_SYM = ['\u263a', '\u2713', '\u2605', '\u2665', '\u20ac', '\u2122', '\u00a0', '\ufeff', '\uffee', '\u200d'];
const ASTRAL = ['😀', '🎉', '👍', '🏻', '🀄', '𝄞', '😂', '🧪', '🚀', '𠀋', '𪚥', '👨‍👩‍👧', '🇨🇳', '❤️'];

function randText(r, maxLen, mode) {
  const len = r.int(0, maxLen);
  let s = '';
  for (let i = 0; i < len; i++) {
    const k = mode === 'ascii' ? 0 : r.int(0, 9);
    if (k <= 3) s += ASCII[r.int(0, ASCII.length - 1)];
    else if (k === 4) s += r.pick(LATIN);
    else if (k <= 6) s += r.pick(CJK);
    else if (k === 7) s += r.pick(BMP_SYM);
    else s += r.pick(ASTRAL);
  }
  return s;
}

function randId(r) {
  switch (r.int(0, 9)) {
    case 0: return 'user' + r.int(0, 99999);
    case 1: return randText(r, 8, 'ascii').replace(/[^A-Za-z0-9_-]/g, '') || 'u';
    case 2: return '用户' + r.int(0, 999);
    case 3: return r.pick(ASTRAL) + 'id' + r.pick(ASTRAL);
    case 4: return randText(r, 12);
    case 5: return '';
    case 6: return 'grp_' + r.pick(CJK) + r.pick(ASTRAL);
    case 7: { let s = ''; const n = r.int(86, 120); for (let i = 0; i < n; i++) s += r.pick(CJK); return s; } // > 255 UTF-8 bytes
    default: return r.pick(['userA', 'userB', 'userC', 'group1', 'chatroom-1']) + (r.bool(0.5) ? '' : r.int(0, 9));
  }
}

function randMsgUId(r) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const part = () => { let s = ''; for (let i = 0; i < 4; i++) s += A[r.int(0, A.length - 1)]; return s; };
  return [part(), part(), part(), part()].join('-');
}

function randContent(r, classname) {
  const c = classname || 'RC:TxtMsg';
  switch (r.int(0, 5)) {
    case 0: return JSON.stringify({ content: randText(r, 40) });
    case 1: return JSON.stringify({ content: randText(r, 20), extra: randText(r, 10), user: { id: randId(r), name: randText(r, 6) } });
    case 2: return JSON.stringify({ conversationType: r.int(1, 6), targetId: randId(r), messageUId: randMsgUId(r), sentTime: 1700000000000 + r.int(0, 99999999) });
    case 3: return JSON.stringify({ typingContentType: 'RC:TxtMsg' });
    case 4: return JSON.stringify({ content: randText(r, 600) }); // long (multi-byte varint length)
    default: return c === 'RC:RcCmd' ? JSON.stringify({ messageUId: randMsgUId(r) }) : randText(r, 30); // not JSON
  }
}

// ---------------------------------------------------------------------------
// Payload schema (transcribed from WIRE-SCHEMA.md).  "label type name=number"
// ---------------------------------------------------------------------------

const ENUMS = {
  ChannelType: [1, 2, 3, 4, 5, 6, 7, 8],
  SessionStateType: [1, 2, 3],
};

const SCHEMA_TEXT = {
  NotifyMsg: 'req int32 type=1; opt int64 time=2; opt string chrmId=3',
  SyncRequestMsg: 'req int64 syncTime=1; req bool ispolling=2; opt bool isweb=3; opt bool isPullSend=4; opt bool isKeeping=5; opt int64 sendBoxSyncTime=6',
  UpStreamMessage: 'req int32 sessionId=1; req string classname=2; req bytes content=3; opt string pushText=4; opt string appData=5; rep string userId=6; opt int64 delMsgTime=7; opt string delMsgId=8; opt int32 configFlag=9; opt int64 clientUniqueId=10; opt string extraContent=11; opt PushExtra pushExt=12',
  PushExtra: 'opt string title=1; opt int32 templateIdNoUse=2; opt string pushId=3; opt string pushConfigs=4; opt string templateId=5',
  DownStreamMessages: 'rep DownStreamMessage list=1; req int64 syncTime=2; opt bool finished=3',
  DownStreamMessage: 'req string fromUserId=1; req ChannelType type=2; opt string groupId=3; req string classname=4; req bytes content=5; req int64 dataTime=6; req int64 status=7; opt int64 extra=8; opt string msgId=9; opt int32 direction=10; opt int32 plantform=11; opt int32 isRemoved=12; opt string source=13; opt int64 clientUniqueId=14; opt string extraContent=15; opt string pushContent=16; opt int32 configFlag=17; opt PushExtra pushExt=18',
  Add2BlackListInput: 'req string userId=1',
  RemoveFromBlackListInput: 'req string userId=1',
  QueryBlackListInput: 'req int32 nothing=1',
  QueryBlackListOutput: 'rep string userIds=1',
  BlackListStatusInput: 'req string userId=1',
  ChrmInput: 'req int32 nothing=1',
  ChrmOutput: 'req int32 nothing=1; opt string sessionId=2; opt int64 joinTime=3',
  ChrmPullMsg: 'req int64 syncTime=1; req int32 count=2',
  RelationQryInput: 'opt ChannelType type=1; opt int32 count=2; opt int64 startTime=3; opt int32 order=4',
  RelationsOutput: 'rep RelationInfo info=1',
  RelationInfo: 'req ChannelType type=1; req string userId=2; opt DownStreamMessage msg=3; opt int64 readMsgTime=4; opt int64 unreadCount=5; opt string channelId=6',
  CleanHisMsgInput: 'req string targetId=1; req int64 dataTime=2; opt int32 conversationType=3',
  QueryChatRoomInfoInput: 'req int32 count=1; opt int32 order=2',
  QueryChatRoomInfoOutput: 'opt int32 userTotalNums=1; rep ChrmMember userInfos=2',
  ChrmMember: 'req int64 time=1; req string id=2',
  HistoryMsgInput: 'opt string targetId=1; opt int64 time=2; opt int32 count=3; opt int32 order=4',
  HistoryMsgOuput: 'rep DownStreamMessage list=1; req int64 syncTime=2; req int32 hasMsg=3',
  DeleteMsgInput: 'opt ChannelType type=1; opt string conversationId=2; rep DeleteMsg msgs=3',
  DeleteMsg: 'opt string msgId=1; opt int64 msgDataTime=2; opt int32 direct=3',
  ChrmKVEntity: 'req string key=1; req string value=2; opt int32 status=3; opt int64 timestamp=4; opt string uid=5',
  SetChrmKV: 'req ChrmKVEntity entry=1; opt bool bNotify=2; opt UpStreamMessage notification=3; opt ChannelType type=4',
  ChrmKVOutput: 'rep ChrmKVEntity entries=1; opt bool bFullUpdate=2; opt int64 syncTime=3',
  QueryChrmKV: 'req int64 timestamp=1',
  PullUserSettingInput: 'req int64 version=1; opt bool reserve=2',
  PullUserSettingOutput: 'rep UserSettingItem items=1; req int64 version=2',
  UserSettingItem: 'req string targetId=1; req ChannelType type=2; req string key=4; req bytes value=5; req int64 version=6; req int32 status=7; rep SessionTagItem tags=8',
  SessionReq: 'req int64 time=1',
  SessionStates: 'req int64 version=1; rep SessionState state=2',
  SessionState: 'req ChannelType type=1; req string channelId=2; opt int64 time=3; rep SessionStateItem stateItem=4',
  SessionStateItem: 'req SessionStateType sessionStateType=1; req string value=2; rep SessionTagItem tags=3',
  SessionStateModifyReq: 'req int64 version=1; rep SessionState state=2',
  SessionStateModifyResp: 'req int64 version=1',
  GrpReadReceiptMsg: 'rep string msgId=1; opt string busChannel=2',
  GrpReadReceiptQryReq: 'rep string msgId=1; opt string busChannel=2',
  GrpReadReceiptQryResp: 'req int32 totalMemberNum=1; rep GrpMsgReadUser list=2',
  GrpMsgReadUser: 'req int64 readTime=1; req string userId=2',
  SessionTagItem: 'req string tagId=1; opt string name=2; opt int64 createdTime=3; opt bool isTop=4',
  UserSettingNotification: 'req int64 version=1; req bool reserve=2',
  ReportSDKInput: 'req string sdkInfo=1',
  ReportSDKOutput: 'opt int32 nothing=1',
};

const SCHEMA = {};
for (const [name, text] of Object.entries(SCHEMA_TEXT)) {
  SCHEMA[name] = text.split(';').map((s) => {
    const m = /^\s*(req|opt|rep)\s+(\w+)\s+(\w+)=(\d+)\s*$/.exec(s);
    if (!m) throw new Error('bad schema line ' + name + ': ' + s);
    return { label: m[1], type: m[2], name: m[3], id: Number(m[4]) };
  });
}

// Same tables as engine_codec.cjs (kept here so the generator has no engine dependency).
const SEND_TOPICS = ['ppMsgP', 'pgMsgP', 'chatMsg', 'pcMsgP', 'ppMsgS', 'pgMsgS', 'chatMsgS', 'recallMsg'];
const QUERY_TOPICS = {
  pullMsg: 'SyncRequestMsg', pullSeAtts: 'SessionReq', pullUS: 'PullUserSettingInput', reportsdk: 'ReportSDKInput',
  qryRelationR: 'RelationQryInput', delRelation: 'RelationQryInput',
  qryPMsg: 'HistoryMsgInput', qryGMsg: 'HistoryMsgInput', qryCHMsg: 'HistoryMsgInput', qryCMsg: 'HistoryMsgInput', qrySMsg: 'HistoryMsgInput',
  delMsg: 'DeleteMsgInput',
  cleanPMsg: 'CleanHisMsgInput', cleanGMsg: 'CleanHisMsgInput', cleanCMsg: 'CleanHisMsgInput', cleanSMsg: 'CleanHisMsgInput',
  setSeAtt: 'SessionStateModifyReq',
  joinChrm: 'ChrmInput', joinChrmR: 'ChrmInput', exitChrm: 'ChrmInput',
  chrmPull: 'ChrmPullMsg', queryChrmI: 'QueryChatRoomInfoInput',
  rrMsg: 'GrpReadReceiptMsg', rrList: 'GrpReadReceiptQryReq',
  pullKV: 'QueryChrmKV', setKV: 'SetChrmKV', delKV: 'SetChrmKV',
  addBlack: 'Add2BlackListInput', rmBlack: 'RemoveFromBlackListInput', qryBlack: 'QueryBlackListInput', blackStat: 'BlackListStatusInput',
};
const QUERYACK_TOPICS = {
  pullMsg: 'DownStreamMessages', chrmPull: 'DownStreamMessages', pullSeAtts: 'SessionStates', pullUS: 'PullUserSettingOutput',
  reportsdk: 'ReportSDKOutput', qryRelationR: 'RelationsOutput',
  qryPMsg: 'HistoryMsgOuput', qryGMsg: 'HistoryMsgOuput', qryCHMsg: 'HistoryMsgOuput', qryCMsg: 'HistoryMsgOuput', qrySMsg: 'HistoryMsgOuput',
  setSeAtt: 'SessionStateModifyResp', joinChrm: 'ChrmOutput', joinChrmR: 'ChrmOutput', queryChrmI: 'QueryChatRoomInfoOutput',
  rrList: 'GrpReadReceiptQryResp', pullKV: 'ChrmKVOutput', qryBlack: 'QueryBlackListOutput',
  blackStat: 'QueryBlackListOutput',  // the status answer: the user's id listed, or nothing
};
// Topics with no payload type in the contract (the codec must fall back to bodyHex).
const UNKNOWN_CLIENT_TOPICS = ['qnTkn', 'rtcUDel', 'rtcPing', 'addSeTag', 'x', 'topic_\u4e2d'];
const UNKNOWN_ACK_TOPICS = ['delMsg', 'exitChrm', 'setKV', 'qnTkn', 'rtcRInfo'];
const UNKNOWN_SERVER_TOPICS = ['rtc_ntf', 'userSetData', 's_stat', 'zzz'];

const CLASSNAMES = ['RC:TxtMsg', 'RC:ImgMsg', 'RC:RcCmd', 'RC:TypSts', 'RC:ReadNtf', 'RC:SRSMsg', 'RC:CombineMsg', 'App:自定义😀'];

// ---------------------------------------------------------------------------
// Random protobuf values
// ---------------------------------------------------------------------------

function randInt32(r) {
  switch (r.int(0, 9)) {
    case 0: return 0;
    case 1: return r.pick([1, 127, 128, 255, 256, 16383, 16384, 2097151, 2097152, 268435455, 268435456, 2147483647]);
    case 2: return r.pick([-1, -2, -128, -2147483648]); // 10-byte varints on the wire
    case 3: return r.int(0, 2147483647);
    default: return r.int(0, 100);
  }
}

function randInt64(r) {
  switch (r.int(0, 9)) {
    case 0: return 0;
    case 1: return r.pick([1, 127, 128, 4294967295, 4294967296, 34359738367, 34359738368, 9007199254740991]);
    case 2: return r.u53();
    case 3: case 4: case 5: return 1600000000000 + r.int(0, 300000000) * 1000 + r.int(0, 999); // ms timestamps
    default: return r.int(0, 100000);
  }
}

function randString(r, fieldName) {
  if (/(^id$|Id$|Ids$|^uid$|^key$|^userid$)/.test(fieldName)) {
    if (/^msgId$|^delMsgId$/.test(fieldName)) return r.bool(0.8) ? randMsgUId(r) : randId(r);
    return randId(r);
  }
  switch (fieldName) {
    case 'classname': return r.pick(CLASSNAMES);
    case 'sdkInfo': return JSON.stringify({ engine: '4.4.2', imlib: '2.9.2', extra: randText(r, 6) });
    case 'pushConfigs': return JSON.stringify([{ HW: { channelId: randId(r) } }, { APNS: { 'thread-id': randText(r, 5) } }]);
    case 'extraContent': return JSON.stringify({ k: { v: randText(r, 8) } });
    case 'value': return r.pick(['0', '1', randText(r, 10)]);
    default: return randText(r, 16);
  }
}

function randMessage(r, typeName, depth, hint) {
  const fields = SCHEMA[typeName];
  if (!fields) throw new Error('no schema for ' + typeName);
  const out = {};
  let classname = null;
  for (const f of fields) {
    if (f.label === 'opt' && !r.bool(0.55)) continue;
    if (f.label === 'rep' && (depth > 2 || !r.bool(0.6))) continue;
    const one = () => {
      if (SCHEMA[f.type]) return randMessage(r, f.type, depth + 1);
      if (ENUMS[f.type]) return r.pick(ENUMS[f.type]);
      switch (f.type) {
        case 'int32': return randInt32(r);
        case 'int64': return randInt64(r);
        case 'bool': return r.bool();
        case 'string': {
          const s = randString(r, f.name);
          if (f.name === 'classname') classname = s;
          return s;
        }
        case 'bytes': return f.name === 'content' ? randContent(r, classname) : randText(r, 24);
        default: throw new Error('unsupported type ' + f.type);
      }
    };
    if (f.label === 'rep') {
      const n = r.int(1, 3);
      const arr = [];
      for (let i = 0; i < n; i++) arr.push(one());
      out[f.name] = arr;
    } else {
      out[f.name] = one();
    }
  }
  // A few realistic shapes on top of the uniform ones.
  if (hint === 'upstream' && r.bool(0.4)) {
    out.sessionId = r.pick([0, 3, 7, 35, 67]);
    out.configFlag = 0;
  }
  return out;
}

function randHex(r, maxLen) {
  const n = r.int(0, maxLen);
  let s = '';
  for (let i = 0; i < n; i++) s += r.int(0, 255).toString(16).padStart(2, '0');
  return s;
}

function randMessageId(r) {
  switch (r.int(0, 5)) {
    case 0: return r.pick([0, 1, 127, 128, 255, 256, 32767, 32768, 65534, 65535]);
    case 1: return r.int(1, 300);
    default: return r.int(0, 65535);
  }
}

// ---------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------

const CLIENT_KINDS = ['PUBLISH', 'QUERY', 'PUBACK', 'QUERYCON', 'PINGREQ'];

function genClientFrame(r, kind) {
  const base = (type, qos) => ({ type, qos, dup: false, retain: false });
  switch (kind) {
    case 'PUBLISH': {
      const unknown = r.bool(0.05);
      const topic = unknown ? r.pick(UNKNOWN_CLIENT_TOPICS) : r.pick(SEND_TOPICS);
      const f = base('PUBLISH', r.bool(0.85) ? 1 : r.pick([0, 2]));
      f.topic = topic;
      f.targetId = randId(r);
      // status messages (ppMsgS/pgMsgS/chatMsgS) are sent with messageId 0
      f.messageId = /MsgS$/.test(topic) && r.bool(0.7) ? 0 : randMessageId(r);
      if (unknown) f.bodyHex = randHex(r, 24); else f.body = randMessage(r, 'UpStreamMessage', 0, 'upstream');
      return f;
    }
    case 'QUERY': {
      const unknown = r.bool(0.05);
      const topics = Object.keys(QUERY_TOPICS);
      const topic = unknown ? r.pick(UNKNOWN_CLIENT_TOPICS) : r.pick(topics);
      const f = base('QUERY', r.bool(0.9) ? 0 : 1);
      f.topic = topic;
      f.targetId = randId(r);
      f.messageId = randMessageId(r);
      if (unknown) f.bodyHex = randHex(r, 24); else f.body = randMessage(r, QUERY_TOPICS[topic], 0);
      return f;
    }
    case 'PUBACK':
    case 'QUERYCON': {
      const f = base(kind, 0);
      f.messageId = randMessageId(r);
      return f;
    }
    case 'PINGREQ':
      return base('PINGREQ', 0);
    default:
      throw new Error('unknown client kind ' + kind);
  }
}

// Server variants; the first frames of every batch walk through all of them once.
const SERVER_VARIANTS = [
  'CONNACK_LONG', 'CONNACK_SHORT', 'PUBLISH_NTF', 'PUBLISH_MSG', 'PUBLISH_CMD', 'PUBLISH_US', 'PUBLISH_SYNC',
  'PUBLISH_UNKNOWN', 'PUBACK_OK', 'PUBACK_ERR', 'QUERYACK_BODY', 'QUERYACK_BODY', 'QUERYACK_BODY', 'QUERYACK_ERR',
  'QUERYACK_UNKNOWN', 'PINGRESP', 'DISCONNECT',
];

function randDate(r) {
  return r.bool(0.7) ? 1600000000 + r.int(0, 300000000) : r.pick([0, 1, 2147483647, 2147483648, 4294967295, r.u32()]);
}

function genServerFrame(r, variant, ackTopicCycle) {
  const base = (type, qos, dup) => ({ type, qos, dup: !!dup, retain: false });
  switch (variant) {
    case 'CONNACK_LONG': {
      const f = base('CONNACK', 0);
      f.status = r.bool(0.9) ? 0 : r.int(1, 13);
      f.userId = randId(r);
      f.sessionId = r.bool(0.8) ? randText(r, 12, 'ascii') : randText(r, 10);
      f.timestamp = r.bool(0.8) ? 1600000000000 + r.int(0, 300000000) * 1000 + r.int(0, 999) : r.pick([0, 1, 4294967296, r.u53()]);
      return f;
    }
    case 'CONNACK_SHORT': {
      const f = base('CONNACK', 0);
      f.status = r.bool(0.8) ? r.int(0, 13) : r.int(14, 255);
      return f;
    }
    case 'PUBLISH_NTF':
    case 'PUBLISH_CMD': {
      const f = base('PUBLISH', r.bool(0.8) ? 1 : 0);
      f.date = randDate(r);
      f.topic = variant === 'PUBLISH_NTF' ? 's_ntf' : 's_cmd';
      f.targetId = randId(r);
      f.messageId = randMessageId(r);
      f.body = randMessage(r, 'NotifyMsg', 0);
      if (r.bool(0.5)) f.body.type = r.pick([1, 2, 3]);
      return f;
    }
    case 'PUBLISH_MSG': {
      const f = base('PUBLISH', r.bool(0.8) ? 1 : 0);
      f.date = randDate(r);
      f.topic = 's_msg';
      f.targetId = randId(r);
      f.messageId = randMessageId(r);
      f.body = randMessage(r, 'DownStreamMessage', 0);
      return f;
    }
    case 'PUBLISH_US': {
      const f = base('PUBLISH', r.bool(0.8) ? 1 : 0);
      f.date = randDate(r);
      f.topic = 's_us';
      f.targetId = randId(r);
      f.messageId = randMessageId(r);
      f.body = randMessage(r, 'UserSettingNotification', 0);
      return f;
    }
    case 'PUBLISH_SYNC': { // own message sent from another device: dup=1, UpStreamMessage
      const f = base('PUBLISH', 1, true);
      f.date = randDate(r);
      f.topic = r.pick(SEND_TOPICS);
      f.targetId = randId(r);
      f.messageId = r.int(1, 65535);
      f.body = randMessage(r, 'UpStreamMessage', 0, 'upstream');
      return f;
    }
    case 'PUBLISH_UNKNOWN': {
      const f = base('PUBLISH', r.pick([0, 1]));
      f.date = randDate(r);
      f.topic = r.pick(UNKNOWN_SERVER_TOPICS);
      f.targetId = randId(r);
      f.messageId = randMessageId(r);
      f.bodyHex = randHex(r, 20);
      return f;
    }
    case 'PUBACK_OK':
    case 'PUBACK_ERR': {
      const f = base('PUBACK', 0);
      f.messageId = randMessageId(r);
      f.date = randDate(r);
      f.status = variant === 'PUBACK_OK' ? 0 : r.pick([405, 22406, 23406, 1, 30001, 65535, r.int(1, 65535)]);
      f.millis = r.bool(0.9) ? r.int(0, 999) : r.pick([0, 999, 65535]);
      f.msgUId = variant === 'PUBACK_OK' || r.bool(0.3) ? (r.bool(0.9) ? randMsgUId(r) : randId(r)) : '';
      return f;
    }
    case 'QUERYACK_BODY': {
      const topics = Object.keys(QUERYACK_TOPICS);
      const f = base('QUERYACK', r.bool(0.7) ? 1 : 0);
      f.messageId = randMessageId(r);
      f.date = randDate(r);
      f.status = 0;
      f.ackTopic = ackTopicCycle !== undefined ? topics[ackTopicCycle % topics.length] : r.pick(topics);
      f.body = randMessage(r, QUERYACK_TOPICS[f.ackTopic], 0);
      // Types with no required field (ReportSDKOutput, QueryBlackListOutput, ...) can come
      // out empty; an empty payload is not decoded by the engine (reported as bodyHex ""),
      // so keep at least one field in a "body" variant.
      if (Object.keys(f.body).length === 0) {
        const first = SCHEMA[QUERYACK_TOPICS[f.ackTopic]][0];
        const one = randMessage(r, QUERYACK_TOPICS[f.ackTopic], 0);
        f.body = one[first.name] !== undefined ? { [first.name]: one[first.name] }
          : first.label === 'rep' ? { [first.name]: [first.type === 'string' ? randId(r) : randMessage(r, first.type, 1)] }
          : first.type === 'int32' ? { [first.name]: r.int(0, 5) } : { [first.name]: randInt64(r) };
      }
      return f;
    }
    case 'QUERYACK_ERR': {
      const f = base('QUERYACK', r.pick([0, 1]));
      f.messageId = randMessageId(r);
      f.date = randDate(r);
      f.status = r.pick([1, 404, 22406, 23406, 65535]);
      f.ackTopic = r.pick(Object.keys(QUERYACK_TOPICS));
      f.bodyHex = '';
      return f;
    }
    case 'QUERYACK_UNKNOWN': {
      const f = base('QUERYACK', r.pick([0, 1]));
      f.messageId = randMessageId(r);
      f.date = randDate(r);
      f.status = 0;
      f.ackTopic = r.pick(UNKNOWN_ACK_TOPICS);
      f.bodyHex = randHex(r, 16);
      return f;
    }
    case 'PINGRESP':
      return base('PINGRESP', 0);
    case 'DISCONNECT': {
      const f = base('DISCONNECT', 0);
      f.status = r.bool(0.8) ? r.int(0, 6) : r.int(7, 255);
      return f;
    }
    default:
      throw new Error('unknown server variant ' + variant);
  }
}

function genClientFrames(seed, n) {
  const r = makeRng('client:' + seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const kind = i < CLIENT_KINDS.length ? CLIENT_KINDS[i]
      : r.pick(['PUBLISH', 'PUBLISH', 'PUBLISH', 'QUERY', 'QUERY', 'QUERY', 'QUERY', 'PUBACK', 'QUERYCON', 'PINGREQ']);
    out.push(genClientFrame(r, kind));
  }
  return out;
}

function genServerFrames(seed, n) {
  const r = makeRng('server:' + seed);
  const out = [];
  let ackCycle = 0;
  for (let i = 0; i < n; i++) {
    const variant = i < SERVER_VARIANTS.length ? SERVER_VARIANTS[i] : r.pick(SERVER_VARIANTS);
    // QUERYACK bodies walk through all ack topics in turn, so every payload type shows up.
    out.push(genServerFrame(r, variant, variant === 'QUERYACK_BODY' ? ackCycle++ : undefined));
  }
  return out;
}

module.exports = {
  genClientFrames, genServerFrames, makeRng,
  SCHEMA, QUERY_TOPICS, QUERYACK_TOPICS, SEND_TOPICS,
};

if (require.main === module) {
  const [seed = '1', n = '20', which = 'client'] = process.argv.slice(2);
  const frames = which === 'server' ? genServerFrames(seed, Number(n)) : genClientFrames(seed, Number(n));
  for (const f of frames) process.stdout.write(JSON.stringify(f) + '\n');
}
