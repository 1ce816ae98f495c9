// Client: the RongIMClient-compatible API over one Engine. `RongIMClient` (index.js) is one
// Client made at load time, as v2's singleton; `createClient()` makes more (two users in one
// page or one node process). getInstance() returns the client itself, so both v2 spellings
// work: RongIMClient.connect(...) and RongIMClient.getInstance().sendMessage(...).
//
// Every asynchronous method takes the v2 callback object and returns a Promise when none is
// given (callbacks.js). Arguments are checked before anything reaches the core: a bad one
// answers PARAMETER_ERROR (-3), content over 128 KB RC_MSG_CONTENT_EXCEED_LIMIT (30016).
// Nothing here throws into app code.
// Members that are not v2 API start with `_` (the release build shortens such names).
import { respond, safeCall } from './callbacks.js';
import { Engine } from './engine.js';
import {
  ConnectionStatus, ErrorCode, MAX_MESSAGE_CONTENT_BYTES, NotificationStatus,
} from './enums.js';
import { ParleyError, errorFromResult, parameterError } from './errors.js';
import { createLogger } from './log.js';
import {
  BUILTIN_CLASSES, BUILTIN_MESSAGE_TYPES, MessageRegistry, toV2Conversation, toV2Message,
} from './messages.js';
import { runtime as defaultRuntime } from './runtime.js';
import { createStorage } from './storage.js';
import {
  checkConversation, checkNumber, checkOptionalType, checkString, checkTypes, describe,
  firstError, isNonEmptyString, isPlainObject, utf8Length,
} from './validate.js';

const TYPING_STATUS = 'RC:TypSts';
const REMOTE_LIST_WAIT_MS = 5000;

export class Client {
  constructor(runtime = defaultRuntime) {
    this._runtime = runtime;
    this._engine = null;
    this._log = createLogger({});
    this._registry = new MessageRegistry();
    this._listeners = {};
    this._typing = new Map();   // "type_target" -> {conversationType, targetId, list: [{userId, timestamp, messageType}]}
    this._typingTimer = null;
  }

  // ---- set-up ---------------------------------------------------------------------------

  // init(appKey, _, options): v2 options navi, connectionType, logLevel, logStdout,
  // typingExpireTime; Parley options WebSocket, XMLHttpRequest (constructors), storage
  // (a Web Storage object, an adapter or false), wasm (bytes, WebAssembly.Module or URL),
  // core (session tunables), signals (false: ignore online/visibilitychange),
  // cometFallback (default true). A second init with the same appKey is ignored.
  init(appKey, _unused, options) {
    const opts = isPlainObject(options) ? options : {};
    this._log = createLogger(opts);
    if (!isNonEmptyString(appKey)) {
      this._log.error('init: appKey must be a non-empty string, got ' + describe(appKey));
      return;
    }
    if (this._engine) {
      if (this._engine._appKey === appKey) {
        this._log.warn('init: already initialised');
        return;
      }
      this._engine._destroy();
    }
    if (opts.connectionType !== undefined && opts.connectionType !== 'websocket' && opts.connectionType !== 'comet') {
      this._log.warn(`init: connectionType ${describe(opts.connectionType)} is not 'websocket' or 'comet'; using websocket`);
    }
    const expire = typeof opts.typingExpireTime === 'number' ? opts.typingExpireTime : 2000;
    this._typingExpireMs = Math.min(6000, Math.max(2000, expire));
    const storage = createStorage(opts.storage, (e) =>
      this._log.warn('storage unavailable, keeping state in memory for this page: ' + (e && e.name ? e.name : e)));
    this._engine = new Engine({
      appKey,
      navi: typeof opts.navi === 'string' ? opts.navi : undefined,
      connectionType: opts.connectionType === 'comet' ? 'comet' : 'websocket',
      WebSocket: opts.WebSocket,
      XMLHttpRequest: opts.XMLHttpRequest,
      storage,
      logger: this._log,
      wasm: opts.wasm || this._runtime.wasm,
      core: isPlainObject(opts.core) ? opts.core : undefined,
      clock: opts.clock,
      signals: opts.signals,
      cometFallback: opts.cometFallback,
      seed: opts.seed,
      onEvent: (type, data) => this._onEvent(type, data),
    });
  }

  // The Emscripten module is loaded asynchronously after init; this resolves when it is.
  ready() {
    if (!this._engine) return Promise.reject(notInit());
    return this._engine._ready;
  }

