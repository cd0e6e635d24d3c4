// The status report (`GET /api/status`, rendered by `/status` and the admin CLI): plain data with
// stable field names. Times are ISO-8601 UTC strings; absent means unknown / never.

/** One remote relay the sync engine talks to (GRASP-02). */
export interface RelayStatus {
  url: string;
  connection: 'connected' | 'connecting' | 'disconnected';
  /** e.g. healthy, failing, dead, rate-limited (the sync engine's words) */
  health: string;
  /** consecutive failed attempts */
  failures: number;
  nextAttemptAt?: string;
  liveFilters: number;
  /** most filters we keep open on it at once */
  filterCapacity: number;
  pendingHistoricBatches: number;
  lastEventAt?: string;
  bytesIn: number;
  bytesOut: number;
  /** speaks NIP-77 negentropy; null when not known yet */
  nip77: boolean | null;
  /** the last error or refusal text the remote gave (remote-controlled) */
  lastError?: string;
}

export type EventPlace = 'served' | 'purgatory';

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
  /** pending git fetches of missing data */
  fetch?: { pendingJobs: number; attempts: number; nextAttemptAt?: string; urls: string[]; lastError?: string };
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
