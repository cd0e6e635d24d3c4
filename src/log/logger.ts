// Structured JSON logs (pino), one line per event worth knowing. Writes are asynchronous with a bounded
// buffer: a stdout nobody reads (a stuck pipe) drops log lines instead of blocking the server.
import { pino, type Logger } from 'pino';

export type { Logger };

/** Log output waiting for a slow stdout beyond this is dropped. */
const MAX_BUFFERED_LOG_BYTES = 4 * 1024 * 1024;

type Destination = ReturnType<typeof pino.destination>;
let destination: Destination | undefined;

export function createLogger(level: 'debug' | 'info' | 'warn' | 'error' | 'silent' = 'info'): Logger {
  destination ??= pino.destination({ dest: 1, sync: false, maxLength: MAX_BUFFERED_LOG_BYTES });
  return pino({ level, base: { app: 'graspd' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/** Writes out what is buffered (at exit). Never throws; gives up if stdout cannot take it. */
export function flushLogs(): void {
  try {
    destination?.flushSync();
  } catch {
    // stdout is gone or full: the lines are lost, the exit must not be
  }
}

/** A logger that drops everything (unit tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
