// Sync metrics (SYNC.md "Observability"), prefix graspd_sync_. Counters are bumped by the engine; gauges
// are read from the live plan state of every running engine at scrape time (usually one per process).
import { prom, registry } from '../../metrics/registry.js';
import type { SyncState } from '../plan/state.js';
import { liveFilterCount } from '../plan/state.js';
import { healthState, type HealthState } from '../plan/health.js';

const engines = new Set<() => SyncState>();

export function trackState(get: () => SyncState): () => void {
  engines.add(get);
  return () => engines.delete(get);
}

const HEALTH_STATES: HealthState[] = ['healthy', 'disconnected', 'degraded', 'dead', 'rateLimited'];

function eachRelay(fn: (s: SyncState, url: string) => void): void {
  for (const get of engines) {
    const s = get();
    for (const url of s.relays.keys()) fn(s, url);
  }
}

export const syncMetrics = {
  connectionAttempts: new prom.Counter({
    name: 'graspd_sync_connection_attempts_total', help: 'outbound relay connection attempts by result',
    labelNames: ['result'] as const, registers: [registry],
  }),
  events: new prom.Counter({
    name: 'graspd_sync_events_total', help: 'events from remote relays: received, accepted, duplicate, rejected',
    labelNames: ['relay', 'result'] as const, registers: [registry],
    collect() {
      return pruneForgotten(this);
    },
  }),
  historic: new prom.Counter({
    name: 'graspd_sync_historic_syncs_total', help: 'historic batches finished, by method and outcome',
    labelNames: ['method', 'outcome'] as const, registers: [registry],
  }),
  bytes: new prom.Counter({
    name: 'graspd_sync_bytes_total', help: 'WebSocket text bytes exchanged with remote relays',
    labelNames: ['relay'] as const, registers: [registry],
    collect() {
      return pruneForgotten(this);
    },
  }),
  negentropyBytes: new prom.Counter({
    name: 'graspd_sync_negentropy_bytes_total', help: 'NIP-77 message bytes (NEG-OPEN / NEG-MSG payloads) exchanged per finished session',
    labelNames: ['relay'] as const, registers: [registry],
    collect() {
      return pruneForgotten(this);
    },
  }),
  budgetPauses: new prom.Counter({
    name: 'graspd_sync_relay_budget_pauses_total', help: 'times a remote relay overdrew its inbound budget (messages or bytes) and reading from it was paused',
    labelNames: ['relay', 'budget'] as const, registers: [registry],
    collect() {
      return pruneForgotten(this);
    },
  }),
};

/** Counters labelled by relay: their series must go when the relay is forgotten (bounded label sets). */
const PER_RELAY: Array<prom.Counter<string>> = [syncMetrics.events, syncMetrics.bytes, syncMetrics.negentropyBytes, syncMetrics.budgetPauses];

/** Drops every series of `relay` (call when the engine forgets a relay). */
export async function forgetRelayMetrics(relay: string): Promise<void> {
  for (const c of PER_RELAY) await removeSeries(c, (r) => r === relay);
}

async function removeSeries<T extends string>(c: prom.Counter<T>, gone: (relay: string) => boolean): Promise<void> {
  for (const v of (await c.get()).values) {
    const relay = (v.labels as Partial<Record<string, string | number>>).relay;
    if (typeof relay === 'string' && gone(relay)) c.remove(v.labels);
  }
}

const pruning = new Set<object>();

/** At scrape time, before the counter is read: series of relays no running engine tracks are removed. */
async function pruneForgotten<T extends string>(c: prom.Counter<T>): Promise<void> {
  // get() below calls collect() again: the inner call reads the series as they are
  if (engines.size === 0 || pruning.has(c)) return;
  pruning.add(c);
  try {
    const tracked = new Set<string>();
    eachRelay((_s, url) => tracked.add(url));
    await removeSeries(c, (r) => !tracked.has(r));
  } finally {
    pruning.delete(c);
  }
}

new prom.Gauge({
  name: 'graspd_sync_relay_connected', help: '1 when the relay connection is open', labelNames: ['relay'] as const, registers: [registry],
  collect() {
    this.reset();
    eachRelay((s, url) => this.set({ relay: url }, s.relays.get(url)!.connection === 'connected' ? 1 : 0));
  },
});

new prom.Gauge({
  name: 'graspd_sync_relay_health', help: '1 for the current health state of each relay', labelNames: ['relay', 'state'] as const, registers: [registry],
  collect() {
    this.reset();
    const now = Date.now();
    eachRelay((s, url) => {
      const st = healthState(s.relays.get(url)!.health, now, s.cfg.health);
      for (const h of HEALTH_STATES) this.set({ relay: url, state: h }, h === st ? 1 : 0);
    });
  },
});

new prom.Gauge({
  name: 'graspd_sync_pending_batches', help: 'historic batches in flight per relay', labelNames: ['relay'] as const, registers: [registry],
  collect() {
    this.reset();
    eachRelay((s, url) => this.set({ relay: url }, s.pending.get(url)?.length ?? 0));
  },
});

new prom.Gauge({
  name: 'graspd_sync_live_filters', help: 'live filters open per relay', labelNames: ['relay'] as const, registers: [registry],
  collect() {
    this.reset();
    eachRelay((s, url) => this.set({ relay: url }, liveFilterCount(s.relays.get(url)!)));
  },
});

new prom.Gauge({
  name: 'graspd_sync_live_widened_layers', help: 'live filter layers widened to kinds per relay (its exact filters would pass the capacity)', labelNames: ['relay'] as const, registers: [registry],
  collect() {
    this.reset();
    eachRelay((s, url) => this.set({ relay: url }, s.relays.get(url)!.layout.wide.size));
  },
});

new prom.Gauge({
  name: 'graspd_sync_relays', help: 'relays tracked, connected and dead', labelNames: ['state'] as const, registers: [registry],
  collect() {
    let tracked = 0;
    let connected = 0;
    let dead = 0;
    const now = Date.now();
    eachRelay((s, url) => {
      const r = s.relays.get(url)!;
      tracked++;
      if (r.connection === 'connected') connected++;
      if (healthState(r.health, now, s.cfg.health) === 'dead') dead++;
    });
    this.set({ state: 'tracked' }, tracked);
    this.set({ state: 'connected' }, connected);
    this.set({ state: 'dead' }, dead);
  },
});
