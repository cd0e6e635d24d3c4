// Gathers the status report from the running parts (store, purgatory, git repos on disk, git fetcher,
// sync engine when it reports). Bounded: at most `maxRepos` repositories are inspected (one git process
// each), and the whole report is computed at most once per `cacheMs` whatever the request rate.
import { statfsSync } from 'node:fs';
import { nip19 } from 'nostr-tools';
import { hasObjects } from '../git/git-cli.js';
import { KIND_REPO_ANNOUNCEMENT } from '../nostr/kinds.js';
import { identifierOf, listsService, parseAnnouncement, parseState } from '../nostr/nip34.js';
import type { NostrEvent } from '../nostr/types.js';
import { maintainerSet } from '../policy/maintainers.js';
import type { PurgatoryEntry } from '../purgatory/types.js';
import type { EventStore } from '../store/types.js';
import { belongsTo, orderRepos, repoStatus, summarisePurgatory, type HeldEvent } from './repos.js';
import type { RelayStatus, RepoStatus, RepoSyncCoverage, StatusReport } from './types.js';
import type { LastFetchRun } from '../gitfetch/gitfetch.js';

/** A pending git fetch, as the fetcher reports it. */
export interface FetchJobView {
  ownerPubkey: string;
  d: string;
  attempts: number;
  dueAt: number;
  urls: string[];
}

export interface StatusDeps {
  version: string;
  domain: string;
  dataDir: string;
  syncEnabled: boolean;
  store: Pick<EventStore, 'query' | 'count'>;
  purgatory: { list(now: number, opts?: { kinds?: number[] }): PurgatoryEntry[] };
  authorisedStates(owner: string, d: string): Promise<NostrEvent[]>;
  repoExists(owner: string, d: string): Promise<boolean>;
  repoDir(owner: string, d: string): string;
  connections(): number;
  fetchJobs?(): FetchJobView[];
  /** the last git fetch run of a repository */
  lastFetch?(owner: string, d: string): LastFetchRun | undefined;
  /** per-relay sync status; undefined while the sync engine does not report it */
  relays?(): RelayStatus[];
  /** proactive sync coverage of one repository */
  repoSync?(owner: string, d: string): RepoSyncCoverage | undefined;
  now(): number;
  maxRepos: number;
}

const ALL = 1_000_000;

