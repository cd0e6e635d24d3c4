// Purgatory in PostgreSQL (--database-url): durable in the shared database, mirrored in every instance's RAM
// (index and bodies) so the synchronous Purgatory reads stay synchronous. Writers NOTIFY `graspd_purgatory`
// with `a:<id>` / `r:<id>`; every instance applies it to its mirror (and re-reads everything after a lost
// notification connection). What one client can make the servers hold is bounded by the quotas and the
// expiry, as with the LMDB purgatory; unlike it, bodies live in RAM here.
import type pg from 'pg';
import type { Logger } from '../log/logger.js';
import { isLive } from '../purgatory/expiry.js';
import { HeldIndex, metaOf } from '../purgatory/held-index.js';
import type { Purgatory, PurgatoryEntry, PurgatoryLookup } from '../purgatory/types.js';
import { listen, type Listening } from './listen.js';

export const PURGATORY_CHANNEL = 'graspd_purgatory';

export class PostgresPurgatory implements Purgatory {
  readonly #index = new HeldIndex();
  readonly #bodies = new Map<string, PurgatoryEntry>();
  #listening: Listening | undefined;
  readonly #addedElsewhere: Array<(entry: PurgatoryEntry) => void> = [];
  /** ids this instance added whose notification has not come back yet */
  readonly #mine = new Set<string>();

  private constructor(private readonly pool: pg.Pool, private readonly expiryMs: number, private readonly clock: () => number) {}

  static async open(pool: pg.Pool, url: string, opts: { expiryMs: number; now?: () => number; log: Logger }): Promise<PostgresPurgatory> {
    const p = new PostgresPurgatory(pool, opts.expiryMs, opts.now ?? Date.now);
    p.#listening = await listen(url, PURGATORY_CHANNEL, opts.log, (payload) => void p.#onNotice(payload).catch(() => {}), () => p.#reload());
    await p.#reload();
    return p;
  }

  get size(): number {
    return this.#index.meta.size;
  }

  async add(entry: PurgatoryEntry): Promise<void> {
    const id = entry.event.id;
    await this.pool.query(
      'INSERT INTO purgatory (id, entry, added_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET entry = EXCLUDED.entry, added_at = EXCLUDED.added_at',
      [id, JSON.stringify(entry), entry.addedAt],
    );
    this.#put(entry);
    this.#mine.add(id);
    await this.pool.query('SELECT pg_notify($1, $2)', [PURGATORY_CHANNEL, `a:${id}`]);
  }

  /** Entries other instances add (the leader's sync and git data sync follow them). */
  onAddedElsewhere(listener: (entry: PurgatoryEntry) => void): void {
    this.#addedElsewhere.push(listener);
  }

  get(id: string): PurgatoryEntry | undefined {
    const m = this.#index.meta.get(id);
    if (!m || !isLive(m, this.clock(), this.expiryMs)) return undefined;
    return this.#bodies.get(id);
  }

  has(id: string): boolean {
    const m = this.#index.meta.get(id);
    return m !== undefined && isLive(m, this.clock(), this.expiryMs);
  }

  list(now: number, opts: { kinds?: number[] } = {}): PurgatoryEntry[] {
    const out: PurgatoryEntry[] = [];
    for (const [id, m] of this.#index.meta) {
      if (!isLive(m, now, this.expiryMs) || (opts.kinds && !opts.kinds.includes(m.kind))) continue;
      const e = this.#bodies.get(id);
      if (e) out.push(e);
    }
    return out.sort((a, b) => a.addedAt - b.addedAt);
  }

  summary(now: number): Array<{ kind: number; addedAt: number }> {
    const out: Array<{ kind: number; addedAt: number }> = [];
    for (const m of this.#index.meta.values()) if (isLive(m, now, this.expiryMs)) out.push({ kind: m.kind, addedAt: m.addedAt });
    return out;
  }

  lookup(q: PurgatoryLookup, now = this.clock()): PurgatoryEntry[] {
    const ids = this.#index.find(q);
    const out: PurgatoryEntry[] = [];
    for (const id of ids) {
      const m = this.#index.meta.get(id)!;
      const e = this.#bodies.get(id);
      if (e && isLive(m, now, this.expiryMs)) out.push(e);
    }
    return out.sort((a, b) => a.addedAt - b.addedAt);
  }

  /** Removes the entry; returns it only when this call removed it and it was still live. */
  async remove(id: string): Promise<PurgatoryEntry | undefined> {
    const r = await this.pool.query<{ entry: PurgatoryEntry }>('DELETE FROM purgatory WHERE id = $1 RETURNING entry', [id]);
    const m = this.#index.meta.get(id);
    this.#drop(id);
    if (r.rowCount === 0) return undefined;
    await this.pool.query('SELECT pg_notify($1, $2)', [PURGATORY_CHANNEL, `r:${id}`]);
    const entry = r.rows[0]!.entry;
    return isLive(m ?? { addedAt: entry.addedAt }, this.clock(), this.expiryMs) ? entry : undefined;
  }

  async expire(now: number): Promise<PurgatoryEntry[]> {
    const r = await this.pool.query<{ id: string; entry: PurgatoryEntry }>('DELETE FROM purgatory WHERE added_at + $1 <= $2 RETURNING id, entry', [this.expiryMs, now]);
    for (const row of r.rows) {
      this.#drop(row.id);
      await this.pool.query('SELECT pg_notify($1, $2)', [PURGATORY_CHANNEL, `r:${row.id}`]);
    }
    return r.rows.map((row) => row.entry);
  }

  async close(): Promise<void> {
    await this.#listening?.close();
  }

  #put(entry: PurgatoryEntry): void {
    const id = entry.event.id;
    if (this.#index.meta.has(id)) this.#index.remove(id);
    this.#index.add(id, metaOf(entry.event, entry.addedAt));
    this.#bodies.set(id, entry);
  }

  #drop(id: string): void {
    if (this.#index.meta.has(id)) this.#index.remove(id);
    this.#bodies.delete(id);
  }

  async #onNotice(payload: string): Promise<void> {
    const id = payload.slice(2);
    if (payload.startsWith('r:')) return this.#drop(id);
    if (!payload.startsWith('a:')) return;
    if (this.#mine.delete(id)) return;
    const r = await this.pool.query<{ entry: PurgatoryEntry }>('SELECT entry FROM purgatory WHERE id = $1', [id]);
    const entry = r.rows[0]?.entry;
    if (!entry) return;
    this.#put(entry);
    for (const l of this.#addedElsewhere) l(entry);
  }

  async #reload(): Promise<void> {
    const r = await this.pool.query<{ entry: PurgatoryEntry }>('SELECT entry FROM purgatory');
    for (const id of [...this.#index.meta.keys()]) this.#drop(id);
    for (const row of r.rows) this.#put(row.entry);
  }
}
