// Argument checks for the public API. Each returns an error text, or '' when the value is
// acceptable; the API turns a text into PARAMETER_ERROR through the callback or Promise
// (never a throw into app code) before anything reaches the core or the wire.

export const isInt = (v) => typeof v === 'number' && Number.isInteger(v);
export const isNonEmptyString = (v) => typeof v === 'string' && v.length > 0;
export const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// Conversation types a conversation can be addressed by (ConversationType values).
const CONVERSATION_TYPES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 12]);

export function checkConversation(type, targetId) {
  if (!isInt(type) || !CONVERSATION_TYPES.has(type)) return `conversationType must be a ConversationType value, got ${describe(type)}`;
  if (!isNonEmptyString(targetId)) return `targetId must be a non-empty string, got ${describe(targetId)}`;
  if (utf8Length(targetId) > 64) return 'targetId is longer than 64 bytes';
  return '';
}

export function checkString(name, v, { optional = false } = {}) {
  if (optional && (v === undefined || v === null)) return '';
  return isNonEmptyString(v) ? '' : `${name} must be a non-empty string, got ${describe(v)}`;
}

export function checkOptionalType(name, v, type) {
  if (v === undefined || v === null) return '';
  return typeof v === type ? '' : `${name} must be a ${type}, got ${describe(v)}`;
}

export function checkNumber(name, v, { optional = false, min = -Infinity, max = Infinity } = {}) {
  if (optional && (v === undefined || v === null)) return '';
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${name} must be a number, got ${describe(v)}`;
  if (v < min || v > max) return `${name} must be within ${min}..${max}, got ${v}`;
  return '';
}

export function checkTypes(name, v, { optional = true } = {}) {
  if (optional && (v === undefined || v === null)) return '';
  if (!Array.isArray(v) || !v.every((t) => isInt(t))) return `${name} must be an array of ConversationType values`;
  return '';
}

export function firstError(...texts) {
  for (const t of texts) if (t) return t;
  return '';
}

export function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

// Bytes of the UTF-8 form of a string (lone surrogates count as 3, as they would be
// replaced), without allocating the encoded copy.
export function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length &&
             (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}
