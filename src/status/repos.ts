// Per-repository status from plain facts (pure): where the announcement and newest state are, which oids
// of that state are missing, what waits in purgatory and what the git fetcher still tries.
import type { NostrEvent } from '../nostr/types.js';
import type { EventPlace, PurgatorySummary, RepoStatus } from './types.js';

export interface HeldEvent {
  event: NostrEvent;
  addedAt: number;
  reason: string;
}

export interface RepoFacts {
  npub: string;
  owner: string;
  d: string;
  name?: string;
  announcement: EventPlace;
  /** newest authorised state and where it is */
  state?: { event: NostrEvent; place: EventPlace };
  repoExists: boolean;
  /** oids named by the state that the repo lacks */
  missingOids: string[];
  /** purgatory entries that belong to this repo */
  held: HeldEvent[];
  fetch?: RepoStatus['fetch'];
  sync?: RepoStatus['sync'];
}

export function repoStatus(f: RepoFacts): RepoStatus {
  const gitData: RepoStatus['gitData'] = !f.repoExists ? 'no-repo' : !f.state ? 'no-state' : f.missingOids.length > 0 ? 'missing' : 'complete';
  const incomplete = f.announcement === 'purgatory' || f.state?.place === 'purgatory' || gitData === 'missing' || gitData === 'no-repo' || f.held.length > 0;
  return {
    npub: f.npub,
    owner: f.owner,
    d: f.d,
    ...(f.name !== undefined ? { name: f.name } : {}),
    announcement: f.announcement,
    state: f.state?.place ?? 'none',
    gitData,
    missingOids: f.missingOids,
    purgatoryReasons: f.held.map((h) => `${kindName(h.event.kind)}: ${h.reason}`),
    ...(f.fetch ? { fetch: f.fetch } : {}),
    ...(f.sync ? { sync: f.sync } : {}),
    incomplete,
  };
}

/** Incomplete repos first, then by identifier. */
export function orderRepos(repos: RepoStatus[]): RepoStatus[] {
  return [...repos].sort((a, b) => Number(b.incomplete) - Number(a.incomplete) || (a.d < b.d ? -1 : a.d > b.d ? 1 : a.npub < b.npub ? -1 : 1));
}

/** Does a held event belong to repo (owner, d)? Its own announcement/state, or it tags the repo's coordinate. */
export function belongsTo(e: NostrEvent, owner: string, d: string, maintainers: ReadonlySet<string>): boolean {
  const dTag = e.tags.find((t) => t[0] === 'd')?.[1];
  if ((e.kind === 30617 && e.pubkey === owner) || (e.kind === 30618 && maintainers.has(e.pubkey))) return dTag === d;
  const coord = `30617:${owner}:${d}`;
  return e.tags.some((t) => (t[0] === 'a' || t[0] === 'A') && t[1] === coord);
}

export function summarisePurgatory(held: readonly HeldEvent[]): PurgatorySummary {
  const byKind: Record<string, number> = {};
  const byReason: Record<string, number> = {};
  let oldest: number | undefined;
  for (const h of held) {
    byKind[String(h.event.kind)] = (byKind[String(h.event.kind)] ?? 0) + 1;
    // reasons name commits; group by their shape, not by every oid
    const reason = h.reason.replace(/\b[0-9a-f]{7,64}\b/g, '…');
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    oldest = oldest === undefined ? h.addedAt : Math.min(oldest, h.addedAt);
  }
  return { total: held.length, byKind, byReason, ...(oldest !== undefined ? { oldestAddedAt: new Date(oldest).toISOString() } : {}) };
}

export function kindName(kind: number): string {
  switch (kind) {
    case 30617: return 'announcement';
    case 30618: return 'state';
    case 1618: return 'PR';
    case 1619: return 'PR update';
    case 1617: return 'patch';
    case 1621: return 'issue';
    default: return `kind ${kind}`;
  }
}
