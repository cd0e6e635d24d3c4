// The status report (`GET /api/status`, rendered by `/status` and the admin CLI): plain data with
// stable field names. Times are ISO-8601 UTC strings; absent means unknown / never.

/** One remote relay the sync engine talks to (GRASP-02). */
export interface RelayStatus {
  url: string;
  connection: 'connected' | 'connecting' | 'closing' | 'disconnected';
  /** healthy | disconnected | degraded | dead | rateLimited (plan/health.ts) */
  health: string;
  /** consecutive failed attempts */
  failures: number;
  /** no connection attempt before this time (backoff or rate-limit cooldown) */
  nextAttemptAt?: string;
  /** a --sync-bootstrap-relays entry (kept even when no repository names it) */
  bootstrap: boolean;
  /** repositories whose events it has confirmed for us */
  repos: number;
  liveFilters: number;
  /** historic subscriptions running now (one filter each) */
  historicSubscriptions: number;
  /** most filters open on it at once, live and historic together (--sync-consolidation-threshold) */
  filterCapacity: number;
  pendingHistoricBatches: number;
  /** the fresh (full historic) sync since the last connection or resync has finished */
  firstSyncDone: boolean;
  lastEventAt?: string;
  bytesIn: number;
  bytesOut: number;
  /** speaks NIP-77 negentropy; null when not known yet */
  nip77: boolean | null;
  /** the last error or refusal text the remote gave, or why connecting failed (remote-controlled) */
  lastError?: string;
  lastErrorAt?: string;
}

export type EventPlace = 'served' | 'purgatory';

/** Proactive sync of one repository: the remote relays it is synced from and which confirmed it. */
export interface RepoSyncCoverage {
  /** full: every layer; stateOnly: an announcement in purgatory gets its state synced only */
  level: 'full' | 'stateOnly';
  relays: Array<{ url: string; confirmed: boolean }>;
  /** how many of `relays` confirmed it */
  confirmed: number;
}

export interface RepoStatus {
  npub: string;
  /** owner pubkey, hex */
  owner: string;
  d: string;
  name?: string;
  announcement: EventPlace;
  /** the newest authorised state: served, waiting in purgatory, or none published */
  state: EventPlace | 'none';
  /** complete: every oid of the newest state is here; missing: some are not; no-state: nothing to compare; no-repo: no bare repo on disk */
  gitData: 'complete' | 'missing' | 'no-state' | 'no-repo';
  missingOids: string[];
  /** why this repo's events wait in purgatory (one per held event) */
  purgatoryReasons: string[];
  /** pending git fetches of missing data, and the last fetch run (absent when neither) */
  fetch?: {
    pendingJobs: number;
    attempts: number;
    nextAttemptAt?: string;
    urls: string[];
    lastAttemptAt?: string;
    lastAttemptUrl?: string;
    /** ok | partial | missing | not_found | refused | too_large | timeout | failed | aborted */
    lastOutcome?: string;
    /** git's error text of the last run when it did not succeed (remote-controlled) */
    lastError?: string;
  };
  /** proactive sync coverage; absent when sync is off or the repository names no other relay */
  sync?: RepoSyncCoverage;
  /** something of it is not served yet */
  incomplete: boolean;
}

export interface PurgatorySummary {
  total: number;
  byKind: Record<string, number>;
  byReason: Record<string, number>;
  oldestAddedAt?: string;
}

export interface StatusTotals {
  events: number;
  repos: number;
  /** incomplete among the listed repositories (when `reposTruncated`, unlisted ones were not inspected) */
  reposIncomplete: number;
  purgatory: number;
  connections: number;
  /** free and total bytes of the file system holding --data-dir */
  diskFreeBytes?: number;
  diskTotalBytes?: number;
}

export interface StatusReport {
  version: string;
  domain: string;
  generatedAt: string;
  sync: {
    enabled: boolean;
    /** false while the sync engine does not report per-relay status (relays is then empty) */
    reporting: boolean;
  };
  totals: StatusTotals;
  purgatory: PurgatorySummary;
  relays: RelayStatus[];
  repos: RepoStatus[];
  /** more repositories exist than the report lists (incomplete ones are listed first) */
  reposTruncated: boolean;
}
