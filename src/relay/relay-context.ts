// What a connection needs from the relay (kept as one plain object so connections stay small).
import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import type { EventStore } from '../store/types.js';
import type { Ingest } from './ingest.js';
import type { SubscriptionIndex } from './subscriptions.js';
import type { ClientMessage } from './messages.js';
import type { Connection } from './connection.js';

export interface NegentropyHandler {
  handle(conn: Connection, msg: Extract<ClientMessage, { type: 'NEG-OPEN' | 'NEG-MSG' | 'NEG-CLOSE' }>): Promise<void>;
  closeAll(conn: Connection): void;
  /** stops the idle-session timer (server shutdown) */
  stop?(): void;
}

export interface RelayContext {
  config: Pick<Config, 'maxLimit' | 'maxMessageBytes' | 'maxSubscriptions' | 'maxFilters' | 'rateLimitBurst' | 'rateLimitEventsPerSecond' | 'maxCount'>;
  store: EventStore;
  ingest: Ingest;
  subscriptions: SubscriptionIndex;
  negentropy: NegentropyHandler;
  log: Logger;
  now: () => number;
  onClose(conn: Connection): void;
}
