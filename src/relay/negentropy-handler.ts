// NIP-77 on client connections: one NegentropySessions per connection (limits, idle expiry); NEG-OPEN
// loads the (created_at, id) pairs of the stored events matching the filter.
import type { EventStore } from '../store/types.js';
import { NegentropySessions, negFrame } from './nip77-sessions.js';
import type { NegentropyHandler } from './relay-context.js';
import type { Connection } from './connection.js';

export interface NegentropyHandlerDeps {
  store: EventStore;
  now: () => number;
}

export function createNegentropyHandler(deps: NegentropyHandlerDeps): NegentropyHandler {
  const perConnection = new Map<Connection, NegentropySessions>();
  const sessionsOf = (conn: Connection): NegentropySessions => {
    let s = perConnection.get(conn);
    if (!s) perConnection.set(conn, (s = new NegentropySessions()));
    return s;
  };
  return {
    async handle(conn, msg) {
      const sessions = sessionsOf(conn);
      const now = deps.now();
      for (const expired of sessions.expire(now)) conn.send(JSON.stringify(negFrame(expired.subId, { type: 'err', reason: expired.reason })));
      switch (msg.type) {
        case 'NEG-OPEN': {
          const { limit: _ignored, ...filter } = msg.filter;
          const items = await deps.store.idsForNegentropy([filter]);
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
