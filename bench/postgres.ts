// Scale-out bench (issue "Scale-out on PostgreSQL"), same-run ratios on this machine:
// 1. PostgresEventStore vs LmdbStore: insert rate of the GRASP corpus and the typical GRASP query medians;
// 2. ingest over WebSockets into 1 vs 3 graspd instances sharing one database (scaling ratio);
// 3. live fan-out across instances: publish on A, a live subscriber on B receives it (p50/p95).
// PostgreSQL is started in a temp dir like in the tests. Standalone: `npm run build && node --import tsx bench/postgres.ts`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { LmdbStore } from '../src/store/lmdb-store.js';
import { PostgresEventStore } from '../src/store/postgres-store.js';
import { graspCorpus, typicalFilters } from '../src/store/test-corpus.js';
import type { EventStore } from '../src/store/types.js';
import type { NostrEvent } from '../src/nostr/types.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { commit, mustGit, workRepo } from '../src/git/test-kit.js';
import { announcementFor, benchKey, percentile, signWith, spawnServer, type BenchServer } from './lib.js';
import type { BenchRow } from './types.js';

const GROUP = 'postgres';
const EVENTS = Number(process.env.BENCH_PG_EVENTS ?? 100_000);
const BATCH = 200;
const RUNS = 30;
const INGEST_EVENTS = Number(process.env.BENCH_PG_INGEST ?? 3_000);
const FANOUT_SAMPLES = 50;

async function fill(store: EventStore, events: readonly NostrEvent[]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < events.length; i += BATCH) await Promise.all(events.slice(i, i + BATCH).map((e) => store.save(e)));
  return events.length / ((performance.now() - t0) / 1000);
}

async function medians(store: EventStore, queries: ReturnType<typeof typicalFilters>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const { name, filters } of queries) {
    const times: number[] = [];
    for (let r = -3; r < RUNS; r++) {
      const t = performance.now();
      await store.queryRaw(filters, { maxLimit: 500 });
      if (r >= 0) times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    out.set(name, percentile(times, 50));
  }
  return out;
}

/** Publishes events over `conns` WebSockets spread over `urls`, pipelined; resolves at the last OK. */
async function ingest(urls: string[], events: readonly NostrEvent[], connsPerUrl = 2): Promise<number> {
  const sockets = await Promise.all(urls.flatMap((u) => Array.from({ length: connsPerUrl }, () => new Promise<WebSocket>((r, j) => {
    const ws = new WebSocket(u);
    ws.once('open', () => r(ws));
    ws.once('error', j);
  }))));
  const t0 = performance.now();
  await Promise.all(sockets.map((ws, k) => new Promise<void>((resolve) => {
    const mine = events.filter((_, i) => i % sockets.length === k);
    let pending = mine.length;
    if (pending === 0) return resolve();
    ws.on('message', (d) => {
      if (d.toString().startsWith('["OK"') && --pending === 0) resolve();
    });
    for (const e of mine) ws.send(JSON.stringify(['EVENT', e]));
  })));
  const ms = performance.now() - t0;
  for (const ws of sockets) ws.close();
  return events.length / (ms / 1000);
}

const OWNER = benchKey();

/** Issues on one served repo (stored at once, like most traffic of a GRASP server). */
function issues(n: number): NostrEvent[] {
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: n }, (_, i) => signWith(benchKey(), 1621, [['a', `30617:${OWNER.pk}:bench`], ['p', OWNER.pk], ['subject', `issue ${i}`]], `body ${i} ${Math.random()}`, now - 50));
}

/** Announces and pushes the repo the issues are about, through `s`. */
async function serveRepo(s: BenchServer, domain: string): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const work = await workRepo();
  const tip = await commit(work, 'bench');
  await ingest([`ws://127.0.0.1:${s.port}`], [
    announcementFor(OWNER, 'bench', [domain], now - 100),
    signWith(OWNER, 30618, [['d', 'bench'], ['refs/heads/main', tip], ['HEAD', 'ref: refs/heads/main']], '', now - 90),
  ], 1);
  await mustGit(['-C', work, 'push', '-q', `${s.url}/${OWNER.npub}/bench.git`, 'HEAD:refs/heads/main']);
}

