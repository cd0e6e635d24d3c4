// SyncConfig (plan/state.ts) from the server Config (INTERFACE.md options, SYNC.md): the sync-* options
// plus the fixed extras the plan expects; own relay URLs come from --domain and the bind address.
import type { Config } from '../../config/load.js';
import type { SyncConfig } from '../plan/state.js';
import { ownRelayUrls } from '../plan/relay-url.js';

export function syncConfigFrom(c: Config): SyncConfig {
  return {
    health: {
      backoffBaseMs: c.syncBackoffBaseMs,
      backoffMaxMs: c.syncBackoffMaxMs,
      deadAfterMs: c.syncDeadAfterMs,
      rateLimitCooldownMs: c.syncRateLimitCooldownMs,
      stabilityMs: c.syncStabilityMs,
      jitter: 0.2,
    },
    // the since overlap covers at least two keepalive intervals: a link that died silently is noticed only then
    reconnect: { quickReconnectWindowMs: c.syncQuickReconnectWindowMs, catchUpBufferMs: overlapMs(c) },
    consolidationThreshold: c.syncConsolidationThreshold,
    dailyMinMs: c.syncDailyMinMs,
    dailyMaxMs: c.syncDailyMaxMs,
    ourMaxLimit: c.maxLimit,
    negentropy: c.syncNegentropy,
    negentropyRetryMs: 3_600_000,
    historicConcurrency: 4,
    consolidationOverlapSec: Math.ceil(overlapMs(c) / 1000),
    maxPages: 1000,
    ownUrls: ownRelayUrls({ domain: c.domain, host: c.host, port: c.port }),
    bootstrapRelays: c.bootstrapRelays,
    relayCaps: { perAnnouncement: c.syncMaxRelaysPerAnnouncement, perHost: c.syncMaxRelaysPerHost },
  };
}

/** since-overlap of catch-ups: one minute, or twice the keepalive interval when that is longer */
export function overlapMs(c: Pick<Config, 'wsPingIntervalMs'>): number {
  return Math.max(60_000, 2 * c.wsPingIntervalMs);
}
