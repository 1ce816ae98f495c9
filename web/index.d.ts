// Types of the Parley web SDK (hand-written; the sources are plain JS). The API mirrors
// RongIMLib v2 (@rongcloud/imlib-v2 2.9.2): `const RongIMLib = Parley` lets v2 code run.

export declare const version: string;

// ---- enums (official values) ----------------------------------------------------------

export declare enum ConnectionStatus {
  CONNECTED = 0, CONNECTING = 1, DISCONNECTED = 2, NETWORK_UNAVAILABLE = 3, CONNECTION_CLOSED = 4,
  KICKED_OFFLINE_BY_OTHER_CLIENT = 6, WEBSOCKET_UNAVAILABLE = 7, WEBSOCKET_ERROR = 8, BLOCKED = 9,
  DOMAIN_INCORRECT = 12, DISCONNECT_BY_SERVER = 13, REDIRECT = 14, APPKEY_IS_FAKE = 20,
  ULTRALIMIT = 1101, REQUEST_NAVI = 201, RESPONSE_NAVI = 202, RESPONSE_NAVI_ERROR = 203,
  RESPONSE_NAVI_TIMEOUT = 204,
}
export declare enum ConnectionState {
  ACCEPTED = 0, UNACCEPTABLE_PROTOCOL_VERSION = 1, IDENTIFIER_REJECTED = 2, SERVER_UNAVAILABLE = 3,
  TOKEN_INCORRECT = 4, NOT_AUTHORIZED = 5, REDIRECT = 6, PACKAGE_ERROR = 7, APP_BLOCK_OR_DELETE = 8,
  BLOCK = 9, TOKEN_EXPIRE = 10, DEVICE_ERROR = 11, HOSTNAME_ERROR = 12, HASOHTERSAMECLIENTONLINE = 13,
}
export declare enum ConversationType {
  NONE = 0, PRIVATE = 1, DISCUSSION = 2, GROUP = 3, CHATROOM = 4, CUSTOMER_SERVICE = 5, SYSTEM = 6,
  APP_PUBLIC_SERVICE = 7, PUBLIC_SERVICE = 8, RTC_ROOM = 12,
}
export declare enum MessageDirection { SEND = 1, RECEIVE = 2 }
export declare enum SentStatus { SENDING = 10, FAILED = 20, SENT = 30, RECEIVED = 40, READ = 50, DESTROYED = 60 }
export declare enum ReceivedStatus { READ = 1, LISTENED = 2, DOWNLOADED = 4, RETRIEVED = 8, UNREAD = 0 }
export declare enum MentionedType { ALL = 1, PART = 2 }
/** OPEN (1): do not disturb on; CLOSE (2): off. */
export declare enum NotificationStatus { OPEN = 1, CLOSE = 2 }
export declare enum LogLevel { LOG = 0, DEBUG = 0, INFO = 1, WARN = 2, ERROR = 3, FATAL = 4, NONE = 1000 }
export declare enum ErrorCode {
  TIMEOUT = -1, UNKNOWN = -2, PARAMETER_ERROR = -3, EXTRA_METHOD_UNDEFINED = -4, MAIN_PROCESS_ERROR = -5,
  SUCCESS = 0, RC_MSG_UNAUTHORIZED = 20406, RC_DISCUSSION_GROUP_ID_INVALID = 20407,
  SEND_FREQUENCY_TOO_FAST = 20604, NOT_IN_DISCUSSION = 21406, FORBIDDEN_IN_GROUP = 22408,
  RECALL_MESSAGE = 25101, NOT_IN_GROUP = 22406, NOT_IN_CHATROOM = 23406, FORBIDDEN_IN_CHATROOM = 23408,
  RC_CHATROOM_USER_KICKED = 23409, RC_CHATROOM_NOT_EXIST = 23410, RC_CHATROOM_IS_FULL = 23411,
  RC_CHATROOM_PATAMETER_INVALID = 23412, CHATROOM_GET_HISTORYMSG_ERROR = 23413,
  CHATROOM_NOT_OPEN_HISTORYMSG_STORE = 23414, CHATROOM_KV_EXCEED = 23423,
  CHATROOM_KV_OVERWRITE_INVALID = 23424, CHATROOM_KV_STORE_NOT_OPEN = 23426,
  CHATROOM_KEY_NOT_EXIST = 23427, SENSITIVE_SHIELD = 21501, SENSITIVE_REPLACE = 21502,
  JOIN_IN_DISCUSSION = 21407, CREATE_DISCUSSION = 21408, INVITE_DICUSSION = 21409,
  GET_USERINFO_ERROR = 23407, REJECTED_BY_BLACKLIST = 405, RC_NET_CHANNEL_INVALID = 30001,
  RC_NET_UNAVAILABLE = 30002, RC_MSG_RESP_TIMEOUT = 30003, RC_HTTP_SEND_FAIL = 30004,
  RC_HTTP_REQ_TIMEOUT = 30005, RC_HTTP_RECV_FAIL = 30006, RC_NAVI_RESOURCE_ERROR = 30007,
  RC_NODE_NOT_FOUND = 30008, RC_DOMAIN_NOT_RESOLVE = 30009, RC_SOCKET_NOT_CREATED = 30010,
  RC_SOCKET_DISCONNECTED = 30011, RC_PING_SEND_FAIL = 30012, RC_PONG_RECV_FAIL = 30013,
  RC_MSG_SEND_FAIL = 30014, RC_MSG_CONTENT_EXCEED_LIMIT = 30016, RC_CONN_ACK_TIMEOUT = 31000,
  RC_CONN_PROTO_VERSION_ERROR = 31001, RC_CONN_ID_REJECT = 31002, RC_CONN_SERVER_UNAVAILABLE = 31003,
  RC_CONN_USER_OR_PASSWD_ERROR = 31004, RC_CONN_NOT_AUTHRORIZED = 31005, RC_CONN_REDIRECTED = 31006,
  RC_CONN_PACKAGE_NAME_INVALID = 31007, RC_CONN_APP_BLOCKED_OR_DELETED = 31008,
  RC_CONN_USER_BLOCKED = 31009, RC_DISCONN_KICK = 31010, RC_DISCONN_EXCEPTION = 31011,
  RC_QUERY_ACK_NO_DATA = 32001, RC_MSG_DATA_INCOMPLETE = 32002, BIZ_ERROR_CLIENT_NOT_INIT = 33001,
  BIZ_ERROR_DATABASE_ERROR = 33002, BIZ_ERROR_INVALID_PARAMETER = 33003, BIZ_ERROR_NO_CHANNEL = 33004,
  BIZ_ERROR_RECONNECT_SUCCESS = 33005, BIZ_ERROR_CONNECTING = 33006,
  MSG_ROAMING_SERVICE_UNAVAILABLE = 33007, MSG_INSERT_ERROR = 33008, MSG_DEL_ERROR = 33009,
  TAG_NOT_EXIST = 33101, NO_TAG_IN_CONVER = 33102, CONVER_REMOVE_ERROR = 34001,
  CONVER_GETLIST_ERROR = 34002, CONVER_SETOP_ERROR = 34003, CONVER_TOTAL_UNREAD_ERROR = 34004,
  CONVER_TYPE_UNREAD_ERROR = 34005, CONVER_ID_TYPE_UNREAD_ERROR = 34006, CONVER_CLEAR_ERROR = 34007,
  EXPANSION_LIMIT_EXCEET = 34010, MESSAGE_KV_NOT_SUPPORT = 34008, CLEAR_HIS_TIME_ERROR = 34011,
  CONVER_OUT_LIMIT_ERROR = 34013, CONVER_GET_ERROR = 34009, GROUP_SYNC_ERROR = 35001,
  GROUP_MATCH_ERROR = 35002, READ_RECEIPT_ERROR = 35003, PACKAGE_ENVIRONMENT_ERROR = 35006,
  CHATROOM_ID_ISNULL = 36001, CHARTOOM_JOIN_ERROR = 36002, CHATROOM_HISMESSAGE_ERROR = 36003,
  CHATROOM_KV_NOT_FOUND = 36004, BLACK_ADD_ERROR = 37001, BLACK_GETSTATUS_ERROR = 37002,
  BLACK_REMOVE_ERROR = 37003, DRAF_GET_ERROR = 38001, DRAF_SAVE_ERROR = 38002, DRAF_REMOVE_ERROR = 38003,
  SUBSCRIBE_ERROR = 39001, NOT_SUPPORT = 39002, QNTKN_FILETYPE_ERROR = 41001, QNTKN_GET_ERROR = 41002,
  COOKIE_ENABLE = 51001, GET_MESSAGE_BY_ID_ERROR = 61001, HAVNODEVICEID = 24001, DEVICEIDISHAVE = 24002,
  FEILD = 24009, VOIPISNULL = 24013, NOENGINETYPE = 24010, NULLCHANNELNAME = 24011,
  VOIPDYANMICERROR = 24012, NOVOIP = 24014, INTERNALERRROR = 24015, VOIPCLOSE = 24016,
  CLOSE_BEFORE_OPEN = 51001, ALREADY_IN_USE = 51002, INVALID_CHANNEL_NAME = 51003,
  VIDEO_CONTAINER_IS_NULL = 51004, DELETE_MESSAGE_ID_IS_NULL = 61001, CANCEL = 1, REJECT = 2,
  HANGUP = 3, BUSYLINE = 4, NO_RESPONSE = 5, ENGINE_UN_SUPPORTED = 6, NETWORK_ERROR = 7,
  REMOTE_CANCEL = 11, REMOTE_REJECT = 12, REMOTE_HANGUP = 13, REMOTE_BUSYLINE = 14,
  REMOTE_NO_RESPONSE = 15, REMOTE_ENGINE_UN_SUPPORTED = 16, REMOTE_NETWORK_ERROR = 17,
  VOIP_NOT_AVALIABLE = 18,
}