  getInstance() { return this; }

  // Frees the wasm client, closes transports and timers (Parley only; v2 has no such call).
  destroy() {
    if (this._engine) this._engine._destroy();
    this._engine = null;
    if (this._typingTimer) clearTimeout(this._typingTimer);
    this._typingTimer = null;
  }

  // ---- listeners --------------------------------------------------------------------------

  setConnectionStatusListener(listener) { this._listeners.status = listener; }
  setOnReceiveMessageListener(listener) { this._listeners.message = listener; }
  setTypingStatusListener(listener) { this._listeners.typing = listener; }
  // Accepted for compatibility; Parley reports conversation changes through on('conversation').
  setConversationStatusListener(listener) { this._listeners.conversationStatus = listener; }
  setMessageExpansionListener(listener) { this._listeners.expansion = listener; }
  setTagListener(listener) { this._listeners.tag = listener; }
  setConversationTagListener(listener) { this._listeners.conversationTag = listener; }

  // Parley's own events: 'status', 'message' (v2 message), 'conversation' (v2 conversation),
  // 'outbox' (final state of a message sent before a reload), 'recall', 'typing',
  // 'readReceipt', 'sending'. Returns a function that removes the listener.
  on(type, fn) {
    if (!this._own) this._own = new Map();
    if (!this._own.has(type)) this._own.set(type, new Set());
    this._own.get(type).add(fn);
    return () => this._own.get(type).delete(fn);
  }

  // The engine's events, to the v2 listeners and on() ('log' is the engine's own).
  _onEvent(type, data) {
    switch (type) {
      case 'status': this._onStatus(data.status); break;
      case 'message': this._onMessage(data.message); break;
      case 'typing': this._onTyping(data); break;
      case 'outbox': case 'recall': case 'readReceipt': case 'conversation': case 'sending':
        this._fire(type, data);
    }
  }

  _fire(type, data) {
    const set = this._own && this._own.get(type);
    if (!set) return;
    let payload = data;
    if (type === 'conversation') payload = toV2Conversation(data.conversation, this._registry);
    else if (type === 'outbox' || type === 'sending') payload = toV2Message(data.message, this._registry);
    else if (type === 'recall' && data.message) payload = Object.assign({}, data, { message: toV2Message(data.message, this._registry) });
    for (const fn of Array.from(set)) safeCall(this._log, fn, payload);
  }

  _onStatus(status) {
    const l = this._listeners.status;
    if (l) safeCall(this._log, l.onChanged && l.onChanged.bind(l), status);
    this._fire('status', status);
  }

  _onMessage(m) {
    const message = toV2Message(m, this._registry);
    if (!message) return;
    if (m.objectName !== TYPING_STATUS) this._clearTyping(m.conversationType, m.targetId, m.senderUserId);
    this._fire('message', message);
    // As v2: typing messages go to the typing listener when there is one.
    if (m.objectName === TYPING_STATUS && this._listeners.typing) return;
    const l = this._listeners.message;
    if (l) safeCall(this._log, l.onReceived && l.onReceived.bind(l), message, undefined, false);
  }

  // ---- typing state (v2 setTypingStatusListener): who is typing where, expiring -------------

  _onTyping(t) {
    const key = `${t.conversationType}_${t.targetId}`;
    let entry = this._typing.get(key);
    if (!entry) {
      entry = { conversationType: t.conversationType, targetId: t.targetId, channelId: '', list: [] };
      this._typing.set(key, entry);
    }
    const now = Date.now();
    entry.list = entry.list.filter((u) => u.userId !== t.userId);
    entry.list.push({ userId: t.userId, timestamp: now, messageType: t.typingContentType });
    this._fire('typing', t);
    this._typingChanged();
  }

  _clearTyping(type, target, userId) {
    const entry = this._typing.get(`${type}_${target}`);
    if (!entry || !entry.list.some((u) => u.userId === userId)) return;
    entry.list = entry.list.filter((u) => u.userId !== userId);
    if (!entry.list.length) this._typing.delete(`${type}_${target}`);
    this._typingChanged();
  }

  _typingChanged() {
    const l = this._listeners.typing;
    if (l) safeCall(this._log, l.onChanged && l.onChanged.bind(l), Array.from(this._typing.values()).map((e) => Object.assign({}, e, { list: e.list.slice() })));
    this._armTypingExpiry();
  }

