// Compiled (not run) by types.test.mjs against build/web/index.d.ts: v2-style code and the
// Promise forms must type-check under --strict.
import * as RongIMLib from 'parley-im';
import { RongIMClient, TextMessage, ConversationType, ErrorCode, ParleyError, MessageTag } from 'parley-im';
RongIMClient.init('k', null, { navi: 'http://x', storage: false });
RongIMClient.setConnectionStatusListener({ onChanged(s) { if (s === RongIMLib.ConnectionStatus.CONNECTED) {} } });
RongIMClient.setOnReceiveMessageListener({ onReceived(m) { const t: string = m.messageType; } });
async function main() {
  const uid: string = await RongIMClient.connect('t');
  await RongIMClient.connect('t', { onSuccess(u) {}, onTokenIncorrect() {}, onError(c) {} });
  const inst = RongIMClient.getInstance();
  const m = await inst.sendMessage(ConversationType.PRIVATE, 'u', new TextMessage({ content: 'x' }));
  inst.sendMessage(1, 'u', TextMessage({ content: 'y' }), { onSuccess(msg) {}, onError(code) {}, onBefore(id) {} });
  const h = await inst.getHistoryMessages(1, "u", 0, 20); const n: number = h.list.length; const k: number = await inst.getTotalUnreadCount(null);
  RongIMClient.registerMessageType('X', 'App:X', new MessageTag(true, true), []);
  try { await inst.getUnreadCount(1, 'u'); } catch (e) { if (e instanceof ParleyError && e.code === ErrorCode.PARAMETER_ERROR) {} }
  const c = RongIMLib.createClient();
  c.on('message', (d) => {});
}
main();
async function more() {
  const inst = RongIMClient.getInstance();
  const c = await inst.getConversation(1, 'u'); if (c) { const n: number = c.unreadMessageCount; }
  const r: void = inst.getConversation(1, 'u', { onSuccess(conv) { if (conv) conv.targetId; } });
  const list = await inst.getConversationList(null, [1], 10); list.map((x) => x.isTop);
  const info = await inst.getChatRoomInfo('r', 10, 1); info.userTotalNums;
  const b: number = await inst.getBlacklistStatus('u');
  inst.getRemoteHistoryMessages({ conversationType: 1, targetId: 'u', timestamp: 0 }, { onSuccess(list, hasMore) {} });
}
more();