export async function run(): Promise<BenchRow[]> {
  const pg = await startPostgres();
  const rows: BenchRow[] = [];
  const servers: BenchServer[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'graspd-bench-pg-'));
  try {
    // 1. stores
    const corpus = graspCorpus(EVENTS);
    const queries = typicalFilters(corpus);
    const lmdb = await LmdbStore.open(join(dir, 'lmdb'));
    const lmdbRate = await fill(lmdb, corpus.events);
    const lmdbMed = await medians(lmdb, queries);
    await lmdb.close();
    const pgStore = await PostgresEventStore.connect(await pg.freshDatabase(), { maxConnections: 16 });
    const pgRate = await fill(pgStore, corpus.events);
    await pgStore.pool.query('ANALYZE');
    const pgMed = await medians(pgStore, queries);
    await pgStore.close();
    rows.push({ group: GROUP, name: `insert ${EVENTS} GRASP events (${BATCH} in flight)`, value: Math.round(pgRate), unit: 'events/s', baseline: { name: 'LmdbStore', value: Math.round(lmdbRate), unit: 'events/s' }, ratio: Number((pgRate / lmdbRate).toFixed(2)) });
    for (const [name, ms] of pgMed) {
      const base = lmdbMed.get(name)!;
      rows.push({ group: GROUP, name: `query ${name}, median`, value: Number(ms.toFixed(2)), unit: 'ms', baseline: { name: 'LmdbStore', value: Number(base.toFixed(2)), unit: 'ms' }, ratio: Number((ms / base).toFixed(2)), target: 'median ≤ 5 ms' });
    }

    // 2. ingest into 1 vs 3 instances on one database
    const rate = async (n: number, embedded = false): Promise<number> => {
      const url = await pg.freshDatabase();
      const data = mkdtempSync(join(tmpdir(), 'graspd-bench-pg-data-'));
      const started: BenchServer[] = [];
      for (let i = 0; i < n; i++) {
        const s = await spawnServer([...(embedded ? [] : ['--database-url', url]), '--domain', 'bench.cluster.test', '--no-sync', '--min-free-disk-bytes', '0', '--rate-limit-events-per-second', '1000000', '--rate-limit-burst', '1000000'], { dataDir: data });
        started.push(s);
        servers.push(s);
      }
      await serveRepo(started[0]!, 'bench.cluster.test');
      const r = await ingest(started.map((s) => `ws://127.0.0.1:${s.port}`), issues(INGEST_EVENTS));
      if (n === 3) {
        // 3. fan-out: publish on A, live subscriber on B
        const sub = new WebSocket(`ws://127.0.0.1:${started[1]!.port}`);
        await new Promise((res) => sub.once('open', res));
        const seen = new Map<string, number>();
        sub.on('message', (d) => {
          const m = JSON.parse(d.toString()) as unknown[];
          if (m[0] === 'EVENT') seen.set((m[2] as { id: string }).id, performance.now());
        });
        sub.send(JSON.stringify(['REQ', 'live', { kinds: [1621], limit: 0 }]));
        await new Promise((res) => setTimeout(res, 200));
        const pub = new WebSocket(`ws://127.0.0.1:${started[0]!.port}`);
        await new Promise((res) => pub.once('open', res));
        const lat: number[] = [];
        for (const e of issues(FANOUT_SAMPLES)) {
          const t = performance.now();
          pub.send(JSON.stringify(['EVENT', e]));
          const deadline = Date.now() + 5_000;
          while (!seen.has(e.id) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 1));
          if (seen.has(e.id)) lat.push(seen.get(e.id)! - t);
        }
        lat.sort((a, b) => a - b);
        rows.push({ group: GROUP, name: `live fan-out A → subscriber on B, p50 of ${lat.length}`, value: Number(percentile(lat, 50).toFixed(1)), unit: 'ms' });
        rows.push({ group: GROUP, name: `live fan-out A → subscriber on B, p95`, value: Number(percentile(lat, 95).toFixed(1)), unit: 'ms' });
        pub.close();
        sub.close();
      }
      for (const s of started) {
        await s.stop();
        servers.splice(servers.indexOf(s), 1);
      }
      rmSync(data, { recursive: true, force: true });
      return r;
    };
    const lmdbOne = await rate(1, true);
    const one = await rate(1);
    const three = await rate(3);
    rows.push({ group: GROUP, name: `ingest of ${INGEST_EVENTS} issues over WebSockets, 1 instance on PostgreSQL`, value: Math.round(one), unit: 'events/s', baseline: { name: '1 instance on LMDB', value: Math.round(lmdbOne), unit: 'events/s' }, ratio: Number((one / lmdbOne).toFixed(2)) });
    rows.push({ group: GROUP, name: `ingest of ${INGEST_EVENTS} issues over WebSockets, 3 instances on one database`, value: Math.round(three), unit: 'events/s', baseline: { name: '1 instance', value: Math.round(one), unit: 'events/s' }, ratio: Number((three / one).toFixed(2)) });
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(JSON.stringify(r));
}
