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
import { loadExpiring, openDbs, readEvent, saveTarget, type LmdbDbs } from './lmdb-dbs.js';
import { planFilter } from './lmdb-plan.js';
import { walkIndex, type Candidate } from './lmdb-scan.js';
import { tagEntryMatches } from './lmdb-indexes.js';

export interface LmdbStoreOptions {
  /** clock in seconds (NIP-40 expiration) */
  now?: () => number;
}

interface Hit extends Candidate {
  raw?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

type QueryOptions = { maxLimit?: number; signal?: AbortSignal };

export class LmdbStore implements EventStore {
  private target: SaveTarget;

  private constructor(
    private readonly dbs: LmdbDbs,
    private expiring: Map<string, number>,
    private readonly now: () => number,
  ) {
    this.target = saveTarget(dbs, expiring);
  }

  static async open(dir: string, opts: LmdbStoreOptions = {}): Promise<LmdbStore> {
    const dbs = openDbs(dir);
    return new LmdbStore(dbs, loadExpiring(dbs), opts.now ?? (() => Math.floor(Date.now() / 1000)));
  }

  /** Throws (storing nothing) when id or pubkey is not 64 lowercase hex: those are LMDB key parts. */
  async save(event: NostrEvent): Promise<SaveOutcome> {
    if (!HEX64.test(event.id) || !HEX64.test(event.pubkey)) throw new Error('invalid: id and pubkey must be 64 hex');
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
    const hits = this.select(filters, opts.maxLimit ?? Infinity, true, opts.signal);
    const out: string[] = [];
    for (const h of hits) {
      const raw = h.raw ?? this.dbs.events.get(h.id);
      if (raw !== undefined) out.push(raw);
    }
    return out;
  }

  /** Limits are ignored: the number of stored events matching any filter. */
  async count(filters: NostrFilter[]): Promise<number> {
    return this.select(filters.map(withoutLimit), Infinity, false).length;
  }

  /** Limits are ignored; sorted the negentropy way: created_at ascending, then id ascending. */
  async idsForNegentropy(filters: NostrFilter[]): Promise<Array<{ created_at: number; id: string }>> {
    return this.select(filters.map(withoutLimit), Infinity, false)
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
    return this.dbs.events.doesExist(id);
  }

  async close(): Promise<void> {
    await this.dbs.root.flushed;
    await this.dbs.root.close();
  }

  private resyncExpiring(): void {
    this.expiring = loadExpiring(this.dbs);
    this.target = saveTarget(this.dbs, this.expiring);
  }

  /** OR of the filters, each cut at its limit, de-duplicated, newest first. */
  private select(filters: NostrFilter[], maxLimit: number, wantRaw: boolean, signal?: AbortSignal): Hit[] {
    signal?.throwIfAborted();
    const now = this.now();
    const picked = new Map<string, Hit>();
    for (const f of filters) {
      for (const h of this.runFilter(f, filterLimit(f, maxLimit), now, wantRaw, signal)) {
        if (!picked.has(h.id)) picked.set(h.id, h);
      }
    }
    return [...picked.values()].sort(compareNewestFirst);
  }

  private runFilter(f: NostrFilter, limit: number, now: number, wantRaw: boolean, signal?: AbortSignal): Hit[] {
    const plan = planFilter(f);
    switch (plan.type) {
      case 'empty':
        return [];
      case 'ids':
        return this.lookup(f, plan.ids, limit, now);
      case 'addr': {
        const ids: string[] = [];
        for (const address of plan.addresses) {
          const cur = this.target.currentAt(address);
          if (cur) ids.push(cur.id);
        }
        return this.lookup(f, ids, limit, now);
      }
      case 'index': {
        const raws = new Map<string, string>();
        const check = plan.entryCheck;
        const accept = (c: Candidate, value: Buffer): boolean => {
          const exp = this.expiring.get(c.id);
          if (exp !== undefined && exp <= now) return false;
          if (plan.covered) return true;
          if (check) return tagEntryMatches(value, check.kinds, check.authors);
          const raw = this.dbs.events.get(c.id);
          if (raw === undefined || !matchFilter(f, JSON.parse(raw) as NostrEvent, now)) return false;
          if (wantRaw) raws.set(c.id, raw);
          return true;
        };
        const found = walkIndex(this.dbs.idx[plan.index], plan.prefixes, { since: f.since, until: f.until, limit, accept, signal });
        return wantRaw ? found.map((c) => ({ ...c, raw: raws.get(c.id) })) : found;
      }
      default:
        return assertNever(plan);
    }
  }

  /** Direct gets by id, checked against the whole filter. */
  private lookup(f: NostrFilter, ids: string[], limit: number, now: number): Hit[] {
    const hits: Hit[] = [];
    for (const id of new Set(ids)) {
      const raw = this.dbs.events.get(id);
      if (raw === undefined) continue;
      const event = JSON.parse(raw) as NostrEvent;
      if (matchFilter(f, event, now)) hits.push({ created_at: event.created_at, id, raw });
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
