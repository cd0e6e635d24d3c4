// Random overlapping events and NIP-01 filters for the differential store tests (strfry's filterFuzzTest
// idea): every store must answer them exactly like the naive MemoryStore. Deterministic (seeded).
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import { hex64 } from './test-events.js';

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const NOW = 1_000_100;
export const rand = rng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const some = <T>(xs: readonly T[], max: number): T[] => [...new Set(Array.from({ length: 1 + Math.floor(rand() * max) }, () => pick(xs)))];

const AUTHORS = Array.from({ length: 8 }, (_, i) => hex64(`author-${i}`));
const KINDS = [0, 1, 3, 7, 1111, 1617, 1621, 10002, 30617, 30618];
const ROOTS = Array.from({ length: 30 }, (_, i) => hex64(`root-${i}`));
const COORDS = AUTHORS.flatMap((a) => ['r1', 'r2'].map((d) => `30617:${a}:${d}`));
const DS = ['r1', 'r2', 'r3', ''];
const TS = Array.from({ length: 40 }, (_, i) => 1_000_000 + i);

export function randomEvent(i: number, stored: NostrEvent[]): NostrEvent {
  const pubkey = pick(AUTHORS);
  const tags: string[][] = [];
  const nTags = Math.floor(rand() * 5);
  for (let t = 0; t < nTags; t++) {
    const r = rand();
    if (r < 0.25) tags.push(['e', pick(ROOTS)]);
    else if (r < 0.45) tags.push(['p', pick(AUTHORS), 'wss://relay']);
    else if (r < 0.65) tags.push(['a', pick(COORDS)]);
    else if (r < 0.8) tags.push(['d', pick(DS)]);
    else if (r < 0.9) tags.push(['t', pick(['x', 'y', 'z'])]);
    else tags.push(['expiration', String(NOW + (rand() < 0.3 ? -50 : 50) + Math.floor(rand() * 20) - 10)]);
  }
  let kind = pick(KINDS);
  if (rand() < 0.04 && stored.length > 0) {
    kind = 5;
    const mine = stored.filter((e) => e.pubkey === pubkey);
    for (const target of [pick(stored), ...(mine.length ? [pick(mine)] : [])]) tags.push(['e', target.id]);
    if (rand() < 0.5) tags.push(['a', `30617:${pubkey}:${pick(DS)}`]);
  }
  return { id: hex64(`diff-${i}`), pubkey, created_at: pick(TS), kind, tags, content: `c${i}`, sig: '0'.repeat(128) };
}

export function randomFilter(stored: NostrEvent[]): NostrFilter {
  const f: NostrFilter = {};
  if (rand() < 0.08) f.ids = [...some(stored, 6).map((e) => e.id), hex64(`missing-${rand()}`)];
  if (rand() < 0.4) f.authors = some(AUTHORS, 3);
  if (rand() < 0.5) f.kinds = some(KINDS, 3);
  if (rand() < 0.2) f['#e'] = some(ROOTS, 5);
  if (rand() < 0.15) f['#p'] = some(AUTHORS, 2);
  if (rand() < 0.2) f['#a'] = some(COORDS, 6);
  if (rand() < 0.15) f['#d'] = some(DS, 2);
  if (rand() < 0.08) f['#t'] = some(['x', 'y', 'z', 'w'], 2);
  if (rand() < 0.03) f['#expiration'] = [String(NOW + 50)];
  if (rand() < 0.25) f.since = pick(TS);
  if (rand() < 0.25) f.until = pick(TS);
  if (rand() < 0.6) f.limit = Math.floor(rand() * 60);
  return f;
}
