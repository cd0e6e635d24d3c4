// Observes the plan state after every step (SYNC.md "Observability"): one log line per relay state
// change and per batch completion (items, events, duration, method), plus the matching metrics. It only
// watches; every decision stays in plan/step.ts.
import type { Logger } from '../../log/logger.js';
import type { SyncCommand } from '../plan/types.js';
import type { Batch, SyncInput, SyncState } from '../plan/state.js';
import { healthState, nextAttemptAt } from '../plan/health.js';
import { syncMetrics } from './metrics.js';

interface Tracked {
  relay: string;
  batch: Batch;
  startedAt: number;
  events: number;
}

export class SyncObserver {
  private readonly batches = new Map<number, Tracked>();
  private readonly subBatch = new Map<string, number>();
  private readonly relayStates = new Map<string, string>();

  constructor(private readonly log: Logger) {}

  /** An event arrived on a historic sub (or a negentropy fetch `<subId>f<n>`). */
  countEvent(subId: string): void {
    const id = this.subBatch.get(subId) ?? this.subBatch.get(subId.replace(/f\d+$/, ''));
    const t = id === undefined ? undefined : this.batches.get(id);
    if (t !== undefined) t.events++;
  }

  after(s: SyncState, input: SyncInput, commands: readonly SyncCommand[], now: number): void {
    for (const c of commands) {
      if (c.type === 'openHistoric' || c.type === 'negentropy') this.subBatch.set(c.subId, c.batchId);
      if (c.type === 'closeSub') this.subBatch.delete(c.subId);
    }
    if (input.type === 'historicPage' || input.type === 'negentropyDone' || input.type === 'negentropyFailed' || input.type === 'closed') this.subBatch.delete(input.subId);
    const live = new Set<number>();
    for (const [relay, list] of s.pending) {
      for (const b of list) {
        live.add(b.id);
        if (!this.batches.has(b.id)) this.batches.set(b.id, { relay, batch: b, startedAt: now, events: 0 });
      }
    }
    for (const [id, t] of this.batches) {
      if (live.has(id)) continue;
      this.batches.delete(id);
      const r = s.relays.get(t.relay);
      const dropped = r === undefined || r.connection !== 'connected' || t.batch.queue.length > 0 || t.batch.outstanding.size > 0;
      const outcome = dropped ? 'dropped' : t.batch.failed ? 'failed' : 'ok';
      syncMetrics.historic.inc({ method: t.batch.method, outcome });
      const items = t.batch.items;
      this.log.info(
        { relay: t.relay, batch: id, purpose: t.batch.purpose, method: t.batch.method, outcome, repos: items.repos.size, rootEvents: items.rootEvents.size, events: t.events, durationMs: now - t.startedAt },
        'sync batch finished',
      );
    }
    if (this.subBatch.size > 10_000) this.subBatch.clear();
    for (const [url, r] of s.relays) {
      const st = `${r.connection}/${healthState(r.health, now, s.cfg.health)}`;
      if (this.relayStates.get(url) === st) continue;
      this.relayStates.set(url, st);
      const next = nextAttemptAt(r.health);
      this.log.info({ relay: url, connection: r.connection, health: st.split('/')[1], failures: r.health.failures, ...(next !== undefined && next > now ? { nextAttemptInMs: next - now } : {}) }, 'sync relay state');
    }
    for (const url of this.relayStates.keys()) if (!s.relays.has(url)) this.relayStates.delete(url);
  }
}