/** What a Promise-style call rejects with: `code` is the ErrorCode value. */
export declare class ParleyError extends Error {
  readonly code: ErrorCode | number;
  constructor(code: number, message?: string);
}

// ---- messages ---------------------------------------------------------------------------

export declare class BaseMessage<T = any> {
  readonly messageType: string;
  readonly objectName: string;
  content: T;
  readonly isPersited: boolean;
  readonly isCounted: boolean;
  constructor(messageType: string, objectName: string, content: T, isPersited?: boolean, isCounted?: boolean);
  encode(): string;
}

/** A message class: `new TextMessage({content})` or `TextMessage({content})`. */
export interface MessageClass<T = any> {
  new (content?: T): BaseMessage<T>;
  (content?: T): BaseMessage<T>;
  readonly MessageType: string;
  readonly ObjectName: string;
  obtain(content?: T | string): BaseMessage<T>;
}

export declare class MentionedInfo {
  type?: MentionedType;
  userIdList?: string[];
  mentionedContent?: string;
  constructor(type?: MentionedType, userIdList?: string[], mentionedContent?: string);
}

/** Note the v2 argument order: isCounted first. */
export declare class MessageTag {
  isCounted: boolean;
  isPersited: boolean;
  constructor(isCounted: boolean, isPersited: boolean);
}

