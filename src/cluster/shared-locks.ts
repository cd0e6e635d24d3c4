// Repository locks that hold across instances (pushes, alignments, git data fetches and maintenance of one
// repository never interleave, whichever instance runs them): a PostgreSQL session advisory lock per
// repository, held on a connection of a small pool of its own for as long as the lock is held. Keys are
// paths relative to the shared data directory, so every instance names a repository the same way.
import { relative } from 'node:path';
import pg from 'pg';
import type { SharedLock } from '../git/repo-lock.js';

export class PostgresRepoLocks implements SharedLock {
  readonly #pool: pg.Pool;

  constructor(url: string, private readonly dataDir: string, maxHeld = 20) {
    this.#pool = new pg.Pool({ connectionString: url, max: maxHeld });
    this.#pool.on('error', () => {});
  }

  async acquire(key: string): Promise<() => Promise<void>> {
    const name = `repo:${relative(this.dataDir, key)}`;
    const c = await this.#pool.connect();
    try {
      await c.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [name]);
    } catch (err) {
      c.release(true);
      throw err;
    }
    return async () => {
      try {
        await c.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]);
        c.release();
      } catch {
        c.release(true); // the session ends: the lock goes with it
      }
    };
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
