// NIP-77 on a client connection: NEG-OPEN builds a responder over the stored events matching the filter,
// NEG-MSG continues it, NEG-CLOSE drops it. Errors answer NEG-ERR with a NIP-01 style prefix.
import type { EventStore } from '../store/types.js';
import { NegentropyError, NegentropyResponder } from './nip77.js';
import type { NegentropyHandler } from './relay-context.js';
import type { Connection } from './connection.js';

const MAX_SESSIONS_PER_CONNECTION = 8;
const MAX_RECORDS = 1_000_000;

export interface NegentropyHandlerDeps {
  store: EventStore;
}

export function createNegentropyHandler(deps: NegentropyHandlerDeps): NegentropyHandler {
  const sessions = new Map<Connection, Map<string, NegentropyResponder>>();
  const err = (conn: Connection, subId: string, reason: string): void => conn.send(JSON.stringify(['NEG-ERR', subId, reason]));
  const answer = (conn: Connection, subId: string, responder: NegentropyResponder, msg: string): void => {
    try {
      conn.send(JSON.stringify(['NEG-MSG', subId, responder.reply(msg)]));
    } catch (e) {
      sessions.get(conn)?.delete(subId);
      err(conn, subId, e instanceof NegentropyError ? `invalid: ${e.message}` : 'error: negentropy failed');
    }
  };
  return {
    async handle(conn, msg) {
      let mine = sessions.get(conn);
      switch (msg.type) {
        case 'NEG-OPEN': {
          if (!mine) sessions.set(conn, (mine = new Map()));
          mine.delete(msg.subId);
          if (mine.size >= MAX_SESSIONS_PER_CONNECTION) return err(conn, msg.subId, `blocked: too many negentropy sessions (max ${MAX_SESSIONS_PER_CONNECTION})`);
          const items = await deps.store.idsForNegentropy([{ ...msg.filter, limit: undefined }]);
          if (items.length > MAX_RECORDS) return err(conn, msg.subId, `blocked: too many records (max ${MAX_RECORDS}), narrow the filter`);
          const responder = new NegentropyResponder(items);
          mine.set(msg.subId, responder);
          return answer(conn, msg.subId, responder, msg.message);
        }
        case 'NEG-MSG': {
          const responder = mine?.get(msg.subId);
          if (!responder) return err(conn, msg.subId, 'closed: no such negentropy session');
          return answer(conn, msg.subId, responder, msg.message);
        }
        case 'NEG-CLOSE':
          mine?.delete(msg.subId);
          return;
      }
    },
    closeAll(conn) {
      sessions.delete(conn);
    },
  };
}
