// Message classes (TextMessage, ImageMessage, ...), the objectName <-> messageType registry
// (built-in names plus registerMessageType), and the conversion of the core's Message and
// Conversation JSON into the v2 shapes apps read (IReceivedMessageV2, IV2Conversation).
import { NotificationStatus, ReceivedStatus, SentStatus } from './enums.js';

// The base of every message an app sends: v2's BaseMessage(messageType, objectName,
// content, isPersited, isCounted).
export class BaseMessage {
  constructor(messageType, objectName, content, isPersited = true, isCounted = true) {
    this.messageType = messageType;
    this.objectName = objectName;
    this.content = content;
    this.isPersited = isPersited;
    this.isCounted = isCounted;
  }
  // Older v2 code serialises a message with encode().
  encode() { return JSON.stringify(this.content); }
}

// A message class as v2 makes them: callable with or without `new`, carrying its names
// as MessageType/ObjectName; `obtain(content)` is kept for older v2 code.
export function defineMessage(messageType, objectName, isPersited = true, isCounted = true) {
  const Message = function (content) {
    return new BaseMessage(messageType, objectName, content === undefined ? {} : content, isPersited, isCounted);
  };
  Message.MessageType = messageType;
  Message.ObjectName = objectName;
  Message.obtain = (content) => (typeof content === 'string' && objectName === 'RC:TxtMsg'
    ? Message({ content }) : Message(content));
  Object.defineProperty(Message, 'name', { value: messageType });
  return Message;
}

// @ information carried in a message's content (v2 MentionedInfo).
export class MentionedInfo {
  constructor(type, userIdList, mentionedContent) {
    this.type = type;
    this.userIdList = userIdList;
    this.mentionedContent = mentionedContent;
  }
}

// v2 MessageTag: note the argument order, isCounted first.
export class MessageTag {
  constructor(isCounted, isPersited) {
    this.isCounted = isCounted;
    this.isPersited = isPersited;
  }
}

// v2 Message, for code that builds one with `new Message(...)`.
export class Message {
  constructor(conversationType, targetId, senderUserId, content, objectName, messageType,
    messageId, messageUId, messageDirection, offLineMessage, sentStatus, sentTime,
    receivedStatus, receivedTime, canIncludeExpansion, expansion, receiptResponse,
    disableNotification) {
    Object.assign(this, {
      conversationType, targetId, senderUserId, content, objectName, messageType, messageId,
      messageUId, messageDirection, offLineMessage, sentStatus, sentTime, receivedStatus,
      receivedTime, canIncludeExpansion, expansion, receiptResponse, disableNotification,
    });
  }
}

// The built-in message classes, "messageType objectName" in the order of the v2 API's table.
// The package exports each by its messageType (index.js; entry_umd.js from BUILTIN_CLASSES).
const BUILTIN_TABLE = (
  'TextMessage RC:TxtMsg ImageMessage RC:ImgMsg VoiceMessage RC:VcMsg ' +
  'RichContentMessage RC:ImgTextMsg ReferenceMessage RC:ReferenceMsg ' +
  'FileMessage RC:FileMsg HQVoiceMessage RC:HQVCMsg GIFMessage RC:GIFMsg ' +
  'SightMessage RC:SightMsg LocationMessage RC:LBSMsg ' +
  'InformationNotificationMessage RC:InfoNtf ContactNotificationMessage RC:ContactNtf ' +
  'ProfileNotificationMessage RC:ProfileNtf CommandNotificationMessage RC:CmdNtf ' +
  'DiscussionNotificationMessage RC:DizNtf CommandMessage RC:CmdMsg ' +
  'TypingStatusMessage RC:TypSts ChangeModeResponseMessage RC:CsChaR ' +
  'HandShakeResponseMessage RC:CsHsR TerminateMessage RC:CsEnd SuspendMessage RC:CsSp ' +
  'CustomerStatusUpdateMessage RC:CsUpdate ReadReceiptMessage RC:ReadNtf ' +
  'AcceptMessage RC:VCAccept RingingMessage RC:VCRinging SummaryMessage RC:VCSummary ' +
  'HungupMessage RC:VCHangup InviteMessage RC:VCInvite ' +
  'MediaModifyMessage RC:VCModifyMedia MemberModifyMessage RC:VCModifyMem ' +
  'CustomerContact RC:CsContact PublicServiceRichContentMessage RC:PSImgTxtMsg ' +
  'PublicServiceMultiRichContentMessage RC:PSMultiImgTxtMsg ' +
  'GroupNotificationMessage RC:GrpNtf PublicServiceCommandMessage RC:PSCmd ' +
  'RecallCommandMessage RC:RcCmd SyncReadStatusMessage RC:SRSMsg ' +
  'ReadReceiptRequestMessage RC:RRReqMsg ReadReceiptResponseMessage RC:RRRspMsg ' +
  'JrmfRedPacketMessage RCJrmf:RpMsg JrmfRedPacketOpenedMessage RCJrmf:RpOpendMsg ' +
  'RCCombineMessage RC:CombineMsg ChrmKVNotificationMessage RC:chrmKVNotiMsg ' +
  'LogCommandMessage RC:LogCmdMsg ExpansionCommandMessage RC:MsgExMsg ' +
  'GroupReadReceiptResponseMessage RC:RRMsg').split(' ');

