// Durable purgatory (GRASP.md "Purgatory": an `OK true` is a promise, so held events survive a restart): every
// entry lives in its own lmdb environment; RAM holds only a small index per entry (held-index.ts: kind, author,
// address, identifier, references), so what a client can make the server hold costs disk, bounded by the quotas
// and the expiry, not memory. add/remove resolve only after the write is committed and flushed. Expired entries
// are invisible at once (expiry.ts), and `expire(now)` deletes them. One writer: the relay.
import { open, type RootDatabase } from 'lmdb';
import { isLive } from './expiry.js';
import { HeldIndex, metaOf } from './held-index.js';
import type { Purgatory, PurgatoryEntry, PurgatoryLookup } from './types.js';

export interface PurgatoryOptions {
  expiryMs: number;
  /** ms epoch clock for get/has/remove, which take no `now`; defaults to Date.now */
  now?: () => number;
}

export class LmdbPurgatory implements Purgatory {
  readonly #index = new HeldIndex();

  private constructor(
    private readonly db: RootDatabase<PurgatoryEntry, string>,
    private readonly expiryMs: number,
    private readonly clock: () => number,
  ) {}

  static async open(path: string, opts: PurgatoryOptions): Promise<LmdbPurgatory> {
    const db = open<PurgatoryEntry, string>({ path, encoding: 'json' });
    const p = new LmdbPurgatory(db, opts.expiryMs, opts.now ?? Date.now);
    for (const { key, value } of db.getRange()) p.#index.add(key, metaOf(value.event, value.addedAt));
    return p;
  }

  /** Entries held, including expired ones not yet swept (for metrics). */
  get size(): number {
    return this.#index.meta.size;
  }

  async add(entry: PurgatoryEntry): Promise<void> {
    const id = entry.event.id;
    const previous = this.#index.meta.get(id);
    this.#index.add(id, metaOf(entry.event, entry.addedAt));
    try {
      await this.db.put(id, entry);
      await this.db.flushed;
    } catch (err) {
      this.#index.remove(id);
      if (previous) this.#index.add(id, previous);
      throw err;
    }
  }

  get(id: string): PurgatoryEntry | undefined {
    const m = this.#index.meta.get(id);
    if (!m || !isLive(m, this.clock(), this.expiryMs)) return undefined;
    return this.db.get(id);
  }

  has(id: string): boolean {
    const m = this.#index.meta.get(id);
    return m !== undefined && isLive(m, this.clock(), this.expiryMs);
  }

  list(now: number, opts: { kinds?: number[] } = {}): PurgatoryEntry[] {
    const kinds = opts.kinds;
    const out: PurgatoryEntry[] = [];
    for (const [id, m] of this.#index.meta) {
      if (!isLive(m, now, this.expiryMs) || (kinds && !kinds.includes(m.kind))) continue;
      const entry = this.db.get(id);
      if (entry) out.push(entry);
    }
    return out.sort((a, b) => a.addedAt - b.addedAt);
  }

  summary(now: number): Array<{ kind: number; addedAt: number }> {
    const out: Array<{ kind: number; addedAt: number }> = [];
    for (const m of this.#index.meta.values()) if (isLive(m, now, this.expiryMs)) out.push({ kind: m.kind, addedAt: m.addedAt });
    return out;
  }

  /** Live entries found through the index: by id, at an address, with an identifier (of some kinds), referencing a key. */
  lookup(q: PurgatoryLookup, now = this.clock()): PurgatoryEntry[] {
    const ids = this.#index.find(q);
    const out: PurgatoryEntry[] = [];
    for (const id of ids) {
      const m = this.#index.meta.get(id)!;
      if (!isLive(m, now, this.expiryMs)) continue;
      const entry = this.db.get(id);
      if (entry) out.push(entry);
    }
    return out.sort((a, b) => a.addedAt - b.addedAt);
  }

  /** Removes the entry; returns it only when it was still live (an expired one is dropped silently). */
  async remove(id: string): Promise<PurgatoryEntry | undefined> {
    const m = this.#index.meta.get(id);
    if (!m) return undefined;
    const entry = this.db.get(id);
    this.#index.remove(id);
    await this.db.remove(id);
    await this.db.flushed;
    return entry && isLive(m, this.clock(), this.expiryMs) ? entry : undefined;
  }

  async expire(now: number): Promise<PurgatoryEntry[]> {
    const expired: PurgatoryEntry[] = [];
    for (const [id, m] of this.#index.meta) {
      if (isLive(m, now, this.expiryMs)) continue;
      const entry = this.db.get(id);
      if (entry) expired.push(entry);
    }
    if (expired.length === 0) {
      // index entries whose body is gone (should not happen) are dropped too
      return [];
    }
    for (const e of expired) this.#index.remove(e.event.id);
    await Promise.all(expired.map((e) => this.db.remove(e.event.id)));
    await this.db.flushed;
    return expired;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