  _armTypingExpiry() {
    if (this._typingTimer) clearTimeout(this._typingTimer);
    this._typingTimer = null;
    let next = Infinity;
    for (const e of this._typing.values()) for (const u of e.list) next = Math.min(next, u.timestamp + this._typingExpireMs);
    if (next === Infinity) return;
    this._typingTimer = setTimeout(() => {
      this._typingTimer = null;
      const now = Date.now();
      let changed = false;
      for (const [k, e] of this._typing) {
        const keep = e.list.filter((u) => now - u.timestamp < this._typingExpireMs);
        if (keep.length !== e.list.length) changed = true;
        if (keep.length) e.list = keep; else this._typing.delete(k);
      }
      if (changed) this._typingChanged(); else this._armTypingExpiry();
    }, Math.max(0, next - Date.now()));
    if (this._typingTimer && typeof this._typingTimer.unref === 'function') this._typingTimer.unref();
  }

  // ---- plumbing ---------------------------------------------------------------------------

  // Runs `work(engine)` (-> Promise of the onSuccess arguments) for a callback or a Promise,
  // once the client is initialised and the arguments passed: `check` is an error text or ''.
  _checked(callback, check, work, toValue) {
    return respond(this._log, callback, () => {
      if (!this._engine) throw notInit();
      if (check) throw parameterError(check);
      return work(this._engine);
    }, toValue);
  }

  // A core command whose failure is a ParleyError; resolves the result's data.
  async _cmd(cmd, sending) {
    const r = await this._engine._call(cmd, sending);
    if (r.code !== 0) throw errorFromResult(r);
    return r.data;
  }

  _syncCmd(cmd) {
    if (!this._engine) return null;
    const r = this._engine._callSync(cmd);
    return r && r.code === 0 ? r : null;
  }

  // ---- connecting -------------------------------------------------------------------------

  // connect(token, {onSuccess(userId), onTokenIncorrect(), onError(code)}). With callbacks
  // returns a Promise that resolves when they have been called; without, a Promise of the
  // userId that rejects with a ParleyError.
  connect(token, callbacks) {
    const run = async () => {
      if (!this._engine) throw notInit();
      if (!isNonEmptyString(token)) throw new ParleyError(ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR, 'token must be a non-empty string');
      return this._engine._connect(token);
    };
    return this._connectLike(run, callbacks);
  }

  // reconnect(callbacks, {auto, url, rate}): connects again with the last token. `rate`
  // (ms list) retries on that schedule; `auto` keeps retrying with backoff; neither: once.
  reconnect(callbacks, options) {
    const run = async () => {
      if (!this._engine) throw notInit();
      const engine = this._engine;
      if (!engine._token) throw new ParleyError(ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT, 'connect first: no token to reconnect with');
      await engine._ready;
      if (!engine._hasTarget) return engine._connect(engine._token);  // navi never answered: start over
      const o = isPlainObject(options) ? options : {};
      const cmd = { cmd: 'reconnect', auto: o.auto === true };
      if (Array.isArray(o.rate) && o.rate.every((n) => typeof n === 'number' && n >= 0)) cmd.rate = o.rate;
      const data = await this._cmd(cmd);
      return data && data.userId;
    };
    return this._connectLike(run, callbacks);
  }

  _connectLike(run, callbacks) {
    const work = run();
    if (callbacks === undefined || callbacks === null) return work;
    if (!isPlainObject(callbacks)) {
      work.catch(() => {});
      return Promise.reject(parameterError('callbacks must be {onSuccess, onTokenIncorrect, onError}'));
    }
    return work.then(
      (userId) => { safeCall(this._log, callbacks.onSuccess, userId); },
      (e) => {
        const err = e instanceof ParleyError ? e : new ParleyError(ErrorCode.UNKNOWN, String(e));
        if (err.code === ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR && typeof callbacks.onTokenIncorrect === 'function') {
          safeCall(this._log, callbacks.onTokenIncorrect);
        } else {
          safeCall(this._log, callbacks.onError, err.code);
        }
      });
  }

  // v2 returns a Promise from disconnect/logout; so does Parley (never rejecting).
  disconnect() {
    if (!this._engine) return Promise.resolve();
    return this._engine._disconnect(false).catch((e) => this._log.warn('disconnect: ' + e.message));
  }

  logout() {
    if (!this._engine) return Promise.resolve();
    return this._engine._disconnect(true).catch((e) => this._log.warn('logout: ' + e.message));
  }