export async function collectStatus(deps: StatusDeps): Promise<StatusReport> {
  const now = deps.now();
  const held: HeldEvent[] = deps.purgatory.list(now).map((e) => ({ event: e.event, addedAt: e.addedAt, reason: e.reason }));
  const served = await deps.store.query([{ kinds: [KIND_REPO_ANNOUNCEMENT] }], { maxLimit: ALL });
  const announcements = [...served.map((event) => ({ event, place: 'served' as const })), ...held.filter((h) => h.event.kind === KIND_REPO_ANNOUNCEMENT).map((h) => ({ event: h.event, place: 'purgatory' as const }))];
  const byD = new Map<string, NostrEvent[]>();
  for (const a of announcements) byD.set(identifierOf(a.event), [...(byD.get(identifierOf(a.event)) ?? []), a.event]);
  const jobs = deps.fetchJobs?.() ?? [];

  const candidates: Array<(typeof announcements)[number]> = [];
  const seen = new Set<string>();
  for (const a of announcements) {
    const key = `${a.event.pubkey}\0${identifierOf(a.event)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    candidates.push(a);
  }
  // announcements in purgatory first: they are incomplete, and listed before the limit is reached
  candidates.sort((x, y) => Number(y.place === 'purgatory') - Number(x.place === 'purgatory'));
  const repos: RepoStatus[] = [];
  /** repositories beyond maxRepos: counted, not inspected (no git process, no state lookup) */
  let unlisted = 0;
  for (const a of candidates) {
    const ann = parseAnnouncement(a.event);
    const exists = await deps.repoExists(ann.pubkey, ann.d);
    if (!exists && !listsService(ann, deps.domain)) continue; // an announcement stored for its maintainer list only
    if (repos.length >= deps.maxRepos) {
      unlisted++;
      continue;
    }
    const sameD = byD.get(ann.d) ?? [];
    const maintainers = maintainerSet(ann.pubkey, ann.d, sameD);
    const newest = (await deps.authorisedStates(ann.pubkey, ann.d))[0];
    const oids = newest ? [...parseState(newest).refs.values()] : [];
    const present = exists && oids.length > 0 ? await hasObjects(deps.repoDir(ann.pubkey, ann.d), oids).catch(() => new Set<string>()) : new Set<string>();
    const repoJobs = jobs.filter((j) => j.ownerPubkey === ann.pubkey && j.d === ann.d);
    repos.push(
      repoStatus({
        npub: nip19.npubEncode(ann.pubkey),
        owner: ann.pubkey,
        d: ann.d,
        ...(ann.name ? { name: ann.name } : {}),
        announcement: a.place,
        ...(newest ? { state: { event: newest, place: held.some((h) => h.event.id === newest.id) ? ('purgatory' as const) : ('served' as const) } } : {}),
        repoExists: exists,
        missingOids: exists ? [...new Set(oids)].filter((o) => !present.has(o)) : [...new Set(oids)],
        held: held.filter((h) => belongsTo(h.event, ann.pubkey, ann.d, maintainers)),
        ...fetchView(repoJobs, deps.lastFetch?.(ann.pubkey, ann.d)),
        ...syncView(deps.repoSync?.(ann.pubkey, ann.d)),
      }),
    );
  }
  const listed = orderRepos(repos);
  let disk: { diskFreeBytes?: number; diskTotalBytes?: number } = {};
  try {
    const s = statfsSync(deps.dataDir);
    disk = { diskFreeBytes: s.bavail * s.bsize, diskTotalBytes: s.blocks * s.bsize };
  } catch {
    /* unknown */
  }
  const relays = deps.relays?.();
  return {
    version: deps.version,
    domain: deps.domain,
    generatedAt: new Date(now).toISOString(),
    sync: { enabled: deps.syncEnabled, reporting: relays !== undefined },
    totals: {
      events: await deps.store.count([{}]),
      repos: listed.length + unlisted,
      reposIncomplete: listed.filter((r) => r.incomplete).length,
      purgatory: held.length,
      connections: deps.connections(),
      ...disk,
    },
    purgatory: summarisePurgatory(held),
    relays: relays ?? [],
    repos: listed,
    reposTruncated: unlisted > 0,
  };
}

function syncView(c: RepoSyncCoverage | undefined): { sync?: RepoSyncCoverage } {
  return c === undefined ? {} : { sync: c };
}

function fetchView(jobs: readonly FetchJobView[], last: LastFetchRun | undefined): { fetch?: NonNullable<RepoStatus['fetch']> } {
  if (jobs.length === 0 && last === undefined) return {};
  const next = jobs.length ? Math.min(...jobs.map((j) => j.dueAt)) : undefined;
  const failed = last !== undefined && last.outcome !== 'ok';
  return {
    fetch: {
      pendingJobs: jobs.length,
      attempts: jobs.reduce((n, j) => n + j.attempts, 0),
      ...(next !== undefined ? { nextAttemptAt: new Date(next).toISOString() } : {}),
      urls: [...new Set(jobs.flatMap((j) => j.urls))],
      ...(last !== undefined ? { lastAttemptAt: new Date(last.at).toISOString(), lastAttemptUrl: last.url, lastOutcome: last.outcome } : {}),
      ...(failed ? { lastError: last.detail } : {}),
    },
  };
}

/** At most one computation per `ttlMs`; concurrent callers share it. */
export function cachedReport(ttlMs: number, now: () => number, make: () => Promise<StatusReport>): () => Promise<StatusReport> {
  let at = -Infinity;
  let value: Promise<StatusReport> | undefined;
  return () => {
    if (value && now() - at < ttlMs) return value;
    at = now();
    const p = make();
    value = p;
    p.catch(() => {
      if (value === p) value = undefined;
    });
    return p;
  };
}
