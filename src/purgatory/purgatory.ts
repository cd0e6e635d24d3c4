// Durable purgatory (GRASP.md "Purgatory": an `OK true` is a promise, so held events survive a restart):
// every entry lives in a Map for synchronous reads and in its own lmdb environment; add/remove resolve
// only after the write is committed and flushed. Expired entries are invisible at once (expiry.ts), and
// `expire(now)` deletes them. One writer: the relay.
import { open, type RootDatabase } from 'lmdb';
import { isLive, partitionExpired } from './expiry.js';
import type { Purgatory, PurgatoryEntry } from './types.js';

export interface PurgatoryOptions {
  expiryMs: number;
  /** ms epoch clock for get/has/remove, which take no `now`; defaults to Date.now */
  now?: () => number;
}

export class LmdbPurgatory implements Purgatory {
  private constructor(
    private readonly db: RootDatabase<PurgatoryEntry, string>,
    private readonly entries: Map<string, PurgatoryEntry>,
    private readonly expiryMs: number,
    private readonly clock: () => number,
  ) {}

  static async open(path: string, opts: PurgatoryOptions): Promise<LmdbPurgatory> {
    const db = open<PurgatoryEntry, string>({ path, encoding: 'json' });
    const entries = new Map<string, PurgatoryEntry>();
    for (const { key, value } of db.getRange()) entries.set(key, value);
    return new LmdbPurgatory(db, entries, opts.expiryMs, opts.now ?? Date.now);
  }

  /** Entries held, including expired ones not yet swept (for metrics). */
  get size(): number {
    return this.entries.size;
  }

  async add(entry: PurgatoryEntry): Promise<void> {
    const id = entry.event.id;
    const previous = this.entries.get(id);
    this.entries.set(id, entry);
    try {
      await this.db.put(id, entry);
      await this.db.flushed;
    } catch (err) {
      if (this.entries.get(id) === entry) {
        if (previous) this.entries.set(id, previous);
        else this.entries.delete(id);
      }
      throw err;
    }
  }

  get(id: string): PurgatoryEntry | undefined {
    const entry = this.entries.get(id);
    return entry && isLive(entry, this.clock(), this.expiryMs) ? entry : undefined;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  list(now: number, opts: { kinds?: number[] } = {}): PurgatoryEntry[] {
    const kinds = opts.kinds;
    const out: PurgatoryEntry[] = [];
    for (const entry of this.entries.values()) {
      if (!isLive(entry, now, this.expiryMs)) continue;
      if (kinds && !kinds.includes(entry.event.kind)) continue;
      out.push(entry);
    }
    return out.sort((a, b) => a.addedAt - b.addedAt);
  }

  /** Removes the entry; returns it only when it was still live (an expired one is dropped silently). */
  async remove(id: string): Promise<PurgatoryEntry | undefined> {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    await this.db.remove(id);
    await this.db.flushed;
    return isLive(entry, this.clock(), this.expiryMs) ? entry : undefined;
  }

  async expire(now: number): Promise<PurgatoryEntry[]> {
    const { expired } = partitionExpired(this.entries.values(), now, this.expiryMs);
    if (expired.length === 0) return [];
    for (const e of expired) this.entries.delete(e.event.id);
    await Promise.all(expired.map((e) => this.db.remove(e.event.id)));
    await this.db.flushed;
    return expired;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
