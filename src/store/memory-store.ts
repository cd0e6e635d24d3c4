// The naive EventStore: every query scans every event with matchFilter. Obviously correct, so it is the
// reference the LMDB planner is checked against (differential.test.ts) and the store for unit tests elsewhere.
// Save semantics (NIP-01 replaceable/addressable, NIP-09, NIP-40) come from save-rules.ts.
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import { compareNewestFirst, compareOldestFirst, filterLimit, matchFilter } from '../nostr/filter.js';
import type { EventStore, SaveOutcome } from './types.js';
import { addressOf, applySave, isCoveredByDeletion, serializeEvent, type SaveTarget } from './save-rules.js';

export interface MemoryStoreOptions {
  /** clock in seconds (NIP-40 expiration) */
  now?: () => number;
}

export class MemoryStore implements EventStore {
  private readonly events = new Map<string, { event: NostrEvent; raw: string }>();
  private readonly addresses = new Map<string, { id: string; created_at: number }>();
  private readonly idTombstones = new Set<string>();
  private readonly addressTombstones = new Map<string, number>();
  private readonly now: () => number;
  private readonly target: SaveTarget;

  constructor(opts: MemoryStoreOptions = {}) {
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.target = {
      has: (id) => this.events.has(id),
      get: (id) => this.events.get(id)?.event,
      currentAt: (address) => this.addresses.get(address),
      hasIdTombstone: (id, pubkey) => this.idTombstones.has(`${id}:${pubkey}`),
      addressTombstone: (address) => this.addressTombstones.get(address),
      insert: (event) => {
        const raw = serializeEvent(event);
        this.events.set(event.id, { event: JSON.parse(raw) as NostrEvent, raw });
        const address = addressOf(event);
        if (address !== undefined) this.addresses.set(address, { id: event.id, created_at: event.created_at });
      },
      remove: (event) => {
        this.events.delete(event.id);
        const address = addressOf(event);
        if (address !== undefined && this.addresses.get(address)?.id === event.id) this.addresses.delete(address);
      },
      addIdTombstone: (id, pubkey) => void this.idTombstones.add(`${id}:${pubkey}`),
      addAddressTombstone: (address, createdAt) => {
        const old = this.addressTombstones.get(address);
        if (old === undefined || createdAt > old) this.addressTombstones.set(address, createdAt);
      },
    };
  }

  async save(event: NostrEvent): Promise<SaveOutcome> {
    return applySave(this.target, event, this.now());
  }

  async query(filters: NostrFilter[], opts: { maxLimit?: number; signal?: AbortSignal } = {}): Promise<NostrEvent[]> {
    return this.select(filters, opts.maxLimit ?? Infinity, opts.signal).map((x) => JSON.parse(x.raw) as NostrEvent);
  }

  async queryRaw(filters: NostrFilter[], opts: { maxLimit?: number; signal?: AbortSignal } = {}): Promise<string[]> {
    return this.select(filters, opts.maxLimit ?? Infinity, opts.signal).map((x) => x.raw);
  }

  /** Limits are ignored: the number of stored events matching any filter. */
  async count(filters: NostrFilter[], opts: { max?: number } = {}): Promise<number> {
    return Math.min(this.matching(filters).length, opts.max === undefined ? Infinity : opts.max + 1);
  }

  async delete(ids: string[]): Promise<number> {
    let n = 0;
    for (const id of new Set(ids)) {
      const found = this.events.get(id);
      if (!found) continue;
      this.target.remove(found.event);
      n++;
    }
    return n;
  }

  async isDeleted(event: NostrEvent): Promise<boolean> {
    return isCoveredByDeletion(this.target, event);
  }

  async has(id: string): Promise<boolean> {
    return this.events.has(id);
  }

  /** Limits are ignored; sorted the negentropy way: created_at ascending, then id ascending. */
  async idsForNegentropy(filters: NostrFilter[], opts: { max?: number } = {}): Promise<Array<{ created_at: number; id: string }>> {
    const all = this.matching(filters).map(({ event }) => ({ created_at: event.created_at, id: event.id }));
    if (opts.max !== undefined && all.length > opts.max) return all.slice(0, opts.max + 1);
    return all.sort(compareOldestFirst);
  }

  async close(): Promise<void> {}

  private matching(filters: NostrFilter[]): Array<{ event: NostrEvent; raw: string }> {
    const now = this.now();
    return [...this.events.values()].filter((x) => filters.some((f) => matchFilter(f, x.event, now)));
  }

  private select(filters: NostrFilter[], maxLimit: number, signal?: AbortSignal): Array<{ event: NostrEvent; raw: string }> {
    signal?.throwIfAborted();
    const now = this.now();
    const all = [...this.events.values()].sort((a, b) => compareNewestFirst(a.event, b.event));
    const picked = new Map<string, { event: NostrEvent; raw: string }>();
    for (const f of filters) {
      const limit = filterLimit(f, maxLimit);
      let taken = 0;
      for (const x of all) {
        if (taken >= limit) break;
        if (!matchFilter(f, x.event, now)) continue;
        picked.set(x.event.id, x);
        taken++;
      }
    }
    return [...picked.values()].sort((a, b) => compareNewestFirst(a.event, b.event));
  }
}
