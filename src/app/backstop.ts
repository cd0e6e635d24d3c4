// The process-level last line of defence: an error nobody handled is logged and counted. Peer-level network errors
// (a socket reset or gone while we wrote to it) cannot corrupt our state, so the server keeps serving; any other
// uncaught exception means our state may be inconsistent, and exiting (to be restarted by systemd) is safer.
// Unhandled promise rejections are logged and counted, and do not stop the server.
import type { Logger } from '../log/logger.js';
import { prom, registry } from '../metrics/registry.js';

const uncaught = new prom.Counter({
  name: 'graspd_uncaught_errors_total',
  help: 'errors that reached the process-level handlers, by kind (network: kept serving; rejection: kept serving; fatal: exited)',
  labelNames: ['kind'],
  registers: [registry],
});

const PEER_ERRORS = new Set([
  'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNREFUSED',
  'ERR_STREAM_DESTROYED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_WRITE_AFTER_END', 'ERR_SOCKET_CLOSED', 'HPE_INVALID_EOF_STATE',
]);

export type UncaughtKind = 'network' | 'rejection' | 'fatal';

/** Pure: what to do with an error that reached the process. */
export function classifyUncaught(err: unknown, origin: 'uncaughtException' | 'unhandledRejection'): UncaughtKind {
  if (origin === 'unhandledRejection') return 'rejection';
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PEER_ERRORS.has(code) ? 'network' : 'fatal';
}

export function installBackstop(log: Logger, exit: (code: number) => void): () => void {
  const handle = (err: unknown, origin: 'uncaughtException' | 'unhandledRejection'): void => {
    const kind = classifyUncaught(err, origin);
    uncaught.inc({ kind });
    if (kind === 'fatal') {
      log.fatal({ err, origin }, 'uncaught exception: exiting (state may be inconsistent)');
      exit(1);
      return;
    }
    log.error({ err, origin, kind }, 'unhandled error caught by the process backstop; still serving');
  };
  const onException = (err: Error): void => handle(err, 'uncaughtException');
  const onRejection = (reason: unknown): void => handle(reason, 'unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
