// The SDK's logger: v2 init options `logLevel` (LogLevel values, default WARN) and
// `logStdout(level, content)` (default: the console).
import { LogLevel } from './enums.js';

const LEVELS = { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR };

export function createLogger({ logLevel, logStdout } = {}) {
  const threshold = typeof logLevel === 'number' ? logLevel : LogLevel.WARN;
  const out = typeof logStdout === 'function' ? logStdout : (level, content) => {
    const c = globalThis.console;
    if (!c) return;
    const fn = level >= LogLevel.ERROR ? c.error : level >= LogLevel.WARN ? c.warn : c.log;
    if (typeof fn === 'function') fn.call(c, content);
  };
  const logger = {};
  for (const [name, level] of Object.entries(LEVELS)) {
    logger[name] = (content) => {
      if (level < threshold) return;
      try {
        out(level, '[parley] ' + content);
      } catch (e) { /* a logger that throws must not break the SDK */ }
    };
  }
  return logger;
}
