// GRASP.md "Git data sync": which fetch jobs purgatory entries (and the hourly re-check) call for.
// Pure. A state (30618) wants all its ref oids; a PR / PR update (1618/1619) wants its `c` tip at
// refs/nostr/<id>, trying its own `clone` URLs before the announcements'. A bare new announcement
// (30617) plans nothing: without a state nothing says which oids are authorised, so it waits for a
// state (whose job then fills the repo) or a push (sync-study.md §9.1 item 19 stays a known limit).
import { KIND_PR, KIND_PR_UPDATE, KIND_REPO_STATE } from '../nostr/kinds.js';
import { parseAnnouncement, parsePullRequest, parseState } from '../nostr/nip34.js';
import type { NostrEvent } from '../nostr/types.js';
import type { PurgatoryEntry } from '../purgatory/types.js';
import type { FetchJobInput } from './scheduler.js';

const OID = /^[0-9a-f]{40}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export interface HuntRepo {
  ownerPubkey: string;
  d: string;
}

export interface HuntItem {
  entry: PurgatoryEntry;
  /** the hosted repo the data is fetched into (the caller copies it to the other repos it governs) */
  target: HuntRepo;
  /** announcements (served or in purgatory) whose `clone` URLs are candidates, preferred first */
  announcements: NostrEvent[];
}

export interface HuntOptions {
  /** --gitfetch-delay-ms: events that arrived by sync */
  delayMs: number;
  /** --gitfetch-user-delay-ms: events a client published (a push usually follows) */
  userDelayMs: number;
  purgatoryExpiryMs: number;
  /** true for URLs of this very service (never fetch from ourselves) */
  isOwnUrl?: (url: string) => boolean;
}

/** Candidate URLs: `first`, then every announcement's clone URLs; exact duplicates and our own removed. */
export function candidateUrls(first: readonly string[], announcements: readonly NostrEvent[], isOwnUrl?: (url: string) => boolean): string[] {
  const all = [...first, ...announcements.flatMap((a) => parseAnnouncement(a).clone)];
  return [...new Set(all)].filter((u) => u !== '' && !(isOwnUrl?.(u) ?? false));
}

/** What one event needs: oids and, for PRs, the ref they land at. Undefined when it needs no git data. */
export function wantedBy(event: NostrEvent): { wantOids: string[]; refTarget?: string; ownUrls: string[] } | undefined {
  if (event.kind === KIND_REPO_STATE) {
    const oids = [...new Set([...parseState(event).refs.values()].filter((o) => OID.test(o)))];
    return oids.length > 0 ? { wantOids: oids, ownUrls: [] } : undefined;
  }
  if (event.kind === KIND_PR || event.kind === KIND_PR_UPDATE) {
    const pr = parsePullRequest(event);
    if (!pr.commit || !OID.test(pr.commit) || !HEX64.test(event.id)) return undefined;
    return { wantOids: [pr.commit], refTarget: `refs/nostr/${event.id}`, ownUrls: pr.clone };
  }
  return undefined;
}

/** Jobs for purgatory entries: due after the source-dependent delay, expiring with the entry. */
export function planHunt(items: readonly HuntItem[], opts: HuntOptions): FetchJobInput[] {
  const jobs: FetchJobInput[] = [];
  for (const { entry, target, announcements } of items) {
    const want = wantedBy(entry.event);
    if (!want) continue;
    const urls = candidateUrls(want.ownUrls, announcements, opts.isOwnUrl);
    if (urls.length === 0) continue;
    const delay = entry.source === 'sync' ? opts.delayMs : opts.userDelayMs;
    jobs.push({
      ownerPubkey: target.ownerPubkey,
      d: target.d,
      wantOids: want.wantOids,
      urls,
      dueAt: entry.addedAt + delay,
      expiresAt: entry.addedAt + opts.purgatoryExpiryMs,
      eventIds: [entry.event.id],
      ...(want.refTarget ? { refTarget: want.refTarget } : {}),
    });
  }
  return jobs;
}

export interface RecheckTarget {
  repo: HuntRepo;
  /** the latest authorised state served for the repo */
  state: NostrEvent;
  announcements: NostrEvent[];
  /** the state's oids the repo lacks (the edge computes them) */
  missingOids: string[];
}

/** Periodic re-check: a job for each repo missing part of its latest state, due now, living one interval. */
export function planRecheck(targets: readonly RecheckTarget[], now: number, intervalMs: number, isOwnUrl?: (url: string) => boolean): FetchJobInput[] {
  const jobs: FetchJobInput[] = [];
  for (const t of targets) {
    const missing = [...new Set(t.missingOids.filter((o) => OID.test(o)))];
    if (missing.length === 0) continue;
    const urls = candidateUrls([], t.announcements, isOwnUrl);
    if (urls.length === 0) continue;
    jobs.push({ ownerPubkey: t.repo.ownerPubkey, d: t.repo.d, wantOids: missing, urls, dueAt: now, expiresAt: now + intervalMs, eventIds: [t.state.id] });
  }
  return jobs;
}