  getCurrentUserId() {
    const r = this._syncCmd({ cmd: 'getCurrentUserId' });
    return r && typeof r.data === 'string' ? r.data : '';
  }

  getCurrentConnectionStatus() {
    return this._engine ? this._engine._status : ConnectionStatus.DISCONNECTED;
  }

  // ---- message types ------------------------------------------------------------------------

  registerMessageType(messageType, objectName, messageTag, searchProps) {
    const err = firstError(checkString('messageType', messageType), checkString('objectName', objectName),
      messageTag === undefined || isPlainObject(messageTag) ? '' : 'messageTag must be a MessageTag',
      searchProps === undefined || Array.isArray(searchProps) ? '' : 'searchProps must be an array');
    if (err) {
      this._log.error('registerMessageType: ' + err);
      return;
    }
    this._registry._register(messageType, objectName, messageTag);
  }

  get RegisterMessage() { return this._registry._classes; }
  get RegisterMessageTypeMapping() { return this._registry._typeByObjectName; }
  get MessageType() {
    const out = {};
    for (const t of Object.values(BUILTIN_MESSAGE_TYPES)) out[t] = t;
    for (const t of Object.values(this._registry._typeByObjectName)) out[t] = t;
    out.UnknownMessage = 'UnknownMessage';
    return out;
  }

  getMessageObjectName(messageType) { return this._registry._objectNameOf(messageType); }

  // ---- sending -------------------------------------------------------------------------------

  // sendMessage(conversationType, targetId, msg, callback, isMentioned, pushContent, pushData,
  // methodType, options): msg is a message object (new TextMessage({...}) or any
  // {objectName, content}). onBefore(messageId) is called when it is queued; onSuccess
  // gets the sent message (messageUId, sentTime). A message that cannot be sent now stays
  // queued (SENDING) and goes out on the next connection, for up to two minutes.
  sendMessage(conversationType, targetId, msg, callback, isMentioned, pushContent, pushData, methodType, options) {
    // 2.9's ChannelClient has no methodType: an object in its place is the options.
    if (options === undefined && isPlainObject(methodType)) options = methodType;
    let content = '';
    const check = firstError(
      checkConversation(conversationType, targetId),
      isPlainObject(msg) ? '' : 'msg must be a message object, got ' + describe(msg),
      isPlainObject(msg) ? checkString('msg.objectName', msg.objectName) : '',
      checkOptionalType('isMentioned', isMentioned, 'boolean'),
      checkOptionalType('pushContent', pushContent, 'string'),
      checkOptionalType('pushData', pushData, 'string'),
      options === undefined || options === null || isPlainObject(options) ? '' : 'options must be an object',
      (() => {
        if (!isPlainObject(msg) || msg.content === undefined) return isPlainObject(msg) ? 'msg.content is missing' : '';
        try {
          content = JSON.stringify(msg.content);
        } catch (e) {
          return 'msg.content cannot be serialised: ' + e.message;
        }
        return typeof content === 'string' ? '' : 'msg.content cannot be serialised';
      })());
    return this._checked(callback, check, async () => {
      const size = utf8Length(content);
      if (size > MAX_MESSAGE_CONTENT_BYTES) {
        throw new ParleyError(ErrorCode.RC_MSG_CONTENT_EXCEED_LIMIT, `content is ${size} bytes, over the ${MAX_MESSAGE_CONTENT_BYTES}-byte limit`);
      }
      const o = isPlainObject(options) ? options : {};
      const cmd = {
        cmd: 'sendMessage', conversationType, targetId, objectName: msg.objectName, content,
        isMentioned: isMentioned === true, disableNotification: o.disableNotification === true,
      };
      if (typeof pushContent === 'string' && pushContent) cmd.pushContent = pushContent;
      if (typeof pushData === 'string' && pushData) cmd.pushData = pushData;
      if (o.isStatusMessage === true || (o.isStatusMessage === undefined && o.isStatus === true)) cmd.isStatusMessage = true;
      const flags = this._registry._flagsFor(msg.objectName, msg);
      if (flags) Object.assign(cmd, flags);
      const before = callback && typeof callback.onBefore === 'function' ? callback.onBefore : null;
      const data = await this._cmd(cmd, before ? (m) => safeCall(this._log, before, m.messageId) : undefined);
      return [toV2Message(data && data.message, this._registry)];
    });
  }