export interface IReceivedMessageV2 {
  channelId: string;
  conversationType: ConversationType;
  targetId: string;
  senderUserId: string;
  content: any;
  objectName: string;
  messageType: string;
  messageId: number;
  messageUId: string;
  messageDirection: MessageDirection;
  offLineMessage: boolean;
  sentStatus: SentStatus;
  sentTime: number;
  receivedStatus: ReceivedStatus;
  receivedTime: number;
  canIncludeExpansion: boolean;
  expansion: { [key: string]: string } | null;
  disableNotification: boolean;
  isPersited?: boolean;
  isCounted?: boolean;
  isMentioned?: boolean;
}

export declare class Message implements IReceivedMessageV2 {
  channelId: string; conversationType: ConversationType; targetId: string; senderUserId: string;
  content: any; objectName: string; messageType: string; messageId: number; messageUId: string;
  messageDirection: MessageDirection; offLineMessage: boolean; sentStatus: SentStatus; sentTime: number;
  receivedStatus: ReceivedStatus; receivedTime: number; canIncludeExpansion: boolean;
  expansion: { [key: string]: string } | null; disableNotification: boolean; receiptResponse: any;
  constructor(conversationType: ConversationType, targetId: string, senderUserId: string, content: object,
    objectName: string, messageType: string, messageId: number, messageUId: string,
    messageDirection: MessageDirection, offLineMessage: boolean, sentStatus: SentStatus, sentTime: number,
    receivedStatus: ReceivedStatus, receivedTime: number, canIncludeExpansion: boolean,
    expansion: { [key: string]: string }, receiptResponse: any, disableNotification: boolean);
}

