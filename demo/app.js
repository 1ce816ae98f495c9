// The Parley chat demo: plain JavaScript on the RongIMLib v2 API only, so the same page runs
// on Parley (`parley.umd.js`, global `Parley`) and on the official client (global
// `RongIMLib`). It shows what an app does with the API: sign in with a token, keep a
// conversation list with unread counts, page history upward into a virtualised list, send
// with Enter or the button, ticks from read receipts, typing, recall, a group and a
// chatroom, and a connection banner that follows the status listener.
//
// Query parameters: navi (default: this page's origin), appKey (default parley-demo),
// transport=comet (long polling), user=<id> (sign in at once).
(function () {
  'use strict';

  const IM = window.Parley || window.RongIMLib;
  const LIB = window.Parley ? 'parley' : 'official';
  const params = new URLSearchParams(location.search);
  const NAVI = (params.get('navi') || location.origin).replace(/\/+$/, '');
  const APP_KEY = params.get('appKey') || 'parley-demo';
  const TRANSPORT = params.get('transport') === 'comet' ? 'comet' : 'websocket';
  const GROUP_ID = 'parley-group';
  const ROOM_ID = 'parley-lobby';
  const PAGE = LIB === 'parley' ? 50 : 20;   // history page (the official API caps it at 20)
  const TYPING_RESEND_MS = 3000;
  const T = IM && IM.ConversationType ? IM.ConversationType : { PRIVATE: 1, GROUP: 3, CHATROOM: 4 };
  const S = IM && IM.ConnectionStatus ? IM.ConnectionStatus : {};
  const SEND = 1;       // MessageDirection.SEND
  const SENT_FAILED = 20;
  const SENT_SENDING = 10;

  const $ = (id) => document.getElementById(id);
  const el = {
    banner: $('banner'), signin: $('signin'), signinForm: $('signin-form'), signinUser: $('signin-user'),
    signinError: $('signin-error'), signinGo: $('signin-go'), chat: $('chat'), meAvatar: $('me-avatar'),
    meName: $('me-name'), signout: $('signout'), newchat: $('newchat'), newchatUser: $('newchat-user'),
    conversations: $('conversations'), back: $('back'), convAvatar: $('conv-avatar'), convName: $('conv-name'),
    convSub: $('conv-sub'), messages: $('messages'), empty: $('empty'), composer: $('composer'),
    text: $('text'), send: $('send'), toast: $('toast'),
  };

  // ---- small helpers ---------------------------------------------------------------------

  // localStorage may be missing, disabled or full: the demo's own preferences are best effort.
  const prefs = {
    get(k) { try { return window.localStorage.getItem('parley-demo/' + k); } catch (e) { return null; } },
    set(k, v) { try { window.localStorage.setItem('parley-demo/' + k, v); } catch (e) { /* memory only */ } },
  };

  const keyOf = (type, targetId) => type + ':' + targetId;
  let vkeySeq = 0;

  function hue(s) {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
    return h % 360;
  }

  // Initials: the first letters of the first two words ("Parley group" -> "PG"), or the
  // first letter of a one-word id ("alice" -> "A").
  function paintAvatar(node, id, label) {
    const words = (label || id || '?').split(/[\s._\-|+=]+/).filter(Boolean);
    const letters = words.slice(0, 2).map((w) => Array.from(w)[0]).join('') || '?';
    node.textContent = letters.toUpperCase();
    node.style.background = 'hsl(' + hue(id || '') + ' 55% 46%)';
  }

  function clock(ms) {
    if (!ms) return '';
    const d = new Date(ms);
    const now = new Date();
    const hm = d.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
    if (d.toDateString() === now.toDateString()) return hm;
    return d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + hm;
  }

  function shortClock(ms) {
    if (!ms) return '';
    const d = new Date(ms);
    if (d.toDateString() === new Date().toDateString()) return d.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
    return d.toLocaleDateString([], { month: 'short', day: 'numeric' });
  }

  let toastTimer = 0;
  function toast(text) {
    el.toast.textContent = text;
    el.toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { el.toast.hidden = true; }, 4000);
  }

  function client() { return IM.RongIMClient.getInstance(); }

  // ---- state -------------------------------------------------------------------------------

  const state = {
    userId: '',
    status: -1,
    everConnected: false,
    signingOut: false,
    conversations: new Map(),   // key -> Conversation
    threads: new Map(),         // key -> Thread (messages of conversations opened once)
    typing: new Map(),          // key -> [userId]
    open: null,                 // key of the open conversation
    lastTypingSent: 0,
    chatroomJoined: false,
    groupJoin: 'unknown',       // 'unknown' | 'ok' | 'unavailable'
  };

  function conversation(type, targetId) {
    const key = keyOf(type, targetId);
    let c = state.conversations.get(key);
    if (!c) {
      c = { key, type, targetId, latest: null, unread: 0, peerRead: 0, receiptSent: 0, members: 0 };
      const saved = Number(prefs.get(state.userId + '/read/' + key));
      if (saved) c.peerRead = saved;
      state.conversations.set(key, c);
    }
    return c;
  }

  function thread(key) {
    let t = state.threads.get(key);
    if (!t) {
      t = { key, items: [], byUid: new Map(), hasMore: true, loaded: false, loading: false };
      state.threads.set(key, t);
    }
    return t;
  }

  function titleOf(c) {
    if (c.type === T.GROUP) return c.targetId === GROUP_ID ? 'Parley group' : 'Group ' + c.targetId;
    if (c.type === T.CHATROOM) return c.targetId === ROOM_ID ? 'Lobby' : 'Room ' + c.targetId;
    return c.targetId;
  }

  // ---- messages ------------------------------------------------------------------------------

  const RECALLED = 'RC:RcNtf';

  function textOf(m) {
    const c = m.content || {};
    switch (m.messageType) {
      case 'TextMessage': return typeof c.content === 'string' ? c.content : '';
      case 'ImageMessage': return '[image]';
      case 'GIFMessage': return '[GIF]';
      case 'FileMessage': return '[file] ' + (c.name || '');
      case 'VoiceMessage': case 'HQVoiceMessage': return '[voice]';
      case 'LocationMessage': return '[location] ' + (c.poi || '');
      case 'RichContentMessage': return c.title || '[link]';
      case 'InformationNotificationMessage': return c.message || '';
      default: return '[' + (m.objectName || m.messageType) + ']';
    }
  }

  function isRecalledNotice(m) {
    if (m.objectName === RECALLED || m.messageType === 'RecallNotificationMessage') return true;
    const inner = m.content && m.content.message;
    return m.messageType === 'UnknownMessage' && !!inner && inner.objectName === RECALLED;
  }

  // A v2 message -> the demo's row item.
  function toItem(m) {
    const mine = m.messageDirection === SEND || m.senderUserId === state.userId;
    let st = 'sent';
    if (m.sentStatus === SENT_FAILED) st = 'failed';
    else if (m.sentStatus === SENT_SENDING && !m.messageUId) st = 'sending';
    return {
      vkey: ++vkeySeq,
      uid: m.messageUId || '',
      messageId: m.messageId,
      sender: m.senderUserId || '',
      mine,
      text: isRecalledNotice(m) ? '' : textOf(m),
      sentTime: m.sentTime || Date.now(),
      state: st,
      recalled: isRecalledNotice(m),
      raw: m,
    };
  }

  // Messages the conversation view shows; status-like ones are handled elsewhere.
  function displayable(m) {
    switch (m.messageType) {
      case 'ReadReceiptMessage': case 'RecallCommandMessage': case 'TypingStatusMessage':
      case 'SyncReadStatusMessage': case 'ReadReceiptRequestMessage': case 'ReadReceiptResponseMessage':
      case 'CommandMessage': case 'ExpansionCommandMessage': case 'LogCommandMessage':
      case 'GroupReadReceiptResponseMessage': case 'ChrmKVNotificationMessage':
        return false;
      default:
        return m.isPersited !== false || isRecalledNotice(m) || m.conversationType === T.CHATROOM;
    }
  }

  // Inserts (or merges) items into a thread, ordered by sentTime, never twice by messageUId.
  // Returns the items that were new.
  function merge(t, items) {
    const added = [];
    for (const item of items) {
      if (item.uid && t.byUid.has(item.uid)) {
        const old = t.byUid.get(item.uid);
        if (item.recalled && !old.recalled) { old.recalled = true; old.text = ''; }
        continue;
      }
      if (item.uid) t.byUid.set(item.uid, item);
      added.push(item);
    }
    if (!added.length) return added;
    const last = t.items.length ? t.items[t.items.length - 1].sentTime : -Infinity;
    if (added.every((i) => i.sentTime >= last)) {
      added.sort((a, b) => a.sentTime - b.sentTime);
      for (const i of added) t.items.push(i);
    } else {
      for (const i of added) t.items.push(i);
      t.items.sort((a, b) => a.sentTime - b.sentTime || a.vkey - b.vkey);
    }
    return added;
  }

  function setLatest(c, item) {
    if (!c.latest || item.sentTime >= c.latest.sentTime || c.latest === item) c.latest = item;
  }

  // ---- rendering: conversation list ------------------------------------------------------------

  let listFrame = 0;
  function renderConversations() {
    if (listFrame) return;
    listFrame = requestAnimationFrame(() => {
      listFrame = 0;
      const all = Array.from(state.conversations.values());
      all.sort((a, b) => (b.latest ? b.latest.sentTime : 0) - (a.latest ? a.latest.sentTime : 0) ||
        a.type - b.type || a.targetId.localeCompare(b.targetId));
      const frag = document.createDocumentFragment();
      for (const c of all) {
        const li = document.createElement('li');
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'conv' + (c.key === state.open ? ' active' : '') + (c.unread ? ' has-unread' : '');
        b.dataset.key = c.key;
        const av = document.createElement('span');
        av.className = 'avatar' + (c.type === T.PRIVATE ? '' : ' room');
        paintAvatar(av, c.targetId, c.type === T.PRIVATE ? c.targetId : titleOf(c));
        const main = document.createElement('span');
        main.className = 'conv-main';
        const top = document.createElement('span');
        top.className = 'conv-top';
        const name = document.createElement('span');
        name.className = 'conv-name';
        name.textContent = titleOf(c);
        const time = document.createElement('time');
        time.textContent = c.latest ? shortClock(c.latest.sentTime) : '';
        top.append(name, time);
        const bottom = document.createElement('span');
        bottom.className = 'conv-bottom';
        const preview = document.createElement('span');
        preview.className = 'preview';
        const typers = state.typing.get(c.key);
        if (typers && typers.length) {
          preview.textContent = 'typing…';
          preview.classList.add('typing');
        } else if (c.latest) {
          const who = c.latest.mine ? 'You: ' : (c.type === T.PRIVATE ? '' : c.latest.sender + ': ');
          preview.textContent = c.latest.recalled ? (c.latest.mine ? 'You recalled a message' : 'Message recalled') : who + c.latest.text;
        } else {
          preview.textContent = c.type === T.GROUP ? 'Group · open to join' : c.type === T.CHATROOM ? 'Chatroom · open to join' : 'No messages yet';
          preview.classList.add('muted');
        }
        bottom.appendChild(preview);
        if (c.unread > 0) {
          const badge = document.createElement('span');
          badge.className = 'badge';
          badge.textContent = c.unread > 99 ? '99+' : String(c.unread);
          badge.setAttribute('aria-label', c.unread + ' unread');
          bottom.appendChild(badge);
        }
        main.append(top, bottom);
        b.append(av, main);
        li.appendChild(b);
        frag.appendChild(li);
      }
      el.conversations.replaceChildren(frag);
      updateTitle();
    });
  }

  function updateTitle() {
    let total = 0;
    for (const c of state.conversations.values()) total += c.unread;
    document.title = (total ? '(' + total + ') ' : '') + 'Parley chat demo';
  }

  // ---- rendering: the open conversation ------------------------------------------------------

  const header = document.createElement('div');
  header.className = 'history-edge';

  const list = new window.VirtualList(el.messages, {
    keyOf: (item) => item.vkey,
    estimate: (item) => (item.recalled ? 40 : 38 + 21 * Math.floor((item.text.length || 1) / 38)) +
      (item.groupStart ? 8 : 0) +
      (item.mine || !item.groupStart || !state.open || state.open.startsWith(T.PRIVATE + ':') ? 0 : 17),
    header,
    onNearTop: () => loadOlder(),
    renderRow: renderMessage,
  });

  function tickOf(item, c) {
    if (!item.mine) return null;
    if (item.state === 'failed') return { text: '!', label: 'Not sent — tap to retry', cls: 'failed' };
    if (item.state === 'sending' || !item.uid) return { text: '🕓', label: 'Sending', cls: 'sending' };
    if (c && c.type === T.PRIVATE && c.peerRead >= item.sentTime) return { text: '✓✓', label: 'Read', cls: 'read' };
    return { text: '✓', label: 'Sent', cls: 'sent' };
  }

  function renderMessage(item, row) {
    const c = state.conversations.get(state.open);
    row.className = 'vl-row msg ' + (item.mine ? 'mine' : 'theirs') + (item.recalled ? ' recalled' : '') +
      (item.showActions ? ' show-actions' : '') + (item.groupStart ? ' group-start' : '') + (item.groupEnd ? ' group-end' : '');
    row.dataset.vkey = String(item.vkey);
    if (item.uid) row.dataset.uid = item.uid; else delete row.dataset.uid;
    row.replaceChildren();
    if (item.recalled) {
      const n = document.createElement('div');
      n.className = 'notice';
      n.textContent = item.mine ? 'You recalled a message' : (item.sender || 'Someone') + ' recalled a message';
      row.appendChild(n);
      return;
    }
    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    if (!item.mine && c && c.type !== T.PRIVATE && item.groupStart) {
      const who = document.createElement('div');
      who.className = 'sender';
      who.textContent = item.sender;
      who.style.color = 'hsl(' + hue(item.sender) + ' 55% 38%)';
      bubble.appendChild(who);
    }
    const text = document.createElement('div');
    text.className = 'text';
    text.textContent = item.text;
    const meta = document.createElement('span');
    meta.className = 'meta';
    const time = document.createElement('time');
    time.textContent = clock(item.sentTime);
    meta.appendChild(time);
    const tick = tickOf(item, c);
    if (tick) {
      const t = document.createElement('span');
      t.className = 'tick ' + tick.cls;
      t.textContent = tick.text;
      t.title = tick.label;
      t.setAttribute('aria-label', tick.label);
      meta.appendChild(t);
    }
    text.appendChild(meta);
    bubble.appendChild(text);
    row.appendChild(bubble);
    if (item.mine && item.uid && item.state === 'sent') {
      const r = document.createElement('button');
      r.type = 'button';
      r.className = 'recall';
      r.textContent = 'Recall';
      row.appendChild(r);
    }
  }

  function renderHistoryEdge(t) {
    if (t.key.startsWith(T.CHATROOM + ':')) {
      header.textContent = 'Chatroom: recent messages and what is said while you are here';
      return;
    }
    header.textContent = t.loading ? 'Loading earlier messages…' :
      (t.loaded && !t.hasMore ? (t.items.length ? 'Beginning of the conversation' : 'No messages yet — say hello') : '');
  }

  function renderHeader() {
    const c = state.conversations.get(state.open);
    if (!c) return;
    el.convName.textContent = titleOf(c);
    paintAvatar(el.convAvatar, c.targetId, c.type === T.PRIVATE ? c.targetId : titleOf(c));
    el.convAvatar.className = 'avatar' + (c.type === T.PRIVATE ? '' : ' room');
    const typers = state.typing.get(c.key);
    el.convSub.classList.toggle('typing', !!(typers && typers.length));
    if (typers && typers.length) {
      el.convSub.textContent = c.type === T.PRIVATE ? 'typing…' : typers.join(', ') + (typers.length > 1 ? ' are' : ' is') + ' typing…';
    } else if (c.type === T.GROUP) {
      el.convSub.textContent = 'Group chat';
    } else if (c.type === T.CHATROOM) {
      el.convSub.textContent = 'Chatroom' + (c.members ? ' · ' + c.members + ' here' : '');
    } else {
      el.convSub.textContent = 'Private chat';
    }
  }

  // Consecutive messages of one sender within a few minutes form a group: more space above
  // the group, the sender's name once, the bubble's tail on the last one only.
  const GROUP_GAP_MS = 5 * 60 * 1000;
  function markGroups(items) {
    for (let i = 0; i < items.length; i++) {
      const a = items[i];
      const prev = items[i - 1];
      const next = items[i + 1];
      const joins = (x, y) => !!x && !!y && !x.recalled && !y.recalled && x.sender === y.sender &&
        Math.abs(y.sentTime - x.sentTime) < GROUP_GAP_MS;
      a.groupStart = !joins(prev, a);
      a.groupEnd = !joins(a, next);
    }
  }

  function showThread() {
    const t = state.threads.get(state.open);
    if (!t) return;
    renderHistoryEdge(t);
    markGroups(t.items);
    list.setItems(t.items);
  }

  // ---- connection status banner ------------------------------------------------------------

  let bannerTimer = 0;
  function banner(text, kind) {
    clearTimeout(bannerTimer);
    if (!text) {
      el.banner.hidden = true;
      el.banner.dataset.kind = '';
      return;
    }
    el.banner.textContent = text;
    el.banner.dataset.kind = kind;
    el.banner.hidden = false;
  }

  function onStatus(status) {
    const was = state.status;
    state.status = status;
    el.chat.dataset.status = String(status);
    if (status === S.CONNECTED) {
      const recovering = !el.banner.hidden && state.everConnected;
      state.everConnected = true;
      if (recovering) {
        banner('Connected', 'ok');
        bannerTimer = setTimeout(() => banner(''), 1500);
      } else {
        banner('');
      }
      if (was !== S.CONNECTED) afterConnected();
      return;
    }
    if (state.signingOut) return;
    switch (status) {
      case S.CONNECTING:
        banner(state.everConnected ? 'Reconnecting…' : 'Connecting…', 'warn');
        break;
      case S.NETWORK_UNAVAILABLE: case S.CONNECTION_CLOSED: case S.WEBSOCKET_UNAVAILABLE: case S.WEBSOCKET_ERROR:
        banner('Offline — reconnecting automatically…', 'error');
        break;
      case S.KICKED_OFFLINE_BY_OTHER_CLIENT:
        banner('Signed in somewhere else — this window is disconnected. Sign in again to continue.', 'error');
        break;
      case S.BLOCKED:
        banner('This user is blocked by the server.', 'error');
        break;
      case S.DISCONNECT_BY_SERVER:
        banner('Disconnected by the server.', 'error');
        break;
      case S.DISCONNECTED:
        if (state.everConnected) banner('Disconnected', 'error');
        break;
      default:
        if (state.everConnected) banner('Connection status ' + status, 'warn');
    }
  }

  window.addEventListener('offline', () => { if (state.userId) banner('Offline — reconnecting automatically…', 'error'); });

  // ---- incoming ------------------------------------------------------------------------------

  function onReceived(m) {
    if (!m || !state.userId) return;
    switch (m.messageType) {
      case 'ReadReceiptMessage': onReadReceipt(m); return;
      case 'RecallCommandMessage': onRecall(m); return;
      case 'TypingStatusMessage': return;
      default: break;
    }
    if (!displayable(m)) return;
    const c = conversation(m.conversationType, m.targetId);
    const item = toItem(m);
    const t = state.threads.get(c.key);
    if (t) {
      const added = merge(t, [item]);
      if (!added.length) return;
      if (c.key === state.open) showThread();
    }
    setLatest(c, item);
    clearTypingFor(c.key, item.sender);
    if (!item.mine && m.isCounted !== false && !item.recalled) {
      if (c.key === state.open && pageVisible()) markRead(c);
      else if (c.type === T.CHATROOM) c.unread++;   // v2 keeps no counts for chatrooms
      else refreshUnread(c);
    }
    renderConversations();
  }

  // Unread counts come from the SDK, which keeps them (and the server's) exact across
  // offline pulls, other devices and reloads; the page asks again after messages arrive,
  // once per conversation however many arrived together.
  const unreadPending = new Set();
  let unreadTimer = 0;
  function refreshUnread(c) {
    unreadPending.add(c.key);
    if (unreadTimer) return;
    unreadTimer = setTimeout(() => {
      unreadTimer = 0;
      for (const key of unreadPending) {
        const conv = state.conversations.get(key);
        if (!conv) continue;
        client().getUnreadCount(conv.type, conv.targetId, {
          onSuccess(n) {
            conv.unread = conv.key === state.open && pageVisible() ? 0 : n;
            renderConversations();
          },
          onError() {},
        });
      }
      unreadPending.clear();
    }, 50);
  }

  function onReadReceipt(m) {
    const content = m.content || {};
    if (m.messageDirection === SEND) return;   // our own read mark from another device
    const c = conversation(T.PRIVATE, m.targetId);
    const t = Number(content.lastMessageSendTime) || 0;
    if (t <= c.peerRead) return;
    c.peerRead = t;
    prefs.set(state.userId + '/read/' + c.key, String(t));
    if (c.key === state.open) list.refresh();
  }

  function onRecall(m) {
    const content = m.content || {};
    const uid = content.messageUId;
    if (!uid) return;
    const type = content.conversationType || m.conversationType;
    const c = conversation(type, m.targetId);
    applyRecall(c, uid, m.senderUserId === state.userId);
  }

  function applyRecall(c, uid, mine) {
    const t = state.threads.get(c.key);
    const item = t && t.byUid.get(uid);
    if (item) {
      item.recalled = true;
      item.text = '';
      item.showActions = false;
    }
    if (c.latest && c.latest.uid === uid) {
      c.latest.recalled = true;
      c.latest.mine = c.latest.mine || mine;
    }
    if (c.key === state.open) list.refresh();
    renderConversations();
  }

  function onTyping(entries) {
    const next = new Map();
    for (const e of entries || []) {
      const users = (e.list || []).map((u) => u.userId).filter((u) => u && u !== state.userId);
      if (users.length) next.set(keyOf(e.conversationType, e.targetId), users);
    }
    state.typing = next;
    renderConversations();
    renderHeader();
  }

  function clearTypingFor(key, userId) {
    const users = state.typing.get(key);
    if (!users || !users.includes(userId)) return;
    const rest = users.filter((u) => u !== userId);
    if (rest.length) state.typing.set(key, rest); else state.typing.delete(key);
    if (key === state.open) renderHeader();
  }

  // ---- reading ---------------------------------------------------------------------------------

  function pageVisible() { return document.visibilityState !== 'hidden'; }

  // Clears the unread count (here and, through the SDK, on the server) and tells a private
  // peer how far we have read (RC:ReadNtf), which turns their ticks into ✓✓.
  const readTimers = new Map();
  function markRead(c) {
    c.unread = 0;
    renderConversations();
    if (readTimers.has(c.key)) return;
    readTimers.set(c.key, setTimeout(() => {
      readTimers.delete(c.key);
      if (c.type === T.CHATROOM) return;
      client().clearUnreadCount(c.type, c.targetId, { onSuccess() {}, onError() {} });
      if (c.type !== T.PRIVATE) return;
      const t = state.threads.get(c.key);
      let last = null;
      const items = t ? t.items : [];
      for (let i = items.length - 1; i >= 0; i--) {
        if (!items[i].mine && items[i].uid) { last = items[i]; break; }
      }
      if (!last && c.latest && !c.latest.mine && c.latest.uid) last = c.latest;
      if (!last || last.sentTime <= c.receiptSent) return;
      c.receiptSent = last.sentTime;
      const receipt = new IM.ReadReceiptMessage({ messageUId: last.uid, lastMessageSendTime: last.sentTime, type: 1 });
      client().sendMessage(T.PRIVATE, c.targetId, receipt, {
        onSuccess() {},
        onError() { c.receiptSent = 0; },
      });
    }, 150));
  }

  document.addEventListener('visibilitychange', () => {
    const c = state.conversations.get(state.open);
    if (c && pageVisible() && c.unread) markRead(c);
  });

  // ---- opening a conversation and paging history ------------------------------------------------

  function openConversation(type, targetId) {
    const c = conversation(type, targetId);
    state.open = c.key;
    el.chat.classList.add('in-conversation');
    el.chat.dataset.open = c.key;
    el.empty.hidden = true;
    el.composer.hidden = false;
    const t = thread(c.key);
    if (c.latest && !t.loaded) merge(t, [c.latest]);
    list.scrollToBottom();
    showThread();
    renderHeader();
    renderConversations();
    el.text.value = getDraft(c);
    if (!matchMedia('(pointer: coarse)').matches) el.text.focus();
    if (c.type === T.CHATROOM) joinRoom(c);
    else {
      if (c.type === T.GROUP) joinGroup();
      if (!t.loaded) loadOlder();
    }
    if (c.unread || c.type === T.PRIVATE) markRead(c);
  }

  function closeConversation() {
    const c = state.conversations.get(state.open);
    if (c) saveDraft(c);
    el.chat.classList.remove('in-conversation');
    state.open = null;
    delete el.chat.dataset.open;
    renderConversations();
  }

  function getDraft(c) {
    try { return client().getTextMessageDraft(c.type, c.targetId) || ''; } catch (e) { return ''; }
  }

  function saveDraft(c) {
    try {
      if (el.text.value) client().saveTextMessageDraft(c.type, c.targetId, el.text.value);
      else client().clearTextMessageDraft(c.type, c.targetId);
    } catch (e) { /* drafts are a nicety */ }
  }

  function loadOlder() {
    const c = state.conversations.get(state.open);
    if (!c || c.type === T.CHATROOM) return;
    const t = thread(c.key);
    if (t.loading || (t.loaded && !t.hasMore)) return;
    t.loading = true;
    renderHistoryEdge(t);
    let oldest = 0;
    if (t.loaded) {
      for (const i of t.items) if (i.uid) { oldest = i.sentTime; break; }
    }
    const key = c.key;
    client().getHistoryMessages(c.type, c.targetId, oldest, PAGE, {
      onSuccess(messages, hasMore) {
        t.loading = false;
        t.loaded = true;
        t.hasMore = !!hasMore && (messages || []).length > 0;
        merge(t, (messages || []).filter(displayable).map(toItem));
        if (key !== state.open) return;
        showThread();
        // Short first page: keep filling until the list scrolls (or history ends).
        if (t.hasMore && el.messages.scrollHeight <= el.messages.clientHeight + 40) setTimeout(loadOlder, 0);
        const last = t.items[t.items.length - 1];
        if (last) setLatest(c, last);
        markRead(c);
      },
      onError(code) {
        t.loading = false;
        if (key === state.open) renderHistoryEdge(t);
        toast('Could not load history (' + code + ')');
        setTimeout(() => { if (key === state.open && !t.loaded) loadOlder(); }, 3000);
      },
    });
  }

  // ---- sending ------------------------------------------------------------------------------------

  function sendText(raw) {
    const c = state.conversations.get(state.open);
    const text = raw.trim();
    if (!c || !text) return false;
    const t = thread(c.key);
    let item = null;
    const add = (messageId) => {
      item = {
        vkey: ++vkeySeq, uid: '', messageId, sender: state.userId, mine: true, text,
        sentTime: Date.now(), state: 'sending', recalled: false, raw: null,
      };
      merge(t, [item]);
      setLatest(c, item);
      if (c.key === state.open) { list.scrollToBottom(); showThread(); }
      renderConversations();
    };
    client().sendMessage(c.type, c.targetId, new IM.TextMessage({ content: text }), {
      onBefore(messageId) { add(messageId); },
      onSuccess(message) {
        if (!item) add(message.messageId);
        const dup = message.messageUId && t.byUid.get(message.messageUId);
        if (dup && dup !== item) {
          // Already shown (a sync copy overtook the answer): drop the local row.
          t.items.splice(t.items.indexOf(item), 1);
        } else {
          item.uid = message.messageUId;
          item.sentTime = message.sentTime || item.sentTime;
          item.state = 'sent';
          item.raw = message;
          if (item.uid) t.byUid.set(item.uid, item);
          t.items.sort((a, b) => a.sentTime - b.sentTime || a.vkey - b.vkey);
        }
        if (c.key === state.open) showThread();
        renderConversations();
      },
      onError(code) {
        if (!item) add(undefined);
        item.state = 'failed';
        item.error = code;
        if (c.key === state.open) list.refresh();
        toast(code === 20604 ? 'Slow down: too many messages' : code === 22406 ? 'You are not in this group: members are added with the server API (/group/join.json)' :
          code === 23406 ? 'You are not in this chatroom' : code === 405 ? 'You are blocked by this user' :
          'Message not sent (' + code + ')');
      },
    });
    state.lastTypingSent = 0;
    return true;
  }

  function retry(item) {
    const c = state.conversations.get(state.open);
    const t = c && state.threads.get(c.key);
    if (!t) return;
    t.items.splice(t.items.indexOf(item), 1);
    showThread();
    sendText(item.text);
  }

  function recall(item) {
    const c = state.conversations.get(state.open);
    if (!c || !item.raw) return;
    client().sendRecallMessage(item.raw, {
      onSuccess() { applyRecall(c, item.uid, true); },
      onError(code) { toast(code === 25101 ? 'This message can no longer be recalled' : 'Recall failed (' + code + ')'); },
    });
  }

  function typed() {
    const c = state.conversations.get(state.open);
    if (!c || c.type !== T.PRIVATE || !el.text.value) return;
    const now = Date.now();
    if (now - state.lastTypingSent < TYPING_RESEND_MS) return;
    state.lastTypingSent = now;
    client().sendTypingStatusMessage(c.type, c.targetId, 'RC:TxtMsg', { onSuccess() {}, onError() {} });
  }

  // ---- connecting -------------------------------------------------------------------------------

  function afterConnected() {
    refreshConversations();
    const c = state.conversations.get(state.open);
    if (c && c.type === T.CHATROOM && LIB !== 'parley') joinRoom(c);  // Parley rejoins by itself
  }

  function refreshConversations() {
    client().getConversationList({
      onSuccess(convs) {
        for (const v of convs || []) {
          if (v.conversationType === T.CHATROOM) continue;
          const c = conversation(v.conversationType, v.targetId);
          if (v.latestMessage && displayable(v.latestMessage)) {
            const item = toItem(v.latestMessage);
            const t = state.threads.get(c.key);
            const known = t && item.uid && t.byUid.get(item.uid);
            setLatest(c, known || item);
          }
          c.unread = c.key === state.open && pageVisible() ? 0 : (v.unreadMessageCount || 0);
        }
        const open = state.conversations.get(state.open);
        if (open && pageVisible()) markRead(open);
        renderConversations();
      },
      onError() { /* the list stays as it is; it is refreshed on the next connect */ },
    }, null, 100);
  }

  let initialised = false;
  function initOnce() {
    if (initialised) return;
    initialised = true;
    const options = { navi: NAVI, connectionType: TRANSPORT, typingExpireTime: 4000 };
    IM.RongIMClient.init(APP_KEY, null, options);
    IM.RongIMClient.setConnectionStatusListener({ onChanged: onStatus });
    IM.RongIMClient.setOnReceiveMessageListener({ onReceived });
    IM.RongIMClient.setTypingStatusListener({ onChanged: onTyping });
  }

  async function signIn(userId) {
    el.signinError.hidden = true;
    el.signinGo.disabled = true;
    try {
      if (!IM) throw new Error('The SDK did not load (sdk/parley.umd.js).');
      const res = await fetch(NAVI + '/demo/token?userId=' + encodeURIComponent(userId) + '&appKey=' + encodeURIComponent(APP_KEY));
      const body = await res.json().catch(() => ({}));
      if (!res.ok || !body.token) throw new Error(body.errorMessage || 'No token (is imserver running with --dev?)');
      initOnce();
      resetState(userId);
      prefs.set('lastUser', userId);
      showChat();
      await new Promise((resolve, reject) => {
        IM.RongIMClient.connect(body.token, {
          onSuccess: resolve,
          onTokenIncorrect: () => reject(new Error('The server refused the token')),
          onError: (code) => reject(new Error('Could not connect (' + code + ')')),
        });
      });
    } catch (e) {
      showSignIn();
      el.signinError.textContent = e.message;
      el.signinError.hidden = false;
    } finally {
      el.signinGo.disabled = false;
    }
  }

  function resetState(userId) {
    state.userId = userId;
    state.everConnected = false;
    state.signingOut = false;
    state.conversations.clear();
    state.threads.clear();
    state.typing.clear();
    state.open = null;
    state.chatroomJoined = false;
    state.groupJoin = 'unknown';
    conversation(T.GROUP, GROUP_ID);
    conversation(T.CHATROOM, ROOM_ID);
    el.meName.textContent = userId;
    paintAvatar(el.meAvatar, userId);
    el.chat.classList.remove('in-conversation');
    el.composer.hidden = true;
    el.empty.hidden = false;
    list.setItems([]);
    renderConversations();
  }

  function signOut() {
    state.signingOut = true;
    const c = state.conversations.get(state.open);
    if (c) saveDraft(c);
    try { client().logout(); } catch (e) { /* already gone */ }
    state.userId = '';
    banner('');
    showSignIn();
  }

  function showChat() {
    el.signin.hidden = true;
    el.chat.hidden = false;
  }

  function showSignIn() {
    el.chat.hidden = true;
    el.signin.hidden = false;
    el.signinUser.focus();
  }

  // ---- the group and the chatroom ------------------------------------------------------------------

  // Group membership is the app server's business (RongCloud server API /group/join.json,
  // signed with the app secret, which a page must never hold). For demos the page asks a
  // --dev-only GET /demo/group/join; an imserver without it answers 404, and members are
  // then added with /group/join.json (tests/e2e does so).
  function joinGroup() {
    if (state.groupJoin !== 'unknown') return;   // asked once per sign-in
    fetch(NAVI + '/demo/group/join?groupId=' + encodeURIComponent(GROUP_ID) + '&userId=' +
      encodeURIComponent(state.userId) + '&appKey=' + encodeURIComponent(APP_KEY))
      .then((r) => { state.groupJoin = r.ok ? 'ok' : 'unavailable'; })
      .catch(() => { state.groupJoin = 'unavailable'; });
  }

  // Chatrooms have no conversation list entry or paged history in v2: joining pulls the
  // latest messages, which arrive through the message listener.
  function joinRoom(c) {
    const t = thread(c.key);
    t.loaded = true;
    t.hasMore = false;
    renderHistoryEdge(t);
    if (state.chatroomJoined && state.status === S.CONNECTED && LIB === 'parley') return roomInfo(c);
    client().joinChatRoom(c.targetId, 20, {
      onSuccess() { state.chatroomJoined = true; roomInfo(c); },
      onError(code) { toast('Could not join the chatroom (' + code + ')'); },
    });
  }

  function roomInfo(c) {
    client().getChatRoomInfo(c.targetId, 0, 1, {
      onSuccess(info) {
        c.members = info && info.userTotalNums ? info.userTotalNums : 0;
        if (c.key === state.open) renderHeader();
      },
      onError() {},
    });
  }

  // ---- wiring ---------------------------------------------------------------------------------------

  el.signinForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const id = el.signinUser.value.trim();
    if (id) signIn(id);
  });
  el.signout.addEventListener('click', signOut);
  el.newchat.addEventListener('submit', (e) => {
    e.preventDefault();
    const id = el.newchatUser.value.trim();
    if (!id) return;
    el.newchatUser.value = '';
    el.newchatUser.blur();
    openConversation(T.PRIVATE, id);
  });
  el.conversations.addEventListener('click', (e) => {
    const b = e.target.closest('button.conv');
    if (!b) return;
    const c = state.conversations.get(b.dataset.key);
    if (c) openConversation(c.type, c.targetId);
  });
  el.back.addEventListener('click', closeConversation);

  // Send with the keyboard's Enter and with the button (seed 003: WebView keyboards submit
  // forms inconsistently, so Enter is handled directly, not through implicit submission;
  // Enter while an IME is composing only confirms the composition).
  el.text.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    if (sendText(el.text.value)) el.text.value = '';
  });
  el.composer.addEventListener('submit', (e) => {
    e.preventDefault();
    if (sendText(el.text.value)) el.text.value = '';
  });
  // Keep the keyboard open when the send button is tapped: the input keeps focus.
  el.send.addEventListener('mousedown', (e) => e.preventDefault());
  el.text.addEventListener('input', typed);

  el.messages.addEventListener('click', (e) => {
    const row = e.target.closest('.msg');
    if (!row) return;
    const t = state.threads.get(state.open);
    const item = t && t.items.find((i) => String(i.vkey) === row.dataset.vkey);
    if (!item) return;
    if (e.target.closest('button.recall')) { recall(item); return; }
    if (item.mine && item.state === 'failed') { retry(item); return; }
    if (item.mine && item.uid && !item.recalled) {
      item.showActions = !item.showActions;
      list.refresh();
    }
  });

  // Phone keyboards shrink the visual viewport: size the app to it so the composer stays
  // above the keyboard and the list stays at the bottom (seed 003).
  function fitViewport() {
    const h = window.visualViewport ? window.visualViewport.height : window.innerHeight;
    document.documentElement.style.setProperty('--app-height', Math.round(h) + 'px');
  }
  if (window.visualViewport) window.visualViewport.addEventListener('resize', fitViewport);
  window.addEventListener('resize', fitViewport);
  fitViewport();

  // A read-only view of the state for tests and the curious (the list is virtualised, so the
  // DOM holds only the rows on screen).
  window.parleyDemo = {
    lib: LIB,
    // brief: leave out the messages (a 10,000-message thread is slow to copy out).
    snapshot({ brief = false } = {}) {
      const t = state.threads.get(state.open);
      return {
        messageCount: t ? t.items.length : 0,
        userId: state.userId,
        status: state.status,
        open: state.open,
        banner: el.banner.hidden ? '' : el.banner.textContent,
        conversations: Array.from(state.conversations.values()).map((c) => ({
          key: c.key, unread: c.unread, latest: c.latest ? c.latest.text : '', peerRead: c.peerRead,
        })),
        messages: t && !brief ? t.items.map((i) => ({
          uid: i.uid, text: i.text, mine: i.mine, sender: i.sender, state: i.state, recalled: i.recalled,
          sentTime: i.sentTime, read: !!(i.mine && state.conversations.get(state.open).peerRead >= i.sentTime && i.uid),
        })) : [],
        hasMore: t ? t.hasMore : null,
        renderedRows: list.renderedCount(),
        typing: Array.from(state.typing.entries()),
      };
    },
    scroller: el.messages,
    // The rows inside the viewport, top first: their text and their top relative to it.
    visible() {
      const top = el.messages.scrollTop;
      const bottom = top + el.messages.clientHeight;
      const rows = [];
      for (const row of el.messages.querySelectorAll('.vl-row')) {
        const y = row._vlY;
        if (y + row.offsetHeight > top && y < bottom) {
          rows.push({ y: y - top, text: (row.querySelector('.text') || row).firstChild ? (row.querySelector('.text') || row).firstChild.textContent : '' });
        }
      }
      return rows.sort((a, b) => a.y - b.y);
    },
  };

  const auto = params.get('user');
  el.signinUser.value = auto || prefs.get('lastUser') || '';
  if (!IM) {
    el.signinError.textContent = 'The SDK did not load (sdk/parley.umd.js): build it with tools/demo.';
    el.signinError.hidden = false;
  }
  if (auto && IM) signIn(auto);
  else showSignIn();
})();
