// Parley: the public names. Code written for RongIMLib v2 runs after
//   const RongIMLib = Parley;
// api.js holds them all but the built-in message classes, which are listed here.
import { BUILTIN_CLASSES } from './messages.js';

export * from './api.js';

export const { TextMessage, ImageMessage, VoiceMessage, RichContentMessage, ReferenceMessage,
  FileMessage, HQVoiceMessage, GIFMessage, SightMessage, LocationMessage,
  InformationNotificationMessage, ContactNotificationMessage, ProfileNotificationMessage,
  CommandNotificationMessage, DiscussionNotificationMessage, CommandMessage, TypingStatusMessage,
  ChangeModeResponseMessage, HandShakeResponseMessage, TerminateMessage, SuspendMessage,
  CustomerStatusUpdateMessage, ReadReceiptMessage, AcceptMessage, RingingMessage, SummaryMessage,
  HungupMessage, InviteMessage, MediaModifyMessage, MemberModifyMessage, CustomerContact,
  PublicServiceRichContentMessage, PublicServiceMultiRichContentMessage, GroupNotificationMessage,
  PublicServiceCommandMessage, RecallCommandMessage, SyncReadStatusMessage,
  ReadReceiptRequestMessage, ReadReceiptResponseMessage, JrmfRedPacketMessage,
  JrmfRedPacketOpenedMessage, RCCombineMessage, ChrmKVNotificationMessage, LogCommandMessage,
  ExpansionCommandMessage, GroupReadReceiptResponseMessage } = BUILTIN_CLASSES;
