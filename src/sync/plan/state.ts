// The reducer's state and inputs (SYNC.md "Data model"): RepoSyncIndex, per-relay runtime (confirmed
// items, connection, health, limits, open subs) and pending batches. One runner owns it; `step` is
// the only writer. Inputs are what the runner observed; commands (types.ts) are what it must do.
import type { NostrEvent, NostrFilter } from '../../nostr/types.js';
import type { PendingBatch, RelayConfirmed, RelayLimits, RelayNeeds, RelaySnapshot, RepoKey } from './types.js';
import type { HealthConfig, RelayHealth } from './health.js';
import type { ReconnectConfig } from './reconnect.js';
import type { PageCursor, PageEvent } from './pagination.js';
import type { RelayCaps, RepoIndexState } from './repo-index.js';
import { emptyRepoIndex } from './repo-index.js';
import { initialHealth } from './health.js';
import type { LiveLayout } from './live-layout.js';
import { emptyLayout, liveSlotFilterCount } from './live-layout.js';

export interface SyncConfig {
  health: HealthConfig;
  reconnect: ReconnectConfig;
  consolidationThreshold: number;
  dailyMinMs: number;
  dailyMaxMs: number;
  /** our --max-limit: the historic limit when the remote publishes none */
  ourMaxLimit: number;
  negentropy: boolean;
  /** after a NIP-77 failure, use REQ on that relay for this long */
  negentropyRetryMs: number;
  /** historic subscriptions running at once per relay (one filter each) */
  historicConcurrency: number;
  consolidationOverlapSec: number;
  maxPages: number;
  ownUrls: string[];
  bootstrapRelays: string[];
  /** relays one announcement may add (per announcement, per host name) */
  relayCaps?: RelayCaps;
}

export interface HistoricPart {
  filter: NostrFilter;
  method: 'negentropy' | 'req';
  /** REQ pagination to resume from (a part re-queued after a rate limit or a stall does not start over) */
  cursor?: PageCursor;
  /** failed attempts so far (stalled, refused, truncated): the retry backoff grows with them */
  attempts: number;
  /** not started again before this time */
  notBefore?: number;
}

export interface Batch extends PendingBatch {
  /** overlap: a short catch-up of live filters that had a gap (swapped close-first, or CLOSEd by the remote) */
  purpose: 'layer1' | 'items' | 'catchUp' | 'overlap';
  /** parts not started yet (started when the relay's budget allows) */
  queue: HistoricPart[];
}

export interface RunningSub {
  batchId: number;
  part: HistoricPart;
  /** REQ pagination state (undefined for negentropy) */
  cursor?: PageCursor;
}

export interface RelayRuntime extends RelayConfirmed {
  url: string;
  health: RelayHealth;
  limits: RelayLimits;
  /** NIP-77 known unusable until this time */
  negentropyOffUntil?: number;
  /** live coverage: items in chunks, open live subscriptions by slot */
  layout: LiveLayout;
  historic: Map<string, RunningSub>;
  /** fresh sync finished (all its batches confirmed) */
  firstSyncDone: boolean;
  /** live subs the remote CLOSEd since the connection was made: the re-open backoff grows with them */
  liveClosures: number;
  /** no live subscription is (re)sent before this time */
  liveNotBefore?: number;
  nextDailyAt?: number;
  /** rate-limited at the last tick (a limit that ended lets the diff run again) */
  wasRateLimited?: boolean;
}

export interface SyncState {
  cfg: SyncConfig;
  repos: RepoIndexState;
  relays: Map<string, RelayRuntime>;
  pending: Map<string, Batch[]>;
  nextId: number;
  /** `start` seen: before it, local events only fill the index (restored relay state must not be diffed against a half-loaded index) */
  started: boolean;
  /** bumped by every input that can change what the relays need (everything but `tick`) */
  changes: number;
  /** `changes` at the last full diff; a tick with nothing changed skips the per-item diff */
  diffedAt: number;
  /** bumped when the repo index changes: relay targets are derived again only then */
  indexVersion: number;
  /** relay targets of `indexVersion` */
  targets?: { version: number; value: Map<string, RelayNeeds> };
  /** full diffs done (for tests: a quiet tick does none) */
  diffs: number;
}

export type SyncInput =
  /** register bootstrap relays and begin; call once after `restore` (if any) and the stored index (`localEvents`) */
  | { type: 'start' }
  /** persisted snapshots from the last run */
  | { type: 'restore'; snapshots: RelaySnapshot[] }
  /** one self-subscriber batch (accepted 30617 / 1617 / 1618 / 1619 / 1621) */
  | { type: 'localEvents'; events: NostrEvent[] }
  /** an announcement held in purgatory: sync its state only */
  | { type: 'purgatoryAnnouncement'; event: NostrEvent }
  /** announcement deleted, replaced without our service, or expired from purgatory */
  | { type: 'repoRemoved'; key: RepoKey }
  /** NIP-11 of a remote (fetched by the runner before or after connecting) */
  | { type: 'relayInfo'; relay: string; limits: RelayLimits; negentropy?: boolean }
  | { type: 'connected'; relay: string }
  /** attempt failed; rateLimited when the upgrade answered HTTP 429 */
  | { type: 'connectFailed'; relay: string; rateLimited?: boolean }
  | { type: 'disconnected'; relay: string }
  /** EOSE of a historic sub, with every event delivered on it (whatever our policy decided) */
  | { type: 'historicPage'; relay: string; subId: string; events: PageEvent[] }
  | { type: 'negentropyDone'; relay: string; subId: string }
  /** unsupported: NOTICE / CLOSED / NEG-ERR answering NEG-OPEN, or no NEG-MSG in time */
  | { type: 'negentropyFailed'; relay: string; subId: string; unsupported: boolean }
  | { type: 'closed'; relay: string; subId: string; message: string }
  /** a historic REQ got no EVENT or EOSE within the request deadline: the runner closed it */
  | { type: 'stalled'; relay: string; subId: string }
  | { type: 'notice'; relay: string; message: string }
  /** every --sync-health-interval-ms */
  | { type: 'tick' }
  /** operator's request (graspd resync): forget what this relay confirmed and sync it afresh, now */
  | { type: 'resync'; relay: string }
  | { type: 'shutdown' };

export function initialState(cfg: SyncConfig): SyncState {
  return { cfg, repos: emptyRepoIndex(cfg.relayCaps), relays: new Map(), pending: new Map(), nextId: 1, started: false, changes: 0, diffedAt: -1, indexVersion: 0, diffs: 0 };
}

export function newRelay(url: string, isBootstrap: boolean): RelayRuntime {
  return {
    url, isBootstrap, connection: 'disconnected', l1Confirmed: false, firstSyncDone: false, liveClosures: 0,
    repos: new Set(), stateOnly: new Set(), rootEvents: new Set(),
    health: initialHealth(), limits: {}, layout: emptyLayout(), historic: new Map(),
  };
}

export function snapshotOf(r: RelayRuntime, cursor: number): RelaySnapshot {
  return { url: r.url, cursor, repos: [...r.repos], stateOnly: [...r.stateOnly], rootEvents: [...r.rootEvents], l1Confirmed: r.l1Confirmed };
}

export function liveFilterCount(r: RelayRuntime): number {
  return liveSlotFilterCount(r.layout);
}

export function newSubId(s: SyncState, prefix: 'l' | 'h'): string {
  return `g${prefix}${s.nextId++}`;
}
