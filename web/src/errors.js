// The one error model of the JS side (STYLE.md 4): every failure an app sees is a numeric
// v2 `ErrorCode` value. Callback-style calls get the number in onError(code); Promise-style
// calls reject with a ParleyError carrying the same number in `.code`. Core results
// ({id, code, data}) become errors here and nowhere else.
import { ErrorCode } from './enums.js';

export class ParleyError extends Error {
  constructor(code, message) {
    const name = ErrorCode[code];
    super(message || (name ? `${name} (${code})` : `error ${code}`));
    this.name = 'ParleyError';
    this.code = code;
  }
}

// A core "result" event -> a ParleyError (code != 0), with the core's message when it gave one.
export function errorFromResult(result) {
  const data = result && result.data;
  const detail = data && typeof data === 'object' && typeof data.message === 'string' ? data.message : '';
  const code = typeof result.code === 'number' ? result.code : ErrorCode.UNKNOWN;
  const name = ErrorCode[code];
  return new ParleyError(code, detail ? `${name || code}: ${detail}` : undefined);
}

export function parameterError(what) {
  return new ParleyError(ErrorCode.PARAMETER_ERROR, `PARAMETER_ERROR: ${what}`);
}
