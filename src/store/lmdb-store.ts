// The embedded EventStore on LMDB (NIP-01 REQ/COUNT, NIP-09, NIP-40, NIP-77 id lists). Writes go through
// lmdb's batched async transactions (many saves share one commit) and resolve only after the commit is
// flushed, so `OK true` means durable. Each save is one transaction callback: its reads and writes are
// serial and atomic even when saves race. (Not a child transaction: nested commits made bulk inserts 2x
// slower; instead every key is bounded before writing, so a callback cannot fail half-way.)
// Reads are synchronous walks planned per filter (lmdb-plan.ts).
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import { compareNewestFirst, compareOldestFirst, filterLimit, matchFilter } from '../nostr/filter.js';
import type { EventStore, SaveOutcome } from './types.js';
import { applySave, isCoveredByDeletion, type SaveTarget } from './save-rules.js';
import { loadExpiring, nextSerial, openDbs, readEvent, readStored, saveTarget, serialOf, type LmdbDbs } from './lmdb-dbs.js';
import { planFilter, isStorableKind } from './lmdb-plan.js';
import { walkIndex, type Candidate } from './lmdb-scan.js';
import { MAX_TIME, TAG_SUFFIX_BYTES, tagEntryMatches } from './lmdb-indexes.js';
import { decodeId, decodeRaw } from './lmdb-event-codec.js';

export interface LmdbStoreOptions {
  /** clock in seconds (NIP-40 expiration) */
  now?: () => number;
}

/** id is '' and raw undefined unless the query wants them. */
type Hit = Candidate;

/** What a query needs of each hit: the JSON, the (created_at, id) pair, or only how many. */
type Want = 'raw' | 'id' | 'count';

const HEX64 = /^[0-9a-f]{64}$/;
const BULK_READS = 1000;

type QueryOptions = { maxLimit?: number; signal?: AbortSignal };

export class LmdbStore implements EventStore {
  private target: SaveTarget;

  private constructor(
    private readonly dbs: LmdbDbs,
    private expiring: Map<number, number>,
    private readonly serials: { next: number },
    private readonly now: () => number,
  ) {
    this.target = saveTarget(dbs, expiring, serials);
  }

  /** Throws when the directory holds another on-disk layout (lmdb-dbs.ts). */
  static async open(dir: string, opts: LmdbStoreOptions = {}): Promise<LmdbStore> {
    const dbs = openDbs(dir);
    const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    return new LmdbStore(dbs, loadExpiring(dbs), { next: nextSerial(dbs) }, now);
  }

  /** Throws (storing nothing) when id or pubkey is not 64 lowercase hex, kind not 0..65535 or created_at not
   * an integer in 0..2^48-1: those are LMDB key parts (the ingest path rejects such events earlier). */
  async save(event: NostrEvent): Promise<SaveOutcome> {
    if (!HEX64.test(event.id) || !HEX64.test(event.pubkey)) throw new Error('invalid: id and pubkey must be 64 hex');
    if (!isStorableKind(event.kind)) throw new Error('invalid: kind must be an integer between 0 and 65535');
    const t = event.created_at;
    if (!Number.isInteger(t) || t < 0 || t > MAX_TIME) throw new Error('invalid: created_at out of range');
    let outcome: SaveOutcome;
    try {
      outcome = await this.dbs.root.transaction(() => applySave(this.target, event, this.now()));
    } catch (err) {
      this.resyncExpiring(); // keep the in-memory mirror equal to what was committed
      throw err;
    }
    await this.dbs.root.flushed; // also for 'duplicate': the first copy may share this very commit
    return outcome;
  }

  async query(filters: NostrFilter[], opts: QueryOptions = {}): Promise<NostrEvent[]> {
    return (await this.queryRaw(filters, opts)).map((raw) => JSON.parse(raw) as NostrEvent);
  }

  async queryRaw(filters: NostrFilter[], opts: QueryOptions = {}): Promise<string[]> {
    return this.select(filters, opts.maxLimit ?? Infinity, 'raw', opts.signal).map((h) => h.raw!);
  }

  /** Limits are ignored: the number of stored events matching any filter. */
  async count(filters: NostrFilter[], opts: { max?: number } = {}): Promise<number> {
    const cap = opts.max === undefined ? Infinity : opts.max + 1;
    return Math.min(cap, this.select(filters.map(withoutLimit), cap, 'count').length);
  }

  /** Limits are ignored; sorted the negentropy way: created_at ascending, then id ascending. */
  async idsForNegentropy(filters: NostrFilter[], opts: { max?: number } = {}): Promise<Array<{ created_at: number; id: string }>> {
    const cap = opts.max === undefined ? Infinity : opts.max + 1;
    return this.select(filters.map(withoutLimit), cap, 'id')
      .slice(0, cap)
      .map((h) => ({ created_at: h.created_at, id: h.id }))
      .sort(compareOldestFirst);
  }

  async delete(ids: string[]): Promise<number> {
    const n = await this.dbs.root.transaction(() => {
      let removed = 0;
      for (const id of new Set(ids)) {
        const event = readEvent(this.dbs, id);
        if (!event) continue;
        this.target.remove(event);
        removed++;
      }
      return removed;
    });
    if (n > 0) await this.dbs.root.flushed;
    return n;
  }

