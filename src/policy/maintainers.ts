// GRASP-01 recursive maintainer set (GRASP.md "Which events are accepted", grasp-requirements §2): start
// from {owner}; for each member with an announcement for the same `d`, add its `maintainers`; repeat to a
// fixpoint. Pure and cycle-safe. Served and purgatory announcements count alike (INTERFACE.md pinned).
import { parseAnnouncement, type RepoAnnouncement } from '../nostr/nip34.js';
import { KIND_REPO_ANNOUNCEMENT } from '../nostr/kinds.js';
import type { NostrEvent } from '../nostr/types.js';

/** NIP-01 addressable precedence: newer created_at wins, the lower id at a tie. */
export function isNewer(a: NostrEvent, b: NostrEvent): boolean {
  return a.created_at > b.created_at || (a.created_at === b.created_at && a.id < b.id);
}

/** Newest announcement per author for identifier `d` (other kinds and identifiers are ignored). */
export function latestAnnouncementsByAuthor(d: string, events: readonly NostrEvent[]): Map<string, RepoAnnouncement> {
  const latest = new Map<string, NostrEvent>();
  for (const e of events) {
    if (e.kind !== KIND_REPO_ANNOUNCEMENT) continue;
    const a = parseAnnouncement(e);
    if (a.d !== d) continue;
    const prev = latest.get(e.pubkey);
    if (!prev || isNewer(e, prev)) latest.set(e.pubkey, e);
  }
  const out = new Map<string, RepoAnnouncement>();
  for (const [pk, e] of latest) out.set(pk, parseAnnouncement(e));
  return out;
}

/** The recursive maintainer set of `owner` for identifier `d`; always contains the owner. */
export function maintainerSet(owner: string, d: string, announcements: readonly NostrEvent[]): Set<string> {
  const byAuthor = latestAnnouncementsByAuthor(d, announcements);
  const set = new Set<string>([owner]);
  const queue = [owner];
  while (queue.length > 0) {
    const pk = queue.pop() as string;
    for (const m of byAuthor.get(pk)?.maintainers ?? []) {
      if (set.has(m)) continue;
      set.add(m);
      queue.push(m);
    }
  }
  return set;
}

/** Owners (announcement authors for `d`) whose recursive maintainer set contains `author`. */
export function authorisingOwners(author: string, d: string, announcements: readonly NostrEvent[]): string[] {
  const owners = [...latestAnnouncementsByAuthor(d, announcements).keys()];
  return owners.filter((o) => maintainerSet(o, d, announcements).has(author));
}
