// RepoSyncIndex updates from self-subscribed events (SYNC.md "Self-subscription" step 1, "Data model").
// An announcement *sets* its repo's relays (relays tag ∪ GRASP clone hosts, own URLs excluded); a root
// event joins every repo its `a` tags name; root events of repos not yet indexed wait (bounded) and
// are applied when the repo arrives. Functions mutate the given RepoIndexState and report what changed.
import type { NostrEvent } from '../../nostr/types.js';
import { KIND_REPO_ANNOUNCEMENT, ROOT_KINDS } from '../../nostr/kinds.js';
import type { RepoKey, RepoSyncIndex } from './types.js';
import { isOwnRelay, normalizeRelayUrl, relayFromCloneUrl } from './relay-url.js';

export interface RepoIndexState {
  repos: RepoSyncIndex;
  /** created_at of the announcement behind each entry: an older replacement never wins */
  announcedAt: Map<RepoKey, number>;
  /** root event ids waiting for their repo, per repo key (insertion-ordered for eviction) */
  waiting: Map<RepoKey, Set<string>>;
  /** bounds on the relays one announcement adds (a hostile announcement must not fan out) */
  caps?: RelayCaps;
}

export interface RelayCaps {
  perAnnouncement: number;
  /** relay URLs of one host name (any port or path) per announcement */
  perHost: number;
}

export const MAX_WAITING_ROOT_EVENTS = 100_000;

export function emptyRepoIndex(caps?: RelayCaps): RepoIndexState {
  return { repos: new Map(), announcedAt: new Map(), waiting: new Map(), ...(caps !== undefined ? { caps } : {}) };
}

const KEY_RE = /^30617:[0-9a-f]{64}:.+$/s;

export function parseRepoKey(s: string): RepoKey | undefined {
  return KEY_RE.test(s) ? (s as RepoKey) : undefined;
}

export function repoKeyOf(e: NostrEvent): RepoKey | undefined {
  if (e.kind !== KIND_REPO_ANNOUNCEMENT) return undefined;
  const d = e.tags.find((t) => t[0] === 'd')?.[1];
  if (d === undefined || d === '') return undefined;
  return parseRepoKey(`30617:${e.pubkey}:${d}`);
}

/** relays tag values ∪ relays of GRASP-form clone URLs, normalised, own URLs excluded, first ones within `caps`. */
export function announcementRelays(e: NostrEvent, ownUrls: readonly string[], caps?: RelayCaps): Set<string> {
  const out = new Set<string>();
  const perHost = new Map<string, number>();
  const add = (u: string | undefined): void => {
    if (u === undefined || out.has(u) || isOwnRelay(u, ownUrls)) return;
    if (caps !== undefined) {
      const host = new URL(u).hostname;
      const n = perHost.get(host) ?? 0;
      if (out.size >= caps.perAnnouncement || n >= caps.perHost) return;
      perHost.set(host, n + 1);
    }
    out.add(u);
  };
  for (const t of e.tags) {
    if (t[0] === 'relays') for (const v of t.slice(1)) add(normalizeRelayUrl(v));
    if (t[0] === 'clone') for (const v of t.slice(1)) add(relayFromCloneUrl(v));
  }
  return out;
}

/** Every distinct repo key named by the event's `a` tags. */
export function repoKeysOfRootEvent(e: NostrEvent): RepoKey[] {
  const out = new Set<RepoKey>();
  for (const t of e.tags) {
    if (t[0] !== 'a' || t[1] === undefined) continue;
    const k = parseRepoKey(t[1]);
    if (k !== undefined) out.add(k);
  }
  return [...out];
}

/** Applies one batch of self-subscribed events; returns the repo keys whose entry changed. */
export function applyLocalEvents(s: RepoIndexState, events: readonly NostrEvent[], ownUrls: readonly string[]): Set<RepoKey> {
  const changed = new Set<RepoKey>();
  // announcements first, so root events in the same batch find their repo
  for (const e of events) if (e.kind === KIND_REPO_ANNOUNCEMENT) applyAnnouncement(s, e, ownUrls, 'full', changed);
  for (const e of events) if (ROOT_KINDS.includes(e.kind)) applyRootEvent(s, e, changed);
  evictWaiting(s, MAX_WAITING_ROOT_EVENTS);
  return changed;
}

/** A promoted (served) announcement is 'full'; one still in purgatory is 'stateOnly' and never downgrades. */
export function applyAnnouncement(
  s: RepoIndexState,
  e: NostrEvent,
  ownUrls: readonly string[],
  level: 'full' | 'stateOnly',
  changed: Set<RepoKey> = new Set(),
): Set<RepoKey> {
  const key = repoKeyOf(e);
  if (key === undefined) return changed;
  const prev = s.repos.get(key);
  const prevAt = s.announcedAt.get(key);
  if (prev !== undefined && prevAt !== undefined && e.created_at < prevAt) {
    if (level === 'full' && prev.level === 'stateOnly') {
      prev.level = 'full';
      changed.add(key);
    }
    return changed;
  }
  const relays = announcementRelays(e, ownUrls, s.caps);
  const newLevel = prev?.level === 'full' ? 'full' : level;
  s.repos.set(key, { relays, rootEvents: prev?.rootEvents ?? new Set(), level: newLevel });
  s.announcedAt.set(key, e.created_at);
  const waiting = s.waiting.get(key);
  const entry = s.repos.get(key)!;
  if (waiting !== undefined) {
    for (const id of waiting) entry.rootEvents.add(id);
    s.waiting.delete(key);
  }
  if (prev === undefined || waiting !== undefined || prev.level !== newLevel || !sameSet(prev.relays, relays)) changed.add(key);
  return changed;
}

export function applyRootEvent(s: RepoIndexState, e: NostrEvent, changed: Set<RepoKey> = new Set()): Set<RepoKey> {
  for (const key of repoKeysOfRootEvent(e)) {
    const entry = s.repos.get(key);
    if (entry !== undefined) {
      if (!entry.rootEvents.has(e.id)) changed.add(key);
      entry.rootEvents.add(e.id);
      continue;
    }
    let w = s.waiting.get(key);
    if (w === undefined) s.waiting.set(key, (w = new Set()));
    w.add(e.id);
  }
  return changed;
}

/** Repo gone: announcement deleted, replaced without our service, or expired from purgatory. */
export function removeRepo(s: RepoIndexState, key: RepoKey): boolean {
  s.announcedAt.delete(key);
  s.waiting.delete(key);
  return s.repos.delete(key);
}

/** Drops the oldest waiting repo keys beyond `max` waiting ids in total. */
export function evictWaiting(s: RepoIndexState, max: number): void {
  let total = 0;
  for (const w of s.waiting.values()) total += w.size;
  // oldest repo keys first: a root event whose repo never arrives must not grow memory forever
  for (const [k, w] of s.waiting) {
    if (total <= max) break;
    total -= w.size;
    s.waiting.delete(k);
  }
}

function sameSet<T>(a: Set<T>, b: Set<T>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
