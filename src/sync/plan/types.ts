// Plain-data model of proactive sync (SYNC.md "Data model"). Everything here is owned by one runner;
// plan/ functions read and return these values and never touch sockets, timers or the clock.
// Items carry a level: a repo confirmed as 'stateOnly' does not cover the same repo at 'full', so an
// upgrade (purgatory → promoted) goes through the diff instead of being lost (sync-study §1.4).
import type { NostrFilter } from '../../nostr/types.js';

/** `30617:<pubkey-hex>:<d>` */
export type RepoKey = `30617:${string}:${string}`;
export type SyncLevel = 'full' | 'stateOnly';

export interface RepoSyncEntry {
  relays: Set<string>;
  rootEvents: Set<string>;
  level: SyncLevel;
}
export type RepoSyncIndex = Map<RepoKey, RepoSyncEntry>;

/** What one remote relay should sync. `stateOnly` ⊆ `repos` marks repos that get only the 30618 filter. */
export interface RelayNeeds {
  repos: Set<RepoKey>;
  stateOnly: Set<RepoKey>;
  rootEvents: Set<string>;
}

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'closing';

/** NIP-11 `limitation` fields we use; undefined = not published. */
export interface RelayLimits {
  maxSubscriptions?: number;
  maxFilters?: number;
  maxLimit?: number;
  defaultLimit?: number;
}

/** Confirmed state of one remote relay (RelaySyncIndex value). */
export interface RelayConfirmed extends RelayNeeds {
  isBootstrap: boolean;
  connection: ConnectionState;
  lastConnectedAt?: number;
  disconnectedAt?: number;
  /** time up to which this relay is known fully synced (persisted) */
  cursor?: number;
  /** the Layer-1 historic batch has completed since the last fresh sync */
  l1Confirmed: boolean;
}

export type HistoricMethod = 'negentropy' | 'req';

export interface PendingBatch {
  id: number;
  relay: string;
  /** empty items = the Layer-1 (announcements) batch */
  items: RelayNeeds;
  method: HistoricMethod;
  /** sub ids still running (REQ pages or negentropy sessions) */
  outstanding: Set<string>;
  failed: boolean;
}

export type SyncCommand =
  /** open the one WebSocket to this relay (with the connect timeout); answer `connected` / `connectFailed` */
  | { type: 'connect'; relay: string }
  /** close the socket on purpose; answer `disconnected` */
  | { type: 'disconnect'; relay: string }
  /** REQ kept open (filters carry `limit: 0` or a short `since` overlap) */
  | { type: 'openLive'; relay: string; subId: string; filters: NostrFilter[] }
  /** REQ closed by the runner after EOSE; answer `historicPage` with every event delivered */
  | { type: 'openHistoric'; relay: string; subId: string; batchId: number; filters: NostrFilter[] }
  /** NIP-77 reconcile of one filter, then fetch missing ids; answer `negentropyDone` / `negentropyFailed` */
  | { type: 'negentropy'; relay: string; subId: string; batchId: number; filter: NostrFilter }
  | { type: 'closeSub'; relay: string; subId: string }
  /**
   * a historic part finished: once this relay's admissions so far settled, hand the self-subscriber's
   * queued events to the plan now — catching up, the next layer need not wait for the batch window
   */
  | { type: 'handOver'; relay: string }
  /** persist this relay's cursor and confirmed items (restart within the quick window resumes) */
  | { type: 'persist'; relay: string; snapshot: RelaySnapshot }
  /** nothing lists this relay any more: drop its persisted state and its metric series */
  | { type: 'forget'; relay: string };

export interface RelaySnapshot {
  url: string;
  cursor: number;
  repos: RepoKey[];
  stateOnly: RepoKey[];
  rootEvents: string[];
  l1Confirmed: boolean;
}

export function emptyNeeds(): RelayNeeds {
  return { repos: new Set(), stateOnly: new Set(), rootEvents: new Set() };
}

export function isEmptyNeeds(n: RelayNeeds): boolean {
  return n.repos.size === 0 && n.rootEvents.size === 0;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
