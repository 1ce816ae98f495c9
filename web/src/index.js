// Parley: the public names. Code written for RongIMLib v2 runs after
//   const RongIMLib = Parley;
// RongIMClient is the v2 singleton; createClient() makes independent clients.
import { Client } from './client.js';
import { runtime } from './runtime.js';

export {
  ConnectionState, ConnectionStatus, ConversationType, ErrorCode, LogLevel, MentionedType,
  MessageDirection, NotificationStatus, ReceivedStatus, SentStatus,
} from './enums.js';
export { ParleyError } from './errors.js';
export { BaseMessage, MentionedInfo, Message, MessageTag } from './messages.js';
export { Client };

export const version = '0.1.0';

export { TextMessage, ImageMessage, VoiceMessage, RichContentMessage, ReferenceMessage,
  FileMessage, HQVoiceMessage, GIFMessage, SightMessage, LocationMessage,
  InformationNotificationMessage, ContactNotificationMessage, ProfileNotificationMessage,
  CommandNotificationMessage, DiscussionNotificationMessage, CommandMessage, TypingStatusMessage,
  ChangeModeResponseMessage, HandShakeResponseMessage, TerminateMessage, SuspendMessage,
  CustomerStatusUpdateMessage, ReadReceiptMessage, AcceptMessage, RingingMessage, SummaryMessage,
  HungupMessage, InviteMessage, MediaModifyMessage, MemberModifyMessage, CustomerContact,
  PublicServiceRichContentMessage, PublicServiceMultiRichContentMessage,
  GroupNotificationMessage, PublicServiceCommandMessage, RecallCommandMessage,
  SyncReadStatusMessage, ReadReceiptRequestMessage, ReadReceiptResponseMessage,
  JrmfRedPacketMessage, JrmfRedPacketOpenedMessage, RCCombineMessage, ChrmKVNotificationMessage,
  LogCommandMessage, ExpansionCommandMessage, GroupReadReceiptResponseMessage } from './messages.js';

// The v2 singleton.
export const RongIMClient = new Client(runtime);

// A client of its own (not the singleton), e.g. two users in one page or one node process:
//   const c = Parley.createClient(); c.init(appKey, null, {navi}); await c.connect(token);
export function createClient() {
  return new Client(runtime);
}
