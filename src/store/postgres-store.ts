// EventStore on PostgreSQL (--database-url): several graspd instances share one database. The save rules
// are save-rules.ts, the same code LMDB and memory run: a save reads what the rules may ask (the event,
// the version at its address, tombstones, a deletion's targets) inside one transaction, after taking
// transaction-scoped advisory locks on every id and address it touches (sorted, so two saves never
// deadlock), runs applySave on that snapshot and writes what it decided. Two instances receiving competing
// versions of one address, or an event and its deletion, are thereby serialised: no lost update.
// Saved events are announced on the `graspd_events` channel (NOTIFY, delivered at commit) for live fan-out.
import pg from 'pg';
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import { KIND_DELETION } from '../nostr/kinds.js';
import { expirationOf, filterLimit, tagFilters } from '../nostr/filter.js';
import type { EventStore, SaveOutcome } from './types.js';
import { addressKey, addressOf, applySave, isCoveredByDeletion, parseCoordinate, serializeEvent, type SaveTarget } from './save-rules.js';
import { migrate } from './postgres-schema.js';

export const EVENTS_CHANNEL = 'graspd_events';
/** tag values longer than this are not indexed (the relay refuses tag values over 512 bytes anyway) */
const MAX_INDEXED_VALUE = 1024;
const EVENT_ID = /^[0-9a-f]{64}$/;

export interface PostgresStoreOptions {
  /** clock in seconds (NIP-40 expiration) */
  now?: () => number;
  /** pool size */
  maxConnections?: number;
}

type Row = { raw: string; id: string; created_at: string | number };

export class PostgresEventStore implements EventStore {
  private constructor(readonly pool: pg.Pool, private readonly now: () => number) {}

