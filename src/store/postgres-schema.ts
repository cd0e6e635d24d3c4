// The PostgreSQL schema of the event store and the durable purgatory, applied once at start under an
// advisory lock (several instances starting together run it one after the other; every step is idempotent).
import type pg from 'pg';

/** Advisory lock key of the migration (any fixed 64-bit number unique to graspd). */
const MIGRATION_LOCK = 0x67726173_7064n; // "graspd"

const STEPS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS graspd_schema (version int PRIMARY KEY)`,
  // one row per stored event; `address` is the replaceable/addressable slot it occupies (unique: one version)
  `CREATE TABLE IF NOT EXISTS events (
     id text COLLATE "C" PRIMARY KEY,
     pubkey text COLLATE "C" NOT NULL,
     kind integer NOT NULL,
     created_at bigint NOT NULL,
     address text COLLATE "C" UNIQUE,
     expiration bigint,
     raw text NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS events_newest ON events (created_at DESC, id)`,
  `CREATE INDEX IF NOT EXISTS events_kind ON events (kind, created_at DESC, id)`,
  `CREATE INDEX IF NOT EXISTS events_author_kind ON events (pubkey, kind, created_at DESC, id)`,
  // first values of every tag (what NIP-01 tag filters match): #a, #e, #E, #d, #q, #p …
  `CREATE TABLE IF NOT EXISTS event_tags (
     event_id text COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
     name text COLLATE "C" NOT NULL,
     value text COLLATE "C" NOT NULL,
     created_at bigint NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS event_tags_lookup ON event_tags (name, value, created_at DESC)`,
  `CREATE INDEX IF NOT EXISTS event_tags_event ON event_tags (event_id)`,
  `CREATE TABLE IF NOT EXISTS id_tombstones (id text COLLATE "C" NOT NULL, pubkey text COLLATE "C" NOT NULL, PRIMARY KEY (id, pubkey))`,
  `CREATE TABLE IF NOT EXISTS address_tombstones (address text COLLATE "C" PRIMARY KEY, created_at bigint NOT NULL)`,
  // durable purgatory (events waiting for git data), shared by every instance
  `CREATE TABLE IF NOT EXISTS purgatory (id text COLLATE "C" PRIMARY KEY, entry jsonb NOT NULL, added_at bigint NOT NULL)`,
  `INSERT INTO graspd_schema (version) VALUES (1) ON CONFLICT DO NOTHING`,
];

export async function migrate(pool: pg.Pool): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    try {
      for (const sql of STEPS) await c.query(sql);
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]);
    }
  } finally {
    c.release();
  }
}
