// A GRASP-shaped corpus for store scale tests and the store bench: NIP-34 repo announcements (30617) and
// states (30618), patches/PRs/issues tagging repos by `a`, comments and statuses tagging roots by `e`/`E`,
// and kind-1 noise. Unsigned (shape only), deterministic for a seed.
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import { hex64 } from './test-events.js';

export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Corpus {
  events: NostrEvent[];
  authors: string[];
  repos: Array<{ pubkey: string; d: string; coord: string }>;
  roots: string[];
}

export function graspCorpus(n: number, seed = 1): Corpus {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const authors = Array.from({ length: Math.max(10, Math.floor(n / 300)) }, (_, i) => hex64(`corpus-author-${seed}-${i}`));
  const repos = Array.from({ length: Math.max(10, Math.floor(n / 100)) }, (_, i) => {
    const pubkey = pick(authors);
    const d = `repo-${i % 97}-${i}`;
    return { pubkey, d, coord: `30617:${pubkey}:${d}` };
  });
  const events: NostrEvent[] = [];
  const roots: string[] = [];
  const base = 1_700_000_000;
  const make = (i: number, pubkey: string, kind: number, tags: string[][]): NostrEvent => ({
    id: hex64(`corpus-${seed}-${i}`), pubkey, kind, tags, content: `event ${i}`, sig: '0'.repeat(128),
    created_at: base + Math.floor(rand() * 3_000_000),
  });
  for (const r of repos) {
    events.push(make(events.length, r.pubkey, 30617, [['d', r.d], ['name', r.d], ['clone', `https://git.example/${r.d}.git`]]));
    events.push(make(events.length, r.pubkey, 30618, [['d', r.d], ['refs/heads/main', hex64(r.d).slice(0, 40)]]));
  }
  while (events.length < n) {
    const i = events.length;
    const r = rand();
    const repo = pick(repos);
    if (r < 0.3 || roots.length === 0) {
      const kind = pick([1617, 1617, 1618, 1621]);
      const e = make(i, pick(authors), kind, [['a', repo.coord], ['p', repo.pubkey], ['t', 'root']]);
      roots.push(e.id);
      events.push(e);
    } else if (r < 0.6) {
      const root = pick(roots);
      events.push(make(i, pick(authors), 1111, [['E', root], ['e', root], ['K', '1621'], ['A', repo.coord]]));
    } else if (r < 0.75) {
      const root = pick(roots);
      events.push(make(i, pick(authors), pick([1630, 1631, 1632, 1633]), [['e', root, '', 'root'], ['a', repo.coord]]));
    } else {
      events.push(make(i, pick(authors), 1, [['p', pick(authors)], ['t', pick(['nostr', 'git', 'grasp'])]]));
    }
  }
  return { events, authors, repos, roots };
}

/** The filters a GRASP relay answers all day, named for reports. */
export function typicalFilters(c: Corpus, seed = 2): Array<{ name: string; filters: NostrFilter[] }> {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const coords = Array.from({ length: 100 }, () => pick(c.repos).coord);
  const repo = pick(c.repos);
  const commented = c.events.filter((e) => e.kind === 1111).map((e) => e.tags[0]![1]!);
  return [
    { name: '#a x100 coordinates', filters: [{ '#a': coords }] },
    { name: '#a x100 + kinds', filters: [{ '#a': coords, kinds: [1617, 1618, 1621] }] },
    { name: '#e x20 roots', filters: [{ '#e': Array.from({ length: 20 }, () => pick(c.roots)) }] },
    { name: '#E one root, kind 1111', filters: [{ '#E': [pick(commented)], kinds: [1111] }] },
    { name: 'kinds 30617 (all announcements, limit 500)', filters: [{ kinds: [30617], limit: 500 }] },
    { name: 'kinds 1617,1621 limit 100', filters: [{ kinds: [1617, 1621], limit: 100 }] },
    { name: 'authors+kinds+#d', filters: [{ authors: [repo.pubkey], kinds: [30617, 30618], '#d': [repo.d] }] },
    { name: 'authors x20 + kinds', filters: [{ authors: Array.from({ length: 20 }, () => pick(c.authors)), kinds: [1617, 1621], limit: 200 }] },
  ];
}
