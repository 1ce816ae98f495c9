// Parley's public names except the built-in message classes (index.js adds those): what
// the UMD entry publishes by name. Add a new public name here, not in index.js.
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

// The v2 singleton.
export const RongIMClient = new Client(runtime);

// A client of its own (not the singleton), e.g. two users in one page or one node process:
//   const c = Parley.createClient(); c.init(appKey, null, {navi}); await c.connect(token);
export function createClient() {
  return new Client(runtime);
}