export interface IV2Conversation {
  channelId: string;
  conversationType: ConversationType;
  targetId: string;
  unreadMessageCount: number;
  latestMessage: IReceivedMessageV2 | null;
  latestMessageId?: number;
  /** messageType of the latest message (v2 keeps this deprecated field). */
  objectName?: string;
  sentTime?: number;
  receivedStatus?: number;
  isTop: boolean;
  notificationStatus: NotificationStatus;
  hasMentioned: boolean;
  mentionedCount: number;
  draft: string;
}
export type IConversation = IV2Conversation;

export interface ITypingUser { userId: string; timestamp: number; messageType: string }
export interface ITypingMessage { conversationType: ConversationType; targetId: string; channelId?: string; list: ITypingUser[] }

export declare const TextMessage: MessageClass<{ content: string; extra?: string; mentionedInfo?: MentionedInfo; user?: any }>;
export declare const ImageMessage: MessageClass;
export declare const VoiceMessage: MessageClass;
export declare const RichContentMessage: MessageClass;
export declare const ReferenceMessage: MessageClass;
export declare const FileMessage: MessageClass;
export declare const HQVoiceMessage: MessageClass;
export declare const GIFMessage: MessageClass;
export declare const SightMessage: MessageClass;
export declare const LocationMessage: MessageClass;
export declare const InformationNotificationMessage: MessageClass;
export declare const ContactNotificationMessage: MessageClass;
export declare const ProfileNotificationMessage: MessageClass;
export declare const CommandNotificationMessage: MessageClass;
export declare const DiscussionNotificationMessage: MessageClass;
export declare const CommandMessage: MessageClass;
export declare const TypingStatusMessage: MessageClass<{ typingContentType: string }>;
export declare const ChangeModeResponseMessage: MessageClass;
export declare const HandShakeResponseMessage: MessageClass;
export declare const TerminateMessage: MessageClass;
export declare const SuspendMessage: MessageClass;
export declare const CustomerStatusUpdateMessage: MessageClass;
export declare const ReadReceiptMessage: MessageClass<{ messageUId: string; lastMessageSendTime: number; type: number | string }>;
export declare const AcceptMessage: MessageClass;
export declare const RingingMessage: MessageClass;
export declare const SummaryMessage: MessageClass;
export declare const HungupMessage: MessageClass;
export declare const InviteMessage: MessageClass;
export declare const MediaModifyMessage: MessageClass;
export declare const MemberModifyMessage: MessageClass;
export declare const CustomerContact: MessageClass;
export declare const PublicServiceRichContentMessage: MessageClass;
export declare const PublicServiceMultiRichContentMessage: MessageClass;
export declare const GroupNotificationMessage: MessageClass;
export declare const PublicServiceCommandMessage: MessageClass;
export declare const RecallCommandMessage: MessageClass;
export declare const SyncReadStatusMessage: MessageClass;
export declare const ReadReceiptRequestMessage: MessageClass;
export declare const ReadReceiptResponseMessage: MessageClass;
export declare const JrmfRedPacketMessage: MessageClass;
export declare const JrmfRedPacketOpenedMessage: MessageClass;
export declare const RCCombineMessage: MessageClass;
export declare const ChrmKVNotificationMessage: MessageClass;
export declare const LogCommandMessage: MessageClass;
export declare const ExpansionCommandMessage: MessageClass;
export declare const GroupReadReceiptResponseMessage: MessageClass;

// ---- callbacks ------------------------------------------------------------------------------

export interface ICallback<T = void, O = void> {
  onSuccess?(data: T, other?: O): void;
  onError?(code: ErrorCode | number, error?: ParleyError): void;
}
export interface ISendCallback<T = IReceivedMessageV2> extends ICallback<T> {
  /** Called when the message is queued, with its local messageId. */
  onBefore?(messageId: number): void;
}
export interface IConnectCallback {
  onSuccess?(userId: string): void;
  onTokenIncorrect?(): void;
  onError?(code: ErrorCode | number): void;
}
export interface IHistoryResult { list: IReceivedMessageV2[]; hasMore: boolean }

/** Storage adapter (an alternative to a Web Storage object). */
export interface StorageAdapter {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
  keys(): string[];
}

