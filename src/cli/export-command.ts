// `graspd export [--url URL | --data-dir DIR] [--page-size N]`: every served event as JSON lines on
// stdout, newest first. From a running server by REQ pages (what it serves), or straight from the
// LMDB store of a data dir (readers never block the server; works while it runs or is stopped).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RelayLink } from '../audit/relay-link.js';
import { exportAll, type ExportStats, type PageSource } from '../admin/export-pages.js';
import { LmdbStore } from '../store/lmdb-store.js';
import { UsageError, parseSubArgs, type Io } from './sub-args.js';
import { targetOf } from './target.js';

export async function exportCommand(argv: string[], io: Io): Promise<number> {
  const a = parseSubArgs(argv, { values: ['url', 'data-dir', 'page-size', 'timeout-ms'] });
  if (a.positional.length > 0) throw new UsageError('usage: graspd export [--url URL | --data-dir DIR] [--page-size N]');
  const pageSize = a.int('page-size', 500);
  if (pageSize < 1) throw new UsageError('--page-size must be at least 1');
  const write = (line: string): void => io.out(line + '\n');
  let stats: ExportStats;
  const dataDir = a.value('data-dir');
  if (dataDir !== undefined) {
    if (a.value('url') !== undefined) throw new UsageError('--url and --data-dir exclude each other');
    const dir = join(dataDir, 'events');
    if (!existsSync(dir)) throw new UsageError(`no event store at ${dir}`);
    const store = await LmdbStore.open(dir);
    try {
      const src: PageSource = { query: (f) => store.query([f], { maxLimit: Number.MAX_SAFE_INTEGER }) };
      stats = await exportAll(src, pageSize, (e) => write(JSON.stringify(e)));
    } finally {
      await store.close();
    }
  } else {
    const target = targetOf(a);
    const timeoutMs = a.int('timeout-ms', 30_000);
    const maxLimit = await serverMaxLimit(target.http, timeoutMs);
    const link = await RelayLink.connect(target.ws, timeoutMs);
    try {
      stats = await exportAll({ query: (f) => link.query([f]) }, pageSize, (e) => write(JSON.stringify(e)), maxLimit ?? pageSize);
    } finally {
      link.close();
    }
  }
  io.err(`exported ${stats.events} events\n`);
  if (stats.truncatedSeconds > 0) io.err(`warning: ${stats.truncatedSeconds} second(s) held more events than the server returns for one filter; some may be missing (use --data-dir)\n`);
  return 0;
}

/** NIP-11 limitation.max_limit, if the server states one. */
async function serverMaxLimit(http: string, timeoutMs: number): Promise<number | undefined> {
  try {
    const r = await fetch(http, { headers: { Accept: 'application/nostr+json' }, signal: AbortSignal.timeout(timeoutMs) });
    const doc = (await r.json()) as { limitation?: { max_limit?: unknown } };
    const n = doc.limitation?.max_limit;
    return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
