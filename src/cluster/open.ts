// The shared-database parts of one instance (--database-url): event store, purgatory and repository locks
// on PostgreSQL, and the name this instance gives its own scratch space in the shared data directory.
import { hostname } from 'node:os';
import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import { PostgresEventStore } from '../store/postgres-store.js';
import { PostgresPurgatory } from './postgres-purgatory.js';
import { PostgresRepoLocks } from './shared-locks.js';

export interface Cluster {
  url: string;
  store: PostgresEventStore;
  purgatory: PostgresPurgatory;
  repoLocks: PostgresRepoLocks;
  /** unique among instances running at once */
  instance: string;
}

export async function openCluster(url: string, config: Pick<Config, 'dataDir' | 'purgatoryExpiryMs'>, log: Logger, now: () => number): Promise<Cluster> {
  const store = await PostgresEventStore.connect(url);
  const purgatory = await PostgresPurgatory.open(store.pool, url, { expiryMs: config.purgatoryExpiryMs, now, log });
  const repoLocks = new PostgresRepoLocks(url, config.dataDir);
  log.info({ database: redact(url) }, 'events and purgatory in PostgreSQL');
  return { url, store, purgatory, repoLocks, instance: `${hostname()}-${process.pid}` };
}

/** The URL without its password, for logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