export interface IInitOption {
  /** Navigation server, http(s)://host[:port][/prefix]. */
  navi?: string;
  connectionType?: 'websocket' | 'comet';
  logLevel?: LogLevel;
  logStdout?: (logLevel: LogLevel, content: string) => void;
  /** Typing state lifetime, 2000..6000 ms (default 2000). */
  typingExpireTime?: number;
  /** Parley: WebSocket constructor (default: the global). */
  WebSocket?: any;
  /** Parley: XMLHttpRequest constructor (default: the global). */
  XMLHttpRequest?: any;
  /** Parley: a Web Storage object, a StorageAdapter, or false for memory only (default: localStorage, falling back to memory). */
  storage?: Storage | StorageAdapter | false;
  /** Parley: the wasm, as bytes, a compiled module or a URL (default: next to the script / module). */
  wasm?: ArrayBuffer | ArrayBufferView | WebAssembly.Module | string | URL;
  /** Parley: session tunables (pingIntervalMs, requestTimeoutMs, backoffBaseMs, ...). */
  core?: { [key: string]: number | string };
  /** Parley: false to ignore the page's online/visibilitychange events. */
  signals?: false | { window?: EventTarget | null; document?: EventTarget | null };
  /** Parley: fall back to long polling when WebSocket cannot open (default true). */
  cometFallback?: boolean;
  /** v2 options Parley accepts and ignores. */
  api?: string; debug?: boolean; protobuf?: string; dbPath?: string; indexDBSwitch?: boolean; detect?: any;
}

export interface IReconnectOptions { auto?: boolean; url?: string; rate?: number[] }
export interface IConversationStatus { isTop?: boolean; notificationStatus?: NotificationStatus }
export interface IDeleteMessage { messageUId: string; sentTime: number; messageDirection: MessageDirection }
export interface IChatRoomInfo { userInfos: { id: string; time: number }[]; userTotalNums: number }
export interface ISendOptionsV2 {
  userIds?: string[];
  isVoipPush?: boolean;
  disableNotification?: boolean;
  isStatusMessage?: boolean;
  /** @deprecated use isStatusMessage */
  isStatus?: boolean;
  [key: string]: any;
}

export type ParleyEvent = 'status' | 'message' | 'conversation' | 'outbox' | 'recall' | 'typing' | 'readReceipt' | 'sending';

/**
 * The client: RongIMClient (static and instance methods in one object) and createClient().
 * Each asynchronous method answers through the v2 callback object when one is given, or
 * returns a Promise (rejecting with a ParleyError) when it is omitted or null.
 */
export declare class Client {
  init(appKey: string, _?: any, options?: IInitOption): void;
  ready(): Promise<void>;
  getInstance(): Client;
  destroy(): void;

  setConnectionStatusListener(listener: { onChanged(status: ConnectionStatus): void }): void;
  setOnReceiveMessageListener(listener: { onReceived(message: IReceivedMessageV2, leftCount?: number, hasMore?: boolean): void }): void;
  setTypingStatusListener(listener: { onChanged(list: ITypingMessage[]): void }): void;
  setConversationStatusListener(listener: { onChanged(list: any[]): void }): void;
  setMessageExpansionListener(listener: any): void;
  setTagListener(listener: any): void;
  setConversationTagListener(listener: any): void;
  /** Parley events; returns a function that removes the listener. */
  on(type: ParleyEvent, listener: (data: any) => void): () => void;

  connect(token: string, callback: IConnectCallback): Promise<void>;
  connect(token: string): Promise<string>;
  reconnect(callback: IConnectCallback, options?: IReconnectOptions): Promise<void>;
  reconnect(callback?: null, options?: IReconnectOptions): Promise<string>;
  disconnect(): Promise<void>;
  logout(): Promise<void>;
  getCurrentUserId(): string;
  getCurrentConnectionStatus(): ConnectionStatus;

  registerMessageType(messageType: string, objectName: string, messageTag: MessageTag, searchProps?: string[]): void;
  readonly RegisterMessage: { [messageType: string]: MessageClass };
  readonly RegisterMessageTypeMapping: { [objectName: string]: string };
  readonly MessageType: { [messageType: string]: string };
  getMessageObjectName(messageType: string): string;

