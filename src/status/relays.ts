// Per-relay rows of the status report from the sync plan state and the runner's traffic stats (pure).
import { healthState, nextAttemptAt } from '../sync/plan/health.js';
import { liveFilterCount, type SyncState } from '../sync/plan/state.js';
import type { RelayTraffic } from '../sync/io/relay-stats.js';
import type { RelayStatus, RepoSyncCoverage } from './types.js';

const iso = (ms: number | undefined): { at?: string } => (ms === undefined ? {} : { at: new Date(ms).toISOString() });

export function relayStatuses(s: SyncState, traffic: (url: string) => RelayTraffic | undefined, now: number): RelayStatus[] {
  const out: RelayStatus[] = [];
  for (const r of s.relays.values()) {
    const t = traffic(r.url);
    const next = nextAttemptAt(r.health);
    const nip77 = r.negentropyOffUntil !== undefined && r.negentropyOffUntil > now ? false : (t?.nip77 ?? null);
    const lastEvent = iso(t?.lastEventAt).at;
    const nextAt = next !== undefined && next > now ? iso(next).at : undefined;
    const errAt = iso(t?.lastErrorAt).at;
    out.push({
      url: r.url,
      connection: r.connection,
      health: healthState(r.health, now, s.cfg.health),
      failures: r.health.failures,
      ...(nextAt !== undefined ? { nextAttemptAt: nextAt } : {}),
      bootstrap: r.isBootstrap,
      repos: r.repos.size,
      liveFilters: liveFilterCount(r),
      historicSubscriptions: r.historic.size,
      filterCapacity: s.cfg.consolidationThreshold,
      pendingHistoricBatches: s.pending.get(r.url)?.length ?? 0,
      firstSyncDone: r.firstSyncDone,
      ...(lastEvent !== undefined ? { lastEventAt: lastEvent } : {}),
      bytesIn: t?.bytesIn ?? 0,
      bytesOut: t?.bytesOut ?? 0,
      nip77,
      ...(t?.lastError !== undefined ? { lastError: t.lastError } : {}),
      ...(errAt !== undefined ? { lastErrorAt: errAt } : {}),
    });
  }
  return out.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}

/**
 * Which remote relays a repository is synced from (its announcement's relays and GRASP clone hosts) and
 * which of them have confirmed its events since their last fresh sync (pure).
 */
export function repoSyncCoverage(s: SyncState, owner: string, d: string): RepoSyncCoverage | undefined {
  const key = `30617:${owner}:${d}` as const;
  const entry = s.repos.repos.get(key);
  if (entry === undefined) return undefined;
  const relays = [...entry.relays].sort().map((url) => ({ url, confirmed: s.relays.get(url)?.repos.has(key) ?? false }));
  return { level: entry.level, relays, confirmed: relays.filter((r) => r.confirmed).length };
}
