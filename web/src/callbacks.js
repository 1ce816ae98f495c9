// Callbacks AND Promises: every asynchronous v2 method takes the v2 callback object
// ({onSuccess, onError}) and, when none is given, returns a Promise instead. Either way the
// answer comes asynchronously (never during the call), and nothing thrown by app code in a
// callback escapes into the SDK's own loop.
import { ErrorCode } from './enums.js';
import { ParleyError } from './errors.js';

export function isCallbackObject(cb) {
  return cb !== null && typeof cb === 'object' &&
    (cb.onSuccess === undefined || typeof cb.onSuccess === 'function') &&
    (cb.onError === undefined || typeof cb.onError === 'function');
}

// Calls an app function; a throw is logged, never propagated.
export function safeCall(logger, fn, ...args) {
  if (typeof fn !== 'function') return undefined;
  try {
    return fn(...args);
  } catch (e) {
    logger.error('an app callback threw: ' + (e && e.stack ? e.stack : e));
    return undefined;
  }
}

function asParleyError(logger, e) {
  if (e instanceof ParleyError) return e;
  logger.error('internal error: ' + (e && e.stack ? e.stack : e));
  return new ParleyError(ErrorCode.UNKNOWN, String(e && e.message ? e.message : e));
}

// respond(logger, callback, work, toValue): `work` returns a Promise of the onSuccess
// arguments (an array). With a callback object: onSuccess(...args) / onError(code), returns
// undefined. Without: returns a Promise of toValue(args) (default: the first argument),
// rejecting with a ParleyError. A callback that is present but not a callback object is a
// parameter error, answered by the rejected Promise (there is nothing else to call).
export function respond(logger, callback, work, toValue = (args) => args[0]) {
  const run = () => {
    try {
      return Promise.resolve(work());
    } catch (e) {
      return Promise.reject(e);
    }
  };
  if (callback === undefined || callback === null) {
    return run().then((args) => toValue(args), (e) => { throw asParleyError(logger, e); });
  }
  if (!isCallbackObject(callback)) {
    return Promise.reject(new ParleyError(ErrorCode.PARAMETER_ERROR,
      'PARAMETER_ERROR: callback must be an object with onSuccess/onError functions'));
  }
  run().then(
    (args) => safeCall(logger, callback.onSuccess, ...args),
    (e) => {
      const err = asParleyError(logger, e);
      if (typeof callback.onError === 'function') safeCall(logger, callback.onError, err.code, err);
      else logger.warn(`unhandled error ${err.code}: ${err.message}`);
    });
  return undefined;
}