  static async connect(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresEventStore> {
    const pool = new pg.Pool({ connectionString: url, max: opts.maxConnections ?? 10 });
    // a broken idle connection must not crash the process: the next query gets a new one
    pool.on('error', () => {});
    await migrate(pool);
    return new PostgresEventStore(pool, opts.now ?? (() => Math.floor(Date.now() / 1000)));
  }

  /** ids saved by this process whose notification has not come back yet (bounded) */
  private readonly savedHere = new Set<string>();

  private markSavedHere(id: string): void {
    this.savedHere.add(id);
    if (this.savedHere.size > 10_000) this.savedHere.delete(this.savedHere.values().next().value as string);
  }

  /** True once for an id this process saved: its NOTIFY needs no fan-out here. */
  takeSavedHere(id: string): boolean {
    return this.savedHere.delete(id);
  }

  /** per id/address: the last save of this process touching it (saves that touch the same keys run in arrival order) */
  private readonly tails = new Map<string, Promise<unknown>>();

  async save(event: NostrEvent): Promise<SaveOutcome> {
    const keys = lockKeys(event);
    const before = keys.map((k) => this.tails.get(k)).filter((p): p is Promise<unknown> => p !== undefined);
    const run = Promise.all(before).then(() => this.saveNow(event, keys));
    const settled = run.catch(() => undefined);
    for (const k of keys) this.tails.set(k, settled);
    void settled.then(() => {
      for (const k of keys) if (this.tails.get(k) === settled) this.tails.delete(k);
    });
    return run;
  }

  private async saveNow(event: NostrEvent, keys: readonly string[]): Promise<SaveOutcome> {
    return this.tx(async (c) => {
      // across instances: transaction-scoped advisory locks, taken in sorted order
      await c.query('SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS x(k, n) ORDER BY n', [keys]);
      const snap = await this.snapshot(c, event);
      const ops: Array<(c: pg.PoolClient) => Promise<unknown>> = [];
      const outcome = applySave(recording(snap, ops), event, this.now());
      for (const op of ops) await op(c);
      if (outcome === 'saved' || outcome === 'replaced') {
        this.markSavedHere(event.id);
        await c.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, event.id]);
      }
      return outcome;
    });
  }

  async query(filters: NostrFilter[], opts: { maxLimit?: number; signal?: AbortSignal } = {}): Promise<NostrEvent[]> {
    return (await this.queryRaw(filters, opts)).map((raw) => JSON.parse(raw) as NostrEvent);
  }

  async queryRaw(filters: NostrFilter[], opts: { maxLimit?: number; signal?: AbortSignal } = {}): Promise<string[]> {
    opts.signal?.throwIfAborted();
    const maxLimit = opts.maxLimit ?? Number.MAX_SAFE_INTEGER;
    const picked = new Map<string, { raw: string; id: string; created_at: number }>();
    const now = this.now();
    for (const f of filters) {
      const limit = filterLimit(f, maxLimit);
      if (limit <= 0) continue;
      const r = await this.pool.query<Row>(...selectNewest(f, now, Math.min(limit, 1_000_000_000)));
      for (const row of r.rows) picked.set(row.id, { raw: row.raw, id: row.id, created_at: Number(row.created_at) });
      opts.signal?.throwIfAborted();
    }
    return [...picked.values()]
      .sort((a, b) => (a.created_at !== b.created_at ? b.created_at - a.created_at : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((x) => x.raw);
  }

  async count(filters: NostrFilter[], opts: { max?: number } = {}): Promise<number> {
    const params: unknown[] = [];
    const where = anyOf(filters, params, this.now());
    if (where === 'false') return 0;
    const cap = opts.max === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(opts.max)) + 1}`;
    const r = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM (SELECT 1 FROM events e WHERE ${where}${cap}) t`, params);
    return Number(r.rows[0]?.n ?? 0);
  }

  async delete(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.pool.query('DELETE FROM events WHERE id = ANY($1)', [[...new Set(ids)]]);
    return r.rowCount ?? 0;
  }

  async isDeleted(event: NostrEvent): Promise<boolean> {
    const c = await this.pool.connect();
    try {
      return isCoveredByDeletion(recording(await this.snapshot(c, event), []), event);
    } finally {
      c.release();
    }
  }

  async has(id: string): Promise<boolean> {
    const r = await this.pool.query('SELECT 1 FROM events WHERE id = $1', [id]);
    return (r.rowCount ?? 0) > 0;
  }

  async idsForNegentropy(filters: NostrFilter[], opts: { max?: number } = {}): Promise<Array<{ created_at: number; id: string }>> {
    const params: unknown[] = [];
    const where = anyOf(filters, params, this.now());
    if (where === 'false') return [];
    const cap = opts.max === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(opts.max)) + 1}`;
    const r = await this.pool.query<{ id: string; created_at: string }>(`SELECT id, created_at FROM events e WHERE ${where} ORDER BY created_at ASC, id ASC${cap}`, params);
    return r.rows.map((x) => ({ id: x.id, created_at: Number(x.created_at) }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }

  /** Everything applySave may read for this event, read once. */
  private async snapshot(c: pg.PoolClient, event: NostrEvent): Promise<Snapshot> {
    const ids = new Set([event.id]);
    const addresses = new Set<string>();
    const own = addressOf(event);
    if (own !== undefined) addresses.add(own);
    if (event.kind === KIND_DELETION) {
      for (const t of event.tags) {
        const v = t[1];
        if (v === undefined) continue;
        if (t[0] === 'e' && EVENT_ID.test(v)) ids.add(v);
        if (t[0] === 'a') {
          const co = parseCoordinate(v);
          const a = co && co.pubkey === event.pubkey ? addressKey(co.kind, co.pubkey, co.d) : undefined;
          if (a !== undefined) addresses.add(a);
        }
      }
    }
    const snap: Snapshot = { events: new Map(), addresses: new Map(), idTombstones: new Set(), addressTombstones: new Map() };
    const byId = await c.query<Row & { tomb: string | null }>(
      `SELECT raw, id, created_at, NULL AS tomb FROM events WHERE id = ANY($1)
       UNION ALL SELECT NULL, id, 0, pubkey FROM id_tombstones WHERE id = $2`,
      [[...ids], event.id],
    );
    for (const r of byId.rows) {
      if (r.tomb !== null) snap.idTombstones.add(`${r.id}:${r.tomb}`);
      else snap.events.set(r.id, JSON.parse(r.raw) as NostrEvent);
    }
    if (addresses.size > 0) {
      const at = await c.query<Row & { address: string }>('SELECT raw, id, created_at, address FROM events WHERE address = ANY($1)', [[...addresses]]);
      for (const r of at.rows) {
        snap.events.set(r.id, JSON.parse(r.raw) as NostrEvent);
        snap.addresses.set(r.address, { id: r.id, created_at: Number(r.created_at) });
      }
      const tomb = await c.query<{ address: string; created_at: string }>('SELECT address, created_at FROM address_tombstones WHERE address = ANY($1)', [[...addresses]]);
      for (const r of tomb.rows) snap.addressTombstones.set(r.address, Number(r.created_at));
    }
    return snap;
  }
}

interface Snapshot {
  events: Map<string, NostrEvent>;
  addresses: Map<string, { id: string; created_at: number }>;
  idTombstones: Set<string>;
  addressTombstones: Map<string, number>;
}

/** A SaveTarget over the snapshot that records the writes applySave decides, in order. */
function recording(s: Snapshot, ops: Array<(c: pg.PoolClient) => Promise<unknown>>): SaveTarget {
  return {
    has: (id) => s.events.has(id),
    get: (id) => s.events.get(id),
    currentAt: (address) => s.addresses.get(address),
    hasIdTombstone: (id, pubkey) => s.idTombstones.has(`${id}:${pubkey}`),
    addressTombstone: (address) => s.addressTombstones.get(address),
    insert: (event) => {
      s.events.set(event.id, event);
      const address = addressOf(event);
      if (address !== undefined) s.addresses.set(address, { id: event.id, created_at: event.created_at });
      ops.push((c) => insertEvent(c, event, address));
    },
    remove: (event) => {
      s.events.delete(event.id);
      const address = addressOf(event);
      if (address !== undefined && s.addresses.get(address)?.id === event.id) s.addresses.delete(address);
      ops.push((c) => c.query('DELETE FROM events WHERE id = $1', [event.id]));
    },
    addIdTombstone: (id, pubkey) => {
      s.idTombstones.add(`${id}:${pubkey}`);
      ops.push((c) => c.query('INSERT INTO id_tombstones (id, pubkey) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, pubkey]));
    },
    addAddressTombstone: (address, createdAt) => {
      const old = s.addressTombstones.get(address);
      if (old === undefined || createdAt > old) s.addressTombstones.set(address, createdAt);
      ops.push((c) => c.query(
        'INSERT INTO address_tombstones (address, created_at) VALUES ($1, $2) ON CONFLICT (address) DO UPDATE SET created_at = GREATEST(address_tombstones.created_at, EXCLUDED.created_at)',
        [address, createdAt],
      ));
    },
  };
}

/** The event row and its tag rows in one statement (one round trip). */
async function insertEvent(c: pg.PoolClient, event: NostrEvent, address: string | undefined): Promise<void> {
  const exp = expirationOf(event);
  const names: string[] = [];
  const values: string[] = [];
  for (const t of event.tags) {
    if (t[0] === undefined || t[1] === undefined || t[1].length > MAX_INDEXED_VALUE || t[0].length > 64) continue;
    names.push(t[0]);
    values.push(t[1]);
  }
  await c.query(
    `WITH ev AS (INSERT INTO events (id, pubkey, kind, created_at, address, expiration, raw) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id)
     INSERT INTO event_tags (event_id, name, value, created_at) SELECT ev.id, x.n, x.v, $4 FROM ev, unnest($8::text[], $9::text[]) AS x(n, v)`,
    [event.id, event.pubkey, event.kind, event.created_at, address ?? null, exp === undefined ? null : Math.min(Math.ceil(exp), Number.MAX_SAFE_INTEGER), serializeEvent(event), names, values],
  );
}

/** Every id and address a save may read or write, sorted: the advisory locks it takes. */
function lockKeys(event: NostrEvent): string[] {
  const keys = new Set([`id:${event.id}`]);
  const own = addressOf(event);
  if (own !== undefined) keys.add(`addr:${own}`);
  if (event.kind === KIND_DELETION) {
    for (const t of event.tags) {
      const v = t[1];
      if (v === undefined) continue;
      if (t[0] === 'e' && EVENT_ID.test(v)) keys.add(`id:${v}`);
      if (t[0] === 'a') {
        const co = parseCoordinate(v);
        const a = co && co.pubkey === event.pubkey ? addressKey(co.kind, co.pubkey, co.d) : undefined;
        if (a !== undefined) keys.add(`addr:${a}`);
      }
    }
  }
  return [...keys].sort();
}

/** The newest `limit` events of one filter (the planner drives tag filters from the tag index). */
export function selectNewest(f: NostrFilter, now: number, limit: number): [string, unknown[]] {
  const params: unknown[] = [];
  const where = whereOf(f, params, now);
  params.push(limit);
  return [`SELECT raw, id, created_at FROM events e WHERE ${where} ORDER BY created_at DESC, id ASC LIMIT $${params.length}`, params];
}

/** SQL condition for one NIP-01 filter (parameters appended to `params`); 'false' when it matches nothing. */
export function whereOf(f: NostrFilter, params: unknown[], now: number): string {
  const parts: string[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.ids) {
    if (f.ids.length === 0) return 'false';
    parts.push(`e.id = ANY(${p(f.ids)}::text[])`);
  }
  if (f.authors) {
    if (f.authors.length === 0) return 'false';
    parts.push(`e.pubkey = ANY(${p(f.authors)}::text[])`);
  }
  if (f.kinds) {
    const kinds = f.kinds.filter((k) => Number.isInteger(k) && k >= -2147483648 && k <= 2147483647);
    if (kinds.length === 0) return 'false';
    parts.push(`e.kind = ANY(${p(kinds)}::int[])`);
  }
  if (f.since !== undefined) parts.push(`e.created_at >= ${p(Math.floor(f.since))}`);
  if (f.until !== undefined) parts.push(`e.created_at <= ${p(Math.floor(f.until))}`);
  for (const [name, values] of tagFilters(f)) {
    const vs = values.filter((v) => typeof v === 'string');
    if (vs.length === 0) return 'false';
    parts.push(`e.id IN (SELECT t.event_id FROM event_tags t WHERE t.name = ${p(name)} AND t.value = ANY(${p(vs)}::text[]))`);
  }
  parts.push(`(e.expiration IS NULL OR e.expiration > ${p(now)})`);
  return parts.join(' AND ');
}

function anyOf(filters: NostrFilter[], params: unknown[], now: number): string {
  const ors = filters.map((f) => whereOf(f, params, now)).filter((w) => w !== 'false');
  return ors.length === 0 ? 'false' : ors.map((w) => `(${w})`).join(' OR ');
}