  // Older v2: sendTextMessage(conversationType, targetId, text, callback, ...sendMessage rest).
  sendTextMessage(conversationType, targetId, text, callback, ...rest) {
    if (typeof text !== 'string') {
      return this._checked(callback, 'text must be a string, got ' + describe(text), () => []);
    }
    return this.sendMessage(conversationType, targetId, BUILTIN_CLASSES.TextMessage({ content: text }), callback, ...rest);
  }

  sendTypingStatusMessage(conversationType, targetId, typingContentType, callback) {
    const check = firstError(checkConversation(conversationType, targetId), checkString('typingContentType', typingContentType));
    if (check) return this._checked(callback, check, () => []);
    return this.sendMessage(conversationType, targetId, BUILTIN_CLASSES.TypingStatusMessage({ typingContentType }),
      callback, false, undefined, undefined, undefined, { isStatusMessage: true });
  }

  // Recalls a sent message (v2: the message object as sendMessage/onReceived gave it).
  sendRecallMessage(message, callback, options) {
    const m = isPlainObject(message) ? message : {};
    const check = firstError(
      isPlainObject(message) ? '' : 'message must be the message to recall',
      checkConversation(m.conversationType, m.targetId),
      checkString('message.messageUId', m.messageUId),
      checkNumber('message.sentTime', m.sentTime, { min: 0 }),
      options === undefined || options === null || isPlainObject(options) ? '' : 'options must be an object');
    return this._checked(callback, check, async () => {
      const o = isPlainObject(options) ? options : {};
      const data = await this._cmd({
        cmd: 'recallMessage', conversationType: m.conversationType, targetId: m.targetId,
        messageUId: m.messageUId, sentTime: m.sentTime, disableNotification: o.disableNotification === true,
      });
      return [toV2Message(data && data.message, this._registry)];
    });
  }

  // Group read receipts (v2 sendReadReceiptMessage): only with navi grpRRVer 1, as in v2;
  // private read receipts are sendMessage(..., new ReadReceiptMessage({...})).
  sendReadReceiptMessage(messageUIds, targetId, callback) {
    const check = firstError(
      Array.isArray(messageUIds) && messageUIds.length && messageUIds.every(isNonEmptyString) ? '' : 'messageUIds must be a non-empty array of strings',
      checkString('targetId', targetId));
    return this._checked(callback, check, async (engine) => {
      if (!engine._naviInfo || engine._naviInfo.grpRRVer !== 1) {
        throw new ParleyError(ErrorCode.READ_RECEIPT_ERROR, 'group read receipts are off on this server (navi grpRRVer)');
      }
      await this._cmd({ cmd: 'query', topic: 'rrMsg', targetId, body: { msgId: messageUIds } });
      return [];
    });
  }

  // Parley: send again a message that ended FAILED (by its messageId).
  resendMessage(messageId, callback) {
    return this._checked(callback, checkNumber('messageId', messageId), async () => {
      const data = await this._cmd({ cmd: 'resendMessage', messageId });
      return [toV2Message(data && data.message, this._registry)];
    });
  }

  // ---- conversations ---------------------------------------------------------------------------

  // getConversationList(callback, conversationTypes, count): refreshed from the server when
  // connected (its unread counts win), then from the local store, top first, newest first.
  getConversationList(callback, conversationTypes, count) {
    const check = firstError(checkTypes('conversationTypes', conversationTypes),
      checkNumber('count', count, { optional: true, min: 0 }));
    return this._checked(callback, check, async (engine) => {
      if (engine._status === ConnectionStatus.CONNECTED) {
        // The server's view, but never more than a few seconds of waiting for it: on a
        // link that is dying the local list (kept in sync as messages arrive) is the answer.
        let timer = null;
        const slow = new Promise((resolve) => { timer = engine._clock.setTimeout(resolve, REMOTE_LIST_WAIT_MS); });
        const remote = this._cmd({ cmd: 'getConversationListRemote', count: Math.max(typeof count === 'number' ? count : 300, 1) })
          .catch((e) => this._log.info('conversation list from the server failed (' + e.code + '), using the local one'));
        await Promise.race([remote, slow]);
        engine._clock.clearTimeout(timer);
      }
      const cmd = { cmd: 'getConversationList', count: typeof count === 'number' ? count : 300 };
      if (Array.isArray(conversationTypes)) cmd.types = conversationTypes;
      const list = await this._cmd(cmd);
      return [(list || []).map((c) => toV2Conversation(c, this._registry))];
    });
  }

