// What bounds one remote relay's cost (SYNC.md invariant 4), from the server options: the largest
// inbound frame (--max-message-bytes) and the per-relay inbound budget (--sync-relay-*), with the one
// log line and the metric of a budget pause. The runner spreads these into every Remote it creates.
import type { Config } from '../../config/load.js';
import type { Logger } from '../../log/logger.js';
import { syncMetrics } from './metrics.js';
import { RelayBudgets } from './relay-budget.js';
import type { RemoteDeps, RemoteOptions } from './remote.js';

/** seconds of the rate a bucket holds */
export const BUDGET_BURST_SECONDS = 10;

export interface RemoteGuards {
  options: Pick<RemoteOptions, 'maxMessageBytes' | 'budgets'>;
  deps: Pick<RemoteDeps, 'budgetExceeded'>;
}

export function remoteGuards(
  config: Pick<Config, 'maxMessageBytes' | 'syncRelayEventsPerSecond' | 'syncRelayBytesPerSecond' | 'syncRelayPauseMs'>,
  log: Logger,
): RemoteGuards {
  const budgets = new RelayBudgets({
    messagesPerSecond: config.syncRelayEventsPerSecond,
    bytesPerSecond: config.syncRelayBytesPerSecond,
    burstSeconds: BUDGET_BURST_SECONDS,
    pauseMs: config.syncRelayPauseMs,
  });
  return {
    options: { maxMessageBytes: config.maxMessageBytes, budgets },
    deps: {
      budgetExceeded: (relay, budget, until) => {
        syncMetrics.budgetPauses.inc({ relay, budget });
        log.warn({ relay, budget, pauseMs: Math.max(0, until - Date.now()) }, 'sync relay over its inbound budget: reading paused');
      },
    },
  };
}
