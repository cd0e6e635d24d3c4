// Plain-value fixtures for policy tests: a PolicyWorld over arrays (served events, purgatory events, and
// the commits each (owner, d) repo holds) and an event builder with fake ids. No I/O, no signatures:
// the policy never looks at signatures. Not used by production code.
import { randomBytes } from 'node:crypto';
import { matchFilter } from '../nostr/filter.js';
import { cloneUrlFor, relayUrlFor } from '../nostr/nip34.js';
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import type { PolicyWorld } from './types.js';

export const DOMAIN = 'grasp.test:8080';

export function hex32(): string {
  return randomBytes(32).toString('hex');
}

let clock = 1_700_000_000;

export function ev(partial: Partial<NostrEvent> & { kind: number }): NostrEvent {
  return { id: hex32(), pubkey: hex32(), created_at: clock++, tags: [], content: '', sig: '0'.repeat(128), ...partial };
}

export interface FakeWorld extends PolicyWorld {
  served: NostrEvent[];
  held: NostrEvent[];
  /** `${owner}:${d}` → oids present in that repo */
  commits: Map<string, Set<string>>;
  addCommits(owner: string, d: string, oids: string[]): void;
}

export function fakeWorld(init: { served?: NostrEvent[]; held?: NostrEvent[] } = {}): FakeWorld {
  const w: FakeWorld = {
    domain: DOMAIN,
    served: [...(init.served ?? [])],
    held: [...(init.held ?? [])],
    commits: new Map(),
    async query(filters: NostrFilter[]) {
      const out = new Map<string, NostrEvent>();
      const newest = [...w.served].sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? -1 : 1));
      for (const f of filters) {
        const hits = newest.filter((e) => matchFilter(f, e));
        for (const e of hits.slice(0, f.limit ?? hits.length)) out.set(e.id, e);
      }
      return [...out.values()];
    },
    purgatoryLookup: (q) => {
      const ids = new Set(q.ids ?? []);
      const addresses = new Set(q.addresses ?? []);
      const referencing = new Set(q.referencing ?? []);
      return w.held.filter((e) => {
        const d = e.tags.find((t) => t[0] === 'd')?.[1] ?? '';
        const address = `${e.kind}:${e.pubkey}:${e.kind >= 30000 && e.kind < 40000 ? d : ''}`;
        const refs = e.tags.filter((t) => ['e', 'E', 'q', 'a', 'A'].includes(t[0]!)).map((t) => t[1]);
        return ids.has(e.id) || addresses.has(address) || refs.some((r) => r !== undefined && referencing.has(r)) ||
          (q.identifier !== undefined && q.identifier.d === d && q.identifier.kinds.includes(e.kind));
      });
    },
    async hasCommits(owner, d, oids) {
      const have = w.commits.get(`${owner}:${d}`);
      if (!have) return false;
      return oids.every((o) => have.has(o));
    },
    now: () => 1_700_000_000_000,
    addCommits(owner, d, oids) {
      const key = `${owner}:${d}`;
      const set = w.commits.get(key) ?? new Set<string>();
      for (const o of oids) set.add(o);
      w.commits.set(key, set);
    },
  };
  return w;
}

/** An announcement by `pubkey` for `d`, listing this service unless `listing` is false. */
export function announcementEv(pubkey: string, d: string, opts: { listing?: boolean; maintainers?: string[]; created_at?: number } = {}): NostrEvent {
  const listing = opts.listing ?? true;
  const tags = [
    ['d', d],
    ['clone', listing ? cloneUrlFor(DOMAIN, false, pubkey, d) : `https://github.com/x/${d}.git`],
    ['relays', listing ? relayUrlFor(DOMAIN, false) : 'wss://relay.example'],
  ];
  if (opts.maintainers) tags.push(['maintainers', ...opts.maintainers]);
  return ev({ kind: 30617, pubkey, tags, ...(opts.created_at === undefined ? {} : { created_at: opts.created_at }) });
}
