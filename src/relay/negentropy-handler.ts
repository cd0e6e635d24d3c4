// NIP-77 on client connections: one NegentropySessions per connection (limits, idle expiry); NEG-OPEN
// loads the (created_at, id) pairs of the stored events matching the filter.
import type { EventStore } from '../store/types.js';
import { DEFAULT_NEG_LIMITS, NegentropySessions, negFrame, type NegSessionLimits } from './nip77-sessions.js';
import type { NegentropyHandler } from './relay-context.js';
import type { Connection } from './connection.js';

export interface NegentropyHandlerDeps {
  store: EventStore;
  now: () => number;
  limits?: Partial<NegSessionLimits>;
}

export function createNegentropyHandler(deps: NegentropyHandlerDeps): NegentropyHandler {
  const limits: NegSessionLimits = { ...DEFAULT_NEG_LIMITS, ...deps.limits };
  const perConnection = new Map<Connection, NegentropySessions>();
  const sessionsOf = (conn: Connection): NegentropySessions => {
    let s = perConnection.get(conn);
    if (!s) perConnection.set(conn, (s = new NegentropySessions(limits)));
    return s;
  };
  const expireIdle = (): void => {
    const now = deps.now();
    for (const [conn, sessions] of perConnection) {
      for (const expired of sessions.expire(now)) conn.send(JSON.stringify(negFrame(expired.subId, { type: 'err', reason: expired.reason })));
    }
  };
  // idle sessions are closed on a timer, not only when their connection speaks again
  const sweeper = setInterval(expireIdle, Math.max(50, Math.floor(limits.idleMs / 2)));
  sweeper.unref();
  return {
    stop() {
      clearInterval(sweeper);
    },
    async handle(conn, msg) {
      const sessions = sessionsOf(conn);
      const now = deps.now();
      for (const expired of sessions.expire(now)) conn.send(JSON.stringify(negFrame(expired.subId, { type: 'err', reason: expired.reason })));
      switch (msg.type) {
        case 'NEG-OPEN': {
          const { limit: _ignored, ...filter } = msg.filter;
          // read at most one more than allowed: a too-large set is refused without loading it
          const items = await deps.store.idsForNegentropy([filter], { max: limits.maxItems });
          return conn.send(JSON.stringify(negFrame(msg.subId, sessions.open(msg.subId, items, msg.message, now))));
        }
        case 'NEG-MSG':
          return conn.send(JSON.stringify(negFrame(msg.subId, sessions.message(msg.subId, msg.message, now))));
        case 'NEG-CLOSE':
          sessions.close(msg.subId);
          return;
      }
    },
    closeAll(conn) {
      perConnection.get(conn)?.closeAll();
      perConnection.delete(conn);
    },
  };
}