// messageType -> class, in the table's order.
export const BUILTIN_CLASSES = {};
// objectName -> messageType (the v2 API's table).
const builtinTypes = {};
for (let i = 0; i < BUILTIN_TABLE.length; i += 2) {
  const [messageType, objectName] = BUILTIN_TABLE.slice(i, i + 2);
  BUILTIN_CLASSES[messageType] = defineMessage(messageType, objectName);
  builtinTypes[objectName] = messageType;
}
export const BUILTIN_MESSAGE_TYPES = Object.freeze(builtinTypes);

// Registered custom message types (per client: two clients may register differently).
export class MessageRegistry {
  constructor() {
    this._typeByObjectName = {};   // RegisterMessageTypeMapping: objectName -> messageType
    this._flagsByObjectName = {};  // objectName -> {isPersited, isCounted}
    this._classes = {};            // RegisterMessage: messageType -> class
  }
  _register(messageType, objectName, tag) {
    const isPersited = tag ? tag.isPersited !== false : true;
    const isCounted = tag ? tag.isCounted !== false : true;
    this._classes[messageType] = defineMessage(messageType, objectName, isPersited, isCounted);
    this._typeByObjectName[objectName] = messageType;
    this._flagsByObjectName[objectName] = { isPersited, isCounted };
  }
  _typeOf(objectName) {
    return BUILTIN_MESSAGE_TYPES[objectName] || this._typeByObjectName[objectName];
  }
  _objectNameOf(messageType) {
    for (const table of [BUILTIN_MESSAGE_TYPES, this._typeByObjectName]) {
      for (const [o, t] of Object.entries(table)) if (t === messageType) return o;
    }
    return messageType;
  }
  // Flags to send with a message: built-in names use the protocol's table (in the core);
  // custom ones what they were registered with, or what the message object says.
  _flagsFor(objectName, msg) {
    if (BUILTIN_MESSAGE_TYPES[objectName]) return null;
    const reg = this._flagsByObjectName[objectName];
    if (reg) return reg;
    return {
      isPersited: msg.isPersited !== false,
      isCounted: msg.isCounted !== false,
    };
  }
}

// Core Message JSON -> IReceivedMessageV2. Unknown object names become "UnknownMessage"
// with the original kept in content.message, as v2 does.
export function toV2Message(m, registry) {
  if (!m || typeof m !== 'object') return null;
  let messageType = registry._typeOf(m.objectName);
  let content = m.content;
  if (!messageType) {
    messageType = 'UnknownMessage';
    content = { message: { content: m.content, objectName: m.objectName }, messageName: 'UnknownMessage' };
  }
  return {
    channelId: '',
    conversationType: m.conversationType,
    targetId: m.targetId,
    senderUserId: m.senderUserId,
    content,
    objectName: m.objectName,
    messageType,
    messageId: m.messageId,
    messageUId: m.messageUId || '',
    messageDirection: m.messageDirection,
    offLineMessage: !!m.offLineMessage,
    sentStatus: m.sentStatus || SentStatus.SENT,
    sentTime: m.sentTime,
    receivedStatus: m.receivedStatus || ReceivedStatus.UNREAD,
    receivedTime: m.receivedTime || 0,
    canIncludeExpansion: !!m.canIncludeExpansion,
    expansion: null,
    disableNotification: !!m.disableNotification,
    isPersited: m.isPersited,
    isCounted: m.isCounted,
    isMentioned: !!m.isMentioned,
  };
}

// Core Conversation JSON -> IV2Conversation. The core keeps v2's notificationStatus values:
// OPEN (1) = do not disturb, CLOSE (2) = notify.
export function toV2Conversation(c, registry) {
  if (!c || typeof c !== 'object') return null;
  const latest = c.latestMessage ? toV2Message(c.latestMessage, registry) : null;
  return {
    channelId: '',
    conversationType: c.conversationType,
    targetId: c.targetId,
    unreadMessageCount: c.unreadMessageCount || 0,
    latestMessage: latest,
    latestMessageId: latest ? latest.messageId : undefined,
    objectName: latest ? latest.messageType : undefined,
    sentTime: latest ? latest.sentTime : undefined,
    receivedStatus: latest ? latest.receivedStatus : undefined,
    isTop: !!c.isTop,
    notificationStatus: c.notificationStatus === NotificationStatus.OPEN ? NotificationStatus.OPEN : NotificationStatus.CLOSE,
    hasMentioned: !!c.hasMentioned,
    mentionedCount: c.mentionedCount || 0,
    draft: c.draft || '',
  };
}