  getConversation(conversationType, targetId, callback) {
    return this._checked(callback, checkConversation(conversationType, targetId), async () => {
      const c = await this._cmd({ cmd: 'getConversation', conversationType, targetId });
      return [c ? toV2Conversation(c, this._registry) : null];
    });
  }

  removeConversation(conversationType, targetId, callback) {
    return this._checked(callback, checkConversation(conversationType, targetId), async () => {
      await this._cmd({ cmd: 'removeConversation', conversationType, targetId });
      return [true];
    });
  }

  // Removes every conversation of the given types (all when none given).
  clearConversations(callback, conversationTypes) {
    return this._checked(callback, checkTypes('conversationTypes', conversationTypes), async () => {
      const cmd = { cmd: 'getConversationList', count: 100000 };
      if (Array.isArray(conversationTypes) && conversationTypes.length) cmd.types = conversationTypes;
      const list = (await this._cmd(cmd)) || [];
      await Promise.all(list.map((c) => this._cmd({ cmd: 'removeConversation', conversationType: c.conversationType, targetId: c.targetId })));
      return [true];
    });
  }

  // setConversationStatus(type, targetId, {isTop, notificationStatus: 1 DND on | 2 off}, cb)
  setConversationStatus(conversationType, targetId, status, callback) {
    const s = isPlainObject(status) ? status : {};
    const check = firstError(checkConversation(conversationType, targetId),
      isPlainObject(status) ? '' : 'status must be {isTop?, notificationStatus?}',
      checkOptionalType('status.isTop', s.isTop, 'boolean'),
      s.notificationStatus === undefined || s.notificationStatus === NotificationStatus.OPEN ||
        s.notificationStatus === NotificationStatus.CLOSE ? '' : 'status.notificationStatus must be 1 (do not disturb) or 2');
    return this._checked(callback, check, async () => {
      const cmd = { cmd: 'setConversationStatus', conversationType, targetId };
      if (typeof s.isTop === 'boolean') cmd.isTop = s.isTop;
      if (s.notificationStatus !== undefined) cmd.notificationStatus = s.notificationStatus;  // the core uses v2's values
      await this._cmd(cmd);
      return [];
    });
  }

  setConversationToTop(conversationType, targetId, isTop, callback) {
    if (typeof isTop !== 'boolean') return this._checked(callback, 'isTop must be a boolean', () => []);
    return this.setConversationStatus(conversationType, targetId, { isTop }, callback);
  }

  setConversationNotificationStatus(conversationType, targetId, notificationStatus, callback) {
    if (notificationStatus !== NotificationStatus.OPEN && notificationStatus !== NotificationStatus.CLOSE) {
      return this._checked(callback, 'notificationStatus must be 1 (do not disturb) or 2', () => []);
    }
    return this.setConversationStatus(conversationType, targetId, { notificationStatus }, callback);
  }

  getConversationNotificationStatus(conversationType, targetId, callback) {
    return this._checked(callback, checkConversation(conversationType, targetId), async () => {
      const c = await this._cmd({ cmd: 'getConversation', conversationType, targetId });
      return [c && c.notificationStatus === NotificationStatus.OPEN ? NotificationStatus.OPEN : NotificationStatus.CLOSE];
    });
  }

  // Drafts answer at once, as in v2 (false / undefined before the wasm has loaded).
  saveTextMessageDraft(conversationType, targetId, draftText) {
    if (checkConversation(conversationType, targetId) || typeof draftText !== 'string') return false;
    return !!this._syncCmd({ cmd: 'saveDraft', conversationType, targetId, draft: draftText });
  }

  getTextMessageDraft(conversationType, targetId) {
    if (checkConversation(conversationType, targetId)) return undefined;
    const r = this._syncCmd({ cmd: 'getDraft', conversationType, targetId });
    return r && r.data ? r.data : undefined;
  }

  clearTextMessageDraft(conversationType, targetId) {
    if (checkConversation(conversationType, targetId)) return false;
    return !!this._syncCmd({ cmd: 'clearDraft', conversationType, targetId });
  }

  // ---- unread counts ---------------------------------------------------------------------------

  getTotalUnreadCount(callback, conversationTypes, includeMuted) {
    const check = firstError(checkTypes('conversationTypes', conversationTypes),
      checkOptionalType('includeMuted', includeMuted, 'boolean'));
    return this._checked(callback, check, async () => {
      const cmd = { cmd: 'getTotalUnreadCount', includeSilent: includeMuted !== false };
      if (Array.isArray(conversationTypes)) cmd.types = conversationTypes;
      return [(await this._cmd(cmd)) || 0];
    });
  }

