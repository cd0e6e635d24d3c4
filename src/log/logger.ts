// Structured JSON logs (pino), one line per event worth knowing.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: 'debug' | 'info' | 'warn' | 'error' | 'silent' = 'info'): Logger {
  return pino({ level, base: { app: 'graspd' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A logger that drops everything (unit tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
