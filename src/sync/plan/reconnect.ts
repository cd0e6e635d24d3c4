// On connect: fresh sync or quick reconnect (SYNC.md "Connection lifecycle", sync-study §9.1 items 1–3).
// The window is measured from the cursor (= the disconnect time while live subs covered everything),
// never from the last connect. A quick reconnect catches up Layer 1 AND Layers 2+3 with since.
// Times: `now`/cursor are ms; filter `since` values are unix seconds.
import type { NostrFilter } from '../../nostr/types.js';
import type { RelayNeeds } from './types.js';
import { assertNever, isEmptyNeeds } from './types.js';
import { asHistoric, deletionsFilter, itemFilters, layer1Filter } from './filters.js';

export interface ReconnectConfig {
  quickReconnectWindowMs: number;
  /** since = cursor − buffer: covers clock skew and events in flight at the disconnect */
  catchUpBufferMs: number;
}

export type ConnectPlan = { type: 'fresh'; reason: 'neverSynced' | 'windowExpired' } | { type: 'quick'; sinceSec: number };

export interface ConnectMemory {
  lastConnectedAt?: number;
  disconnectedAt?: number;
  /** ms time up to which confirmed items are known synced */
  cursor?: number;
}

export function decideConnect(r: ConnectMemory, now: number, cfg: ReconnectConfig): ConnectPlan {
  if (r.cursor === undefined) return { type: 'fresh', reason: 'neverSynced' };
  if (now - r.cursor > cfg.quickReconnectWindowMs) return { type: 'fresh', reason: 'windowExpired' };
  return { type: 'quick', sinceSec: Math.max(0, Math.floor((r.cursor - cfg.catchUpBufferMs) / 1000)) };
}

/**
 * Cursor after a disconnect: live subscriptions covered confirmed items up to `now`, unless a catch-up
 * was still running — then the older cursor stands, so the next reconnect repeats that catch-up.
 */
export function cursorAfterDisconnect(prev: number | undefined, now: number, catchUpPending: boolean, everConfirmed: boolean): number | undefined {
  if (!everConfirmed) return prev;
  return catchUpPending ? prev : now;
}

/** Historic work on connect; live coverage comes from the relay's layout (live-layout.ts). */
export interface ConnectFilters {
  /** Layer-1 historic (since only when L1 was confirmed before) */
  layer1: NostrFilter[];
  /** quick reconnect: L2+L3 historic catch-up of confirmed items with since (empty for fresh) */
  catchUp: NostrFilter[];
}

export function connectFilters(
  plan: ConnectPlan,
  confirmed: RelayNeeds,
  l1Confirmed: boolean,
  historicLimit: number,
): ConnectFilters {
  switch (plan.type) {
    case 'fresh':
      return { layer1: asHistoric([layer1Filter()], { limit: historicLimit }), catchUp: [] };
    case 'quick': {
      const items = isEmptyNeeds(confirmed) ? [] : itemFilters(confirmed);
      const l1Since = l1Confirmed ? { since: plan.sinceSec } : {};
      return {
        layer1: asHistoric([layer1Filter()], { limit: historicLimit, ...l1Since }),
        catchUp: asHistoric([...items, deletionsFilter()], { limit: historicLimit, since: plan.sinceSec }),
      };
    }
    default:
      return assertNever(plan);
  }
}

