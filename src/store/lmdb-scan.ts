// Walks index ranges newest-first (NIP-01 order) for the LMDB store. Every index key holds
// inv(created_at) ‖ serial after its prefix (lmdb-indexes.ts), so a forward walk yields created_at desc, then
// serial. Several ranges (one per filter value) are merged with a heap, read as keys only in growing chunks
// (no long-lived cursors). The walk stops once `limit` candidates were accepted and the rest of that second
// was read too: ties are ordered by id, not serial, so the caller sorts and cuts (created_at desc, id asc).
import type { Database } from 'lmdb';
import { keySerial, keyTime, MAX_TIME, rangeEnd, rangeStart } from './lmdb-indexes.js';

/** A walked index entry; `id` and `raw` start empty and are filled by the caller (lmdb-store.ts). */
export interface Candidate {
  created_at: number;
  serial: number;
  id: string;
  raw: string | undefined;
}

export type IndexDb = Database<Buffer, Buffer>;

const MAX_CHUNK = 4096;
/** first read per range; larger measured slower for 100-value #a filters */
const CHUNK_MIN = 8;

/** What an index key says about a candidate beyond the range (tag keys: lmdb-indexes.ts). */
export type EntryVerdict = 'yes' | 'no' | 'maybe';
export type EntryCheck = (key: Uint8Array) => EntryVerdict;

interface Entry extends Candidate {
  /** the entry check could not decide: the caller must look at the event */
  maybe: boolean;
}

class Source {
  private buf: Entry[] = [];
  private pos = 0;
  private done = false;
  private first = true;
  constructor(
    private readonly db: IndexDb,
    private start: Uint8Array,
    private readonly end: Uint8Array,
    private chunk: number,
    private readonly o: WalkOptions,
  ) {
    this.fill();
  }

  head(): Entry | undefined {
    while (this.pos >= this.buf.length && !this.done) this.fill();
    return this.buf[this.pos];
  }

  advance(): void {
    this.pos++;
  }

  private fill(): void {
    const rows: Entry[] = [];
    const opts = { start: this.start as Buffer, end: this.end as Buffer, limit: this.chunk, exclusiveStart: !this.first };
    const { check, suffix = 0 } = this.o;
    let last: Uint8Array | undefined;
    let n = 0;
    for (const key of this.db.getKeys(opts) as Iterable<Uint8Array>) {
      last = key;
      n++;
      const verdict = check ? check(key) : 'yes';
      if (verdict === 'no') continue;
      rows.push({ created_at: keyTime(key, suffix), serial: keySerial(key, suffix), id: '', raw: undefined, maybe: verdict === 'maybe' });
    }
    this.first = false;
    this.buf = rows;
    this.pos = 0;
    if (n < this.chunk || !last) this.done = true;
    else this.start = last;
    this.chunk = Math.min(this.chunk * 2, MAX_CHUNK);
  }
}

/** created_at desc, then serial asc: index key order. */
function entryLess(a: Entry, b: Entry): boolean {
  return a.created_at !== b.created_at ? a.created_at > b.created_at : a.serial < b.serial;
}

export interface WalkOptions {
  since?: number;
  until?: number;
  limit: number;
  /** decides on the key, before accept: 'no' entries are skipped */
  check?: EntryCheck;
  /** bytes after the serial in this index's keys */
  suffix?: number;
  /** false skips the candidate (does not count towards limit); `maybe`: see Entry */
  accept: (c: Candidate, maybe: boolean) => boolean;
  signal?: AbortSignal;
}

/** Accepted candidates newest-first; past `limit` only by ties at the last accepted created_at. */
export function walkIndex(db: IndexDb, prefixes: Buffer[], o: WalkOptions): Candidate[] {
  const out: Candidate[] = [];
  const since = Math.max(0, o.since === undefined || Number.isNaN(o.since) ? 0 : Math.ceil(o.since));
  const until = Math.min(MAX_TIME, o.until === undefined || Number.isNaN(o.until) ? MAX_TIME : Math.floor(o.until));
  if (o.limit <= 0 || since > until) return out;
  const chunk = Math.min(Math.max(CHUNK_MIN, Math.ceil(o.limit / prefixes.length) + 1), 1000);
  const heap: Source[] = [];
  for (const p of prefixes) {
    const s = new Source(db, rangeStart(p, until), rangeEnd(p, since), chunk, o);
    if (s.head()) heapPush(heap, s);
  }
  const seen = new Set<number>();
  let steps = 0;
  let boundary = -1;
  while (heap.length > 0) {
    if ((++steps & 1023) === 0) o.signal?.throwIfAborted();
    const s = heap[0]!;
    const e = s.head()!;
    if (boundary >= 0 && e.created_at !== boundary) break;
    s.advance();
    if (s.head()) heapFix(heap);
    else heapPopTop(heap);
    if (seen.has(e.serial)) continue;
    seen.add(e.serial);
    if (!o.accept(e, e.maybe)) continue;
    out.push(e);
    if (out.length === o.limit) boundary = e.created_at;
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
