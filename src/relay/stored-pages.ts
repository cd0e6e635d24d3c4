// A REQ's stored results, read from the store a page at a time (GRASP/NIP-01 order: created_at descending, then
// id ascending; each filter cut at its own limit; the union de-duplicated), so a subscription holds at most one
// small page per filter, and after `drop()` (the client stopped reading) nothing but one cursor per filter.
// Each filter is its own newest-first stream resumed after its cursor; the streams are merged, and an event
// several filters match comes up at the same place in each of them and is sent once.
import type { NostrFilter } from '../nostr/types.js';

export interface RowKey {
  created_at: number;
  id: string;
}

const CREATED_AT = /"created_at":(\d+)/;
const ID = /"id":"([0-9a-f]{64})"/;

/** (created_at, id) of a stored event's JSON without parsing all of it (stored JSON starts with id, pubkey, created_at). */
export function rowKey(raw: string): RowKey {
  const head = raw.slice(0, 400);
  const id = raw.startsWith('{"id":"') ? raw.slice(7, 71) : (ID.exec(head)?.[1] ?? '');
  const created = CREATED_AT.exec(head);
  if (created) return { created_at: Number(created[1]), id };
  const e = JSON.parse(raw) as RowKey;
  return { created_at: e.created_at, id: e.id };
}

/** `row` comes after `cursor` in NIP-01 order (created_at descending, then id ascending). */
export function isAfter(row: RowKey, cursor: RowKey): boolean {
  return row.created_at < cursor.created_at || (row.created_at === cursor.created_at && row.id > cursor.id);
}

const sameKey = (a: RowKey, b: RowKey): boolean => a.created_at === b.created_at && a.id === b.id;

/** The filter for the next page: `until` the cursor's second, with room for that second's rows already taken. */
export function pageFilter(filter: NostrFilter, cursor: RowKey | undefined, rows: number, takenAtCursorSecond: number): NostrFilter {
  const limit = rows + takenAtCursorSecond;
  if (!cursor) return { ...filter, limit };
  const until = filter.until === undefined ? cursor.created_at : Math.min(filter.until, cursor.created_at);
  return { ...filter, until, limit };
}

/** Rows per page so a page holds about `targetBytes`, within [min, max]. */
export function nextPageRows(bytes: number, rows: number, targetBytes: number, min: number, max: number): number {
  if (rows === 0) return min;
  return Math.max(min, Math.min(max, Math.floor(targetBytes / Math.max(1, bytes / rows))));
}

interface Stream {
  filter: NostrFilter;
  limit: number;
  taken: number;
  cursor: RowKey | undefined;
  takenAtCursorSecond: number;
  rowsPerPage: number;
  buf: Array<{ raw: string; key: RowKey }>;
  /** the store has nothing after the buffered rows */
  exhausted: boolean;
}

export interface PagingOptions {
  maxLimit: number;
  /** bytes a full round of pages (all filters) should hold */
  targetBytes: number;
  maxRowsPerPage: number;
}

export class StoredResults {
  readonly #streams: Stream[];
  readonly #opts: PagingOptions;

  constructor(filters: readonly NostrFilter[], private readonly fetch: (page: NostrFilter) => Promise<string[]>, opts: PagingOptions) {
    this.#opts = opts;
    const first = Math.max(2, Math.floor(16 / filters.length));
    this.#streams = filters.map((filter) => ({
      filter, limit: Math.min(filter.limit ?? opts.maxLimit, opts.maxLimit), taken: 0, cursor: undefined,
      takenAtCursorSecond: 0, rowsPerPage: first, buf: [], exhausted: false,
    }));
  }

  /** The next row in order, or undefined when every filter is done. */
  async next(): Promise<string | undefined> {
    for (const s of this.#streams) if (s.buf.length === 0) await this.#fill(s);
    let best: Stream | undefined;
    for (const s of this.#streams) {
      const head = s.buf[0];
      if (head && (!best || isAfter(best.buf[0]!.key, head.key))) best = s;
    }
    if (!best) return undefined;
    const { raw, key } = best.buf[0]!;
    for (const s of this.#streams) if (s.buf[0] && sameKey(s.buf[0].key, key)) this.#take(s);
    return raw;
  }

  /** Forgets the buffered rows (they are read again from the cursors): a paused subscription holds no rows. */
  drop(): void {
    for (const s of this.#streams) {
      if (s.buf.length > 0) s.exhausted = false;
      s.buf = [];
    }
  }

  #take(s: Stream): void {
    const { key } = s.buf.shift()!;
    s.takenAtCursorSecond = s.cursor && s.cursor.created_at === key.created_at ? s.takenAtCursorSecond + 1 : 1;
    s.cursor = key;
    s.taken++;
    if (s.taken >= s.limit) {
      s.buf = [];
      s.exhausted = true;
    }
  }

  async #fill(s: Stream): Promise<void> {
    while (s.buf.length === 0 && !s.exhausted && s.taken < s.limit) {
      const want = Math.min(s.rowsPerPage, s.limit - s.taken);
      const page = pageFilter(s.filter, s.cursor, want, s.takenAtCursorSecond);
      const rows = await this.fetch(page);
      let bytes = 0;
      for (const raw of rows) {
        const key = rowKey(raw);
        if (s.cursor && !isAfter(key, s.cursor)) continue;
        s.buf.push({ raw, key });
        bytes += raw.length;
      }
      if (rows.length < page.limit!) s.exhausted = true;
      // events stored meanwhile in the cursor's second can fill a page with rows already taken: look further
      else if (s.buf.length === 0) s.takenAtCursorSecond += want;
      const perFilter = this.#opts.targetBytes / this.#streams.length;
      s.rowsPerPage = nextPageRows(bytes, s.buf.length, perFilter, 2, this.#opts.maxRowsPerPage);
    }
    if (s.taken >= s.limit) s.exhausted = true;
  }
}