  sendMessage(conversationType: ConversationType, targetId: string, msg: BaseMessage | { objectName: string; content: any }, callback: ISendCallback, isMentioned?: boolean, pushContent?: string, pushData?: string, methodType?: number | null, options?: ISendOptionsV2): void;
  sendMessage(conversationType: ConversationType, targetId: string, msg: BaseMessage | { objectName: string; content: any }, callback?: null, isMentioned?: boolean, pushContent?: string, pushData?: string, methodType?: number | null, options?: ISendOptionsV2): Promise<IReceivedMessageV2>;
  sendTextMessage(conversationType: ConversationType, targetId: string, text: string, callback: ISendCallback): void;
  sendTextMessage(conversationType: ConversationType, targetId: string, text: string, callback?: null): Promise<IReceivedMessageV2>;
  sendRecallMessage(message: IReceivedMessageV2, callback: ICallback<IReceivedMessageV2>, options?: { disableNotification?: boolean }): void;
  sendRecallMessage(message: IReceivedMessageV2, callback?: null, options?: { disableNotification?: boolean }): Promise<IReceivedMessageV2>;
  sendTypingStatusMessage(conversationType: ConversationType, targetId: string, typingContentType: string, callback: ICallback<IReceivedMessageV2>): void;
  sendTypingStatusMessage(conversationType: ConversationType, targetId: string, typingContentType: string, callback?: null): Promise<IReceivedMessageV2>;
  sendReadReceiptMessage(messageUIds: string[], targetId: string, callback: ICallback): void;
  sendReadReceiptMessage(messageUIds: string[], targetId: string, callback?: null): Promise<void>;
  /** Parley: send again a message that ended FAILED. */
  resendMessage(messageId: number, callback: ICallback<IReceivedMessageV2>): void;
  resendMessage(messageId: number, callback?: null): Promise<IReceivedMessageV2>;
  /** Parley: messages waiting to be sent (SENDING) or given up (FAILED). */
  getOutbox(callback: ICallback<IReceivedMessageV2[]>): void;
  getOutbox(callback?: null): Promise<IReceivedMessageV2[]>;
  /** Deletes FAILED messages from the outbox (Parley's local messages); the first two arguments are ignored, as in v2. One still being sent is not deleted: MSG_DEL_ERROR. */
  deleteLocalMessages(conversationType: ConversationType | null, targetId: string | null, messageIds: number[], callback: ICallback<boolean>): void;
  deleteLocalMessages(conversationType: ConversationType | null, targetId: string | null, messageIds: number[], callback?: null): Promise<boolean>;

  getConversationList(callback: ICallback<IV2Conversation[]>, conversationTypes?: ConversationType[] | null, count?: number): void;
  getConversationList(callback?: null, conversationTypes?: ConversationType[] | null, count?: number): Promise<IV2Conversation[]>;
  getConversation(conversationType: ConversationType, targetId: string, callback: ICallback<IV2Conversation | null>): void;
  getConversation(conversationType: ConversationType, targetId: string, callback?: null): Promise<IV2Conversation | null>;
  removeConversation(conversationType: ConversationType, targetId: string, callback: ICallback<boolean>): void;
  removeConversation(conversationType: ConversationType, targetId: string, callback?: null): Promise<boolean>;
  clearConversations(callback: ICallback<boolean>, conversationTypes?: ConversationType[]): void;
  clearConversations(callback?: null, conversationTypes?: ConversationType[]): Promise<boolean>;
  setConversationStatus(conversationType: ConversationType, targetId: string, status: IConversationStatus, callback: ICallback): void;
  setConversationStatus(conversationType: ConversationType, targetId: string, status: IConversationStatus, callback?: null): Promise<void>;
  setConversationToTop(conversationType: ConversationType, targetId: string, isTop: boolean, callback: ICallback): void;
  setConversationToTop(conversationType: ConversationType, targetId: string, isTop: boolean, callback?: null): Promise<void>;
  setConversationNotificationStatus(conversationType: ConversationType, targetId: string, status: NotificationStatus, callback: ICallback): void;
  setConversationNotificationStatus(conversationType: ConversationType, targetId: string, status: NotificationStatus, callback?: null): Promise<void>;
  getConversationNotificationStatus(conversationType: ConversationType, targetId: string, callback: ICallback<NotificationStatus>): void;
  getConversationNotificationStatus(conversationType: ConversationType, targetId: string, callback?: null): Promise<NotificationStatus>;
  saveTextMessageDraft(conversationType: ConversationType, targetId: string, draftText: string): boolean;
  getTextMessageDraft(conversationType: ConversationType, targetId: string): string | undefined;
  clearTextMessageDraft(conversationType: ConversationType, targetId: string): boolean;

