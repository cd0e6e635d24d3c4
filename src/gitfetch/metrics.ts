// GRASP-02 git data sync and purgatory metrics (prefix graspd_), declared once against the process registry.
import { KIND_PR, KIND_PR_UPDATE, KIND_REPO_ANNOUNCEMENT, KIND_REPO_STATE } from '../nostr/kinds.js';
import { prom, registry } from '../metrics/registry.js';

export const gitfetchMetrics = {
  fetches: new prom.Counter({ name: 'graspd_gitfetch_fetches_total', help: 'git fetches from remote clone URLs, by outcome', labelNames: ['outcome'], registers: [registry] }),
  bytes: new prom.Counter({ name: 'graspd_gitfetch_bytes_total', help: 'bytes downloaded by git fetches (quarantine size)', registers: [registry] }),
  queued: new prom.Gauge({ name: 'graspd_gitfetch_jobs', help: 'git fetch jobs waiting or running', registers: [registry] }),
  purgatoryEntries: new prom.Gauge({ name: 'graspd_purgatory_entries', help: 'events waiting in purgatory, by kind', labelNames: ['kind'], registers: [registry] }),
  purgatoryOldest: new prom.Gauge({ name: 'graspd_purgatory_oldest_age_seconds', help: 'age of the oldest purgatory entry', registers: [registry] }),
};

export function kindLabel(kind: number): string {
  switch (kind) {
    case KIND_REPO_ANNOUNCEMENT: return 'announcement';
    case KIND_REPO_STATE: return 'state';
    case KIND_PR: return 'pr';
    case KIND_PR_UPDATE: return 'pr_update';
    default: return 'other';
  }
}

/** Sets the purgatory gauges from the live entries (the lead calls it after changes or on a timer). */
export function updatePurgatoryGauges(entries: ReadonlyArray<{ kind: number; addedAt: number }>, now: number = Date.now()): void {
  const counts = new Map<string, number>(['announcement', 'state', 'pr', 'pr_update', 'other'].map((k) => [k, 0]));
  let oldest = now;
  for (const e of entries) {
    const k = kindLabel(e.kind);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    oldest = Math.min(oldest, e.addedAt);
  }
  for (const [k, n] of counts) gitfetchMetrics.purgatoryEntries.set({ kind: k }, n);
  gitfetchMetrics.purgatoryOldest.set(entries.length === 0 ? 0 : Math.max(0, (now - oldest) / 1000));
}