  getUnreadCount(conversationType, targetId, callback) {
    return this._checked(callback, checkConversation(conversationType, targetId), async () =>
      [(await this._cmd({ cmd: 'getUnreadCount', conversationType, targetId })) || 0]);
  }

  // getConversationUnreadCount(conversationTypes, callback): total over those types.
  getConversationUnreadCount(conversationTypes, callback) {
    const check = Array.isArray(conversationTypes) ? checkTypes('conversationTypes', conversationTypes)
      : 'conversationTypes must be an array of ConversationType values';
    return this._checked(callback, check, async () =>
      [(await this._cmd({ cmd: 'getConversationUnreadCount', types: conversationTypes })) || 0]);
  }

  // Marks the conversation read here and on the server (other devices follow).
  clearUnreadCount(conversationType, targetId, callback) {
    return this._checked(callback, checkConversation(conversationType, targetId), async () => {
      await this._cmd({ cmd: 'clearUnreadCount', conversationType, targetId });
      return [true];
    });
  }

  // ---- history ---------------------------------------------------------------------------------

  // getHistoryMessages(type, targetId, timestamp, count, callback, objectName, order):
  // onSuccess(list oldest first, hasMore); the Promise form resolves {list, hasMore}.
  getHistoryMessages(conversationType, targetId, timestamp, count, callback, objectName, order) {
    const check = firstError(checkConversation(conversationType, targetId),
      checkNumber('timestamp', timestamp, { min: 0 }), checkNumber('count', count, { min: 1, max: 100 }),
      checkOptionalType('objectName', objectName, 'string'),
      order === undefined || order === null || order === 0 || order === 1 ? '' : 'order must be 0 or 1');
    return this._checked(callback, check, async () => {
      const data = await this._cmd({ cmd: 'getHistory', conversationType, targetId, timestamp, count, order: order === 1 ? 1 : 0 });
      let list = ((data && data.list) || []).map((m) => toV2Message(m, this._registry));
      if (objectName) list = list.filter((m) => m.objectName === objectName);
      return [list, !!(data && data.hasMore)];
    }, historyValue);
  }

  // getRemoteHistoryMessages(type, targetId, timestamp, count, callback, {order}); the older
  // form ({conversationType, targetId, timestamp, count?}, callback) is accepted too.
  getRemoteHistoryMessages(conversationType, targetId, timestamp, count, callback, options) {
    if (isPlainObject(conversationType) && (targetId === undefined || targetId === null || isPlainObject(targetId))) {
      const p = conversationType;
      return this.getHistoryMessages(p.conversationType, p.targetId, p.timestamp === undefined ? 0 : p.timestamp,
        p.count === undefined ? 20 : p.count, targetId, undefined, p.order);
    }
    const order = isPlainObject(options) ? options.order : undefined;
    return this.getHistoryMessages(conversationType, targetId, timestamp, count, callback, undefined, order);
  }

  // clearRemoteHistoryMessages({conversationType, targetId, timestamp}, callback): deletes
  // the messages sent at or before `timestamp` on the server.
  clearRemoteHistoryMessages(param, callback) {
    const p = isPlainObject(param) ? param : {};
    const check = firstError(isPlainObject(param) ? '' : 'param must be {conversationType, targetId, timestamp}',
      checkConversation(p.conversationType, p.targetId), checkNumber('param.timestamp', p.timestamp, { min: 0 }));
    return this._checked(callback, check, async () => {
      await this._cmd({ cmd: 'clearHistory', conversationType: p.conversationType, targetId: p.targetId, timestamp: p.timestamp });
      return [];
    });
  }

  // deleteRemoteMessages(type, targetId, [{messageUId, sentTime, messageDirection}], callback)
  deleteRemoteMessages(conversationType, targetId, messages, callback) {
    const check = firstError(checkConversation(conversationType, targetId),
      Array.isArray(messages) && messages.length ? '' : 'messages must be a non-empty array',
      Array.isArray(messages) && messages.every((m) => isPlainObject(m) && isNonEmptyString(m.messageUId) &&
        typeof m.sentTime === 'number') ? '' : 'each message needs messageUId (string) and sentTime (number)');
    return this._checked(callback, check, async () => {
      await this._cmd({
        cmd: 'deleteMessages', conversationType, targetId,
        messages: messages.map((m) => ({ messageUId: m.messageUId, sentTime: m.sentTime, messageDirection: m.messageDirection || 1 })),
      });
      return [];
    });
  }