  getTotalUnreadCount(callback: ICallback<number>, conversationTypes?: ConversationType[], includeMuted?: boolean): void;
  getTotalUnreadCount(callback?: null, conversationTypes?: ConversationType[], includeMuted?: boolean): Promise<number>;
  getUnreadCount(conversationType: ConversationType, targetId: string, callback: ICallback<number>): void;
  getUnreadCount(conversationType: ConversationType, targetId: string, callback?: null): Promise<number>;
  getConversationUnreadCount(conversationTypes: ConversationType[], callback: ICallback<number>): void;
  getConversationUnreadCount(conversationTypes: ConversationType[], callback?: null): Promise<number>;
  clearUnreadCount(conversationType: ConversationType, targetId: string, callback: ICallback<boolean>): void;
  clearUnreadCount(conversationType: ConversationType, targetId: string, callback?: null): Promise<boolean>;

  getHistoryMessages(conversationType: ConversationType, targetId: string, timestamp: number, count: number, callback: ICallback<IReceivedMessageV2[], boolean>, objectName?: string, order?: 0 | 1): void;
  getHistoryMessages(conversationType: ConversationType, targetId: string, timestamp: number, count: number, callback?: null, objectName?: string, order?: 0 | 1): Promise<IHistoryResult>;
  getRemoteHistoryMessages(conversationType: ConversationType, targetId: string, timestamp: number, count: number, callback: ICallback<IReceivedMessageV2[], boolean>, options?: { order?: 0 | 1 }): void;
  getRemoteHistoryMessages(conversationType: ConversationType, targetId: string, timestamp: number, count: number, callback?: null, options?: { order?: 0 | 1 }): Promise<IHistoryResult>;
  getRemoteHistoryMessages(params: { conversationType: ConversationType; targetId: string; timestamp?: number; count?: number; order?: 0 | 1 }, callback: ICallback<IReceivedMessageV2[], boolean>): void;
  getRemoteHistoryMessages(params: { conversationType: ConversationType; targetId: string; timestamp?: number; count?: number; order?: 0 | 1 }, callback?: null): Promise<IHistoryResult>;
  clearRemoteHistoryMessages(param: { conversationType: ConversationType; targetId: string; timestamp: number }, callback: ICallback): void;
  clearRemoteHistoryMessages(param: { conversationType: ConversationType; targetId: string; timestamp: number }, callback?: null): Promise<void>;
  deleteRemoteMessages(conversationType: ConversationType, targetId: string, messages: IDeleteMessage[], callback: ICallback): void;
  deleteRemoteMessages(conversationType: ConversationType, targetId: string, messages: IDeleteMessage[], callback?: null): Promise<void>;

  joinChatRoom(chatRoomId: string, count: number, callback: ICallback): void;
  joinChatRoom(chatRoomId: string, count: number, callback?: null): Promise<void>;
  quitChatRoom(chatRoomId: string, callback: ICallback): void;
  quitChatRoom(chatRoomId: string, callback?: null): Promise<void>;
  getChatRoomInfo(chatRoomId: string, count: number, order: 1 | 2, callback: ICallback<IChatRoomInfo>): void;
  getChatRoomInfo(chatRoomId: string, count: number, order: 1 | 2, callback?: null): Promise<IChatRoomInfo>;
  getChatRoomHistoryMessages(chatRoomId: string, count: number, order: 0 | 1, callback: ICallback<IReceivedMessageV2[], boolean>, timestamp?: number): void;
  getChatRoomHistoryMessages(chatRoomId: string, count: number, order: 0 | 1, callback?: null, timestamp?: number): Promise<IHistoryResult>;

  addToBlacklist(userId: string, callback: ICallback): void;
  addToBlacklist(userId: string, callback?: null): Promise<void>;
  removeFromBlacklist(userId: string, callback: ICallback): void;
  removeFromBlacklist(userId: string, callback?: null): Promise<void>;
  getBlacklist(callback: ICallback<string[]>): void;
  getBlacklist(callback?: null): Promise<string[]>;
  /** 0: in the blacklist, 1: not. */
  getBlacklistStatus(userId: string, callback: ICallback<number>): void;
  getBlacklistStatus(userId: string, callback?: null): Promise<number>;
}

/** The v2 singleton. */
export declare const RongIMClient: Client;
/** A client of its own (several users in one page or process). */
export declare function createClient(): Client;