  async isDeleted(event: NostrEvent): Promise<boolean> {
    return isCoveredByDeletion(this.target, event);
  }

  async has(id: string): Promise<boolean> {
    return serialOf(this.dbs, id) !== undefined;
  }

  async close(): Promise<void> {
    await this.dbs.root.flushed;
    await this.dbs.root.close();
  }

  private resyncExpiring(): void {
    this.expiring = loadExpiring(this.dbs);
    this.serials.next = Math.max(this.serials.next, nextSerial(this.dbs));
    this.target = saveTarget(this.dbs, this.expiring, this.serials);
  }

  /** OR of the filters, each cut at its limit, de-duplicated, newest first ('count': unsorted, no ids). */
  private select(filters: NostrFilter[], maxLimit: number, want: Want, signal?: AbortSignal): Hit[] {
    signal?.throwIfAborted();
    const now = this.now();
    if (filters.length === 1) {
      const hits = this.runFilter(filters[0]!, filterLimit(filters[0]!, maxLimit), now, want, signal);
      return want === 'count' ? hits : hits.sort(compareNewestFirst);
    }
    const picked = new Map<number, Hit>();
    for (const f of filters) {
      for (const h of this.runFilter(f, filterLimit(f, maxLimit), now, want, signal)) {
        if (!picked.has(h.serial)) picked.set(h.serial, h);
      }
    }
    const hits = [...picked.values()];
    return want === 'count' ? hits : hits.sort(compareNewestFirst);
  }

  private runFilter(f: NostrFilter, limit: number, now: number, want: Want, signal?: AbortSignal): Hit[] {
    const plan = planFilter(f);
    switch (plan.type) {
      case 'empty':
        return [];
      case 'ids':
        return this.lookup(f, plan.ids, limit, now, want);
      case 'addr': {
        const ids: string[] = [];
        for (const address of plan.addresses) {
          const cur = this.target.currentAt(address);
          if (cur) ids.push(cur.id);
        }
        return this.lookup(f, ids, limit, now, want);
      }
      case 'index': {
        const raws = new Map<number, string>();
        const check = plan.entryCheck;
        const fullCheck = (c: Candidate): boolean => {
          const v = readStored(this.dbs, c.serial);
          if (v === undefined) return false;
          const raw = decodeRaw(v);
          if (!matchFilter(f, JSON.parse(raw) as NostrEvent, now)) return false;
          if (want === 'raw') raws.set(c.serial, raw);
          return true;
        };
        const accept = (c: Candidate, maybe: boolean): boolean => {
          if (this.expiring.size > 0) {
            const exp = this.expiring.get(c.serial);
            if (exp !== undefined && exp <= now) return false;
          }
          return plan.covered || (check !== undefined && !maybe) || fullCheck(c);
        };
        const entryCheck = check && ((key: Uint8Array) => tagEntryMatches(key, check.kinds, check.authorPrefixes));
        const found = walkIndex(this.dbs.idx[plan.index], plan.prefixes, {
          since: f.since, until: f.until, limit, accept, signal, check: entryCheck,
          suffix: plan.index === 'tag' ? TAG_SUFFIX_BYTES : 0,
        });
        return this.resolve(found, raws, limit, want);
      }
      default:
        return assertNever(plan);
    }
  }

  /** Reads id (and JSON) of walked candidates, then applies NIP-01 order to the ties at the limit. */
  private resolve(found: Candidate[], raws: Map<number, string>, limit: number, want: Want): Hit[] {
    if (want === 'count') return found;
    const hits: Hit[] = [];
    // many reads go faster in storage order (select sorts the hits anyway)
    const order = found.length > BULK_READS ? [...found].sort((a, b) => a.serial - b.serial) : found;
    for (const c of order) {
      const raw = raws.get(c.serial);
      if (raw !== undefined) {
        c.id = raw.slice(7, 71); // `{"id":"<64 hex>"…`
        c.raw = raw;
      } else {
        const v = readStored(this.dbs, c.serial);
        if (v === undefined) continue;
        c.id = decodeId(v);
        if (want === 'raw') c.raw = decodeRaw(v, c.id);
      }
      hits.push(c);
    }
    return hits.length > limit ? hits.sort(compareNewestFirst).slice(0, limit) : hits;
  }

  /** Direct gets by id, checked against the whole filter. */
  private lookup(f: NostrFilter, ids: string[], limit: number, now: number, want: Want): Hit[] {
    const hits: Hit[] = [];
    for (const id of new Set(ids)) {
      const serial = serialOf(this.dbs, id);
      if (serial === undefined) continue;
      const v = readStored(this.dbs, serial);
      if (v === undefined) continue;
      const raw = decodeRaw(v, id);
      const event = JSON.parse(raw) as NostrEvent;
      if (matchFilter(f, event, now)) hits.push({ created_at: event.created_at, serial, id, raw: want === 'raw' ? raw : undefined });
    }
    return hits.sort(compareNewestFirst).slice(0, limit);
  }
}

function withoutLimit(f: NostrFilter): NostrFilter {
  const { limit: _limit, ...rest } = f;
  return rest;
}

function assertNever(x: never): never {
  throw new Error(`unexpected plan ${JSON.stringify(x)}`);
}