  // ---- chatrooms ---------------------------------------------------------------------------------

  joinChatRoom(chatRoomId, count, callback) {
    const check = firstError(checkString('chatRoomId', chatRoomId), checkNumber('count', count, { min: -1, max: 50 }));
    return this._checked(callback, check, async () => {
      await this._cmd({ cmd: 'joinChatroom', chatroomId: chatRoomId, count });
      return [];
    });
  }

  quitChatRoom(chatRoomId, callback) {
    return this._checked(callback, checkString('chatRoomId', chatRoomId), async () => {
      await this._cmd({ cmd: 'quitChatroom', chatroomId: chatRoomId });
      return [];
    });
  }

  // getChatRoomInfo(chatRoomId, count 0-20, order 1|2, callback) -> {userInfos: [{id, time}], userTotalNums}
  getChatRoomInfo(chatRoomId, count, order, callback) {
    const check = firstError(checkString('chatRoomId', chatRoomId), checkNumber('count', count, { min: 0, max: 20 }),
      order === 1 || order === 2 ? '' : 'order must be 1 or 2');
    return this._checked(callback, check, async () => {
      const d = (await this._cmd({ cmd: 'getChatroomInfo', chatroomId: chatRoomId, count, order })) || {};
      const infos = Array.isArray(d.userInfos) ? d.userInfos : [];
      return [{ userInfos: infos.map((u) => ({ id: u.id, time: u.time })), userTotalNums: d.userTotalNums || 0 }];
    });
  }

  // getChatRoomHistoryMessages(chatRoomId, count, order, callback, timestamp)
  getChatRoomHistoryMessages(chatRoomId, count, order, callback, timestamp) {
    const check = firstError(checkString('chatRoomId', chatRoomId), checkNumber('count', count, { min: 1, max: 100 }),
      order === 0 || order === 1 ? '' : 'order must be 0 or 1', checkNumber('timestamp', timestamp, { optional: true, min: 0 }));
    return this._checked(callback, check, async () => {
      const data = await this._cmd({ cmd: 'getChatroomHistory', chatroomId: chatRoomId, count, order, timestamp: timestamp || 0 });
      return [((data && data.list) || []).map((m) => toV2Message(m, this._registry)), !!(data && data.hasMore)];
    }, historyValue);
  }

  // ---- blacklist -----------------------------------------------------------------------------------

  addToBlacklist(userId, callback) {
    return this._checked(callback, checkString('userId', userId), async () => {
      await this._cmd({ cmd: 'addToBlacklist', userId });
      return [];
    });
  }

  removeFromBlacklist(userId, callback) {
    return this._checked(callback, checkString('userId', userId), async () => {
      await this._cmd({ cmd: 'removeFromBlacklist', userId });
      return [];
    });
  }

  getBlacklist(callback) {
    return this._checked(callback, '', async () => [(await this._cmd({ cmd: 'getBlacklist' })) || []]);
  }

  // onSuccess(0) when userId is in the blacklist, onSuccess(1) when not (v2 values).
  getBlacklistStatus(userId, callback) {
    return this._checked(callback, checkString('userId', userId), async () =>
      [await this._cmd({ cmd: 'getBlacklistStatus', userId })]);
  }

  // Parley: messages still waiting to be sent (SENDING) or given up on (FAILED).
  getOutbox(callback) {
    return this._checked(callback, '', async () =>
      [((await this._cmd({ cmd: 'getOutbox' })) || []).map((m) => toV2Message(m, this._registry))]);
  }

  // v2's deleteLocalMessages(_, _, messageIds, callback): Parley's local messages are its
  // outbox, where a FAILED message stays (in storage too) until resent or deleted here. One
  // still being sent is not deleted: onError(MSG_DEL_ERROR), the others go.
  deleteLocalMessages(_conversationType, _targetId, messageIds, callback) {
    const check = Array.isArray(messageIds) && messageIds.length && messageIds.every(Number.isInteger)
      ? '' : 'messageIds must be a non-empty array of messageIds';
    return this._checked(callback, check, async () => {
      await this._cmd({ cmd: 'deleteLocalMessages', messageIds });
      return [true];
    });
  }
}

function historyValue(args) { return { list: args[0], hasMore: args[1] }; }

function notInit() {
  return new ParleyError(ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT, 'call RongIMClient.init(appKey, null, {navi}) first');
}

