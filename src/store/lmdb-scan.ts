// Walks index ranges newest-first (NIP-01 order) for the LMDB store. Every index key ends in
// [-created_at, id], so a forward walk yields created_at desc, then id asc. Several ranges (one per filter
// value) are merged with a heap, read in growing chunks (no long-lived cursors), and the walk stops as soon
// as `limit` candidates were accepted.
import type { Database } from 'lmdb';
import type { KeyPart } from './lmdb-plan.js';

export interface Candidate {
  created_at: number;
  id: string;
}

/** A walked index entry: its key, and its value (tag index: kind + pubkey, see lmdb-indexes.ts). */
export interface Entry {
  key: KeyPart[];
  value: Buffer;
}

export type IndexDb = Database<Buffer, KeyPart[]>;

/** Far beyond any real timestamp, still exact in a float64. */
const BIG = 2 ** 52;
const MAX_CHUNK = 4096;
/** first read per range; larger measured slower for 100-value #a filters */
const CHUNK_MIN = 8;

class Source {
  private buf: Entry[] = [];
  private pos = 0;
  private done = false;
  private last: KeyPart[] | undefined;
  constructor(
    private readonly db: IndexDb,
    private start: KeyPart[],
    private readonly end: KeyPart[],
    private chunk: number,
  ) {
    this.fill();
  }

  head(): Entry | undefined {
    if (this.pos >= this.buf.length && !this.done) this.fill();
    return this.buf[this.pos];
  }

  advance(): void {
    this.pos++;
  }

  private fill(): void {
    const rows: Entry[] = [];
    for (const { key, value } of this.db.getRange({ start: this.start, end: this.end, limit: this.chunk + 1 })) {
      rows.push({ key, value: Buffer.from(value) }); // lmdb may reuse the value buffer
    }
    const skipFirst = this.last !== undefined && rows.length > 0 && sameKey(rows[0]!.key, this.last);
    this.buf = skipFirst ? rows.slice(1) : rows;
    this.pos = 0;
    if (rows.length < this.chunk + 1) this.done = true;
    const tail = rows[rows.length - 1];
    if (tail) this.start = this.last = tail.key;
    this.chunk = Math.min(this.chunk * 2, MAX_CHUNK);
  }
}

function sameKey(a: KeyPart[], b: KeyPart[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** (inv, id) ascending — the last two parts of every index key. */
function entryLess(x: Entry, y: Entry): boolean {
  const a = x.key;
  const b = y.key;
  const ia = a[a.length - 2] as number;
  const ib = b[b.length - 2] as number;
  if (ia !== ib) return ia < ib;
  return (a[a.length - 1] as string) < (b[b.length - 1] as string);
}

export interface WalkOptions {
  since?: number;
  until?: number;
  limit: number;
  /** false skips the candidate (does not count towards limit) */
  accept: (c: Candidate, value: Buffer) => boolean;
  signal?: AbortSignal;
}

export function walkIndex(db: IndexDb, prefixes: KeyPart[][], o: WalkOptions): Candidate[] {
  const out: Candidate[] = [];
  if (o.limit <= 0) return out;
  const since = o.since ?? -BIG;
  const until = o.until ?? BIG;
  const chunk = Math.min(Math.max(CHUNK_MIN, Math.ceil(o.limit / prefixes.length) + 1), 1000);
  const heap: Source[] = [];
  for (const p of prefixes) {
    const s = new Source(db, [...p, -Math.min(until, BIG)], [...p, -Math.max(since, -BIG) + 1], chunk);
    if (s.head()) heapPush(heap, s);
  }
  const seen = new Set<string>();
  let steps = 0;
  while (heap.length > 0 && out.length < o.limit) {
    if ((++steps & 1023) === 0) o.signal?.throwIfAborted();
    const s = heap[0]!;
    const { key, value } = s.head()!;
    s.advance();
    if (s.head()) heapFix(heap);
    else heapPopTop(heap);
    const created_at = -(key[key.length - 2] as number);
    const id = key[key.length - 1] as string;
    if (created_at < since || created_at > until || seen.has(id)) continue;
    seen.add(id);
    if (o.accept({ created_at, id }, value)) out.push({ created_at, id });
  }
  return out;
}

function heapPush(h: Source[], s: Source): void {
  h.push(s);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!entryLess(h[i]!.head()!, h[p]!.head()!)) break;
    [h[i], h[p]] = [h[p]!, h[i]!];
    i = p;
  }
}

function heapPopTop(h: Source[]): void {
  const last = h.pop()!;
  if (h.length === 0) return;
  h[0] = last;
  heapFix(h);
}

/** Sifts the root down after its head changed. */
function heapFix(h: Source[]): void {
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < h.length && entryLess(h[l]!.head()!, h[m]!.head()!)) m = l;
    if (r < h.length && entryLess(h[r]!.head()!, h[m]!.head()!)) m = r;
    if (m === i) return;
    [h[i], h[m]] = [h[m]!, h[i]!];
    i = m;
  }
}
