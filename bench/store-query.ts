// Store bench: insert 100k GRASP-shaped events into LmdbStore (insert rate through `save`, durable commits),
// then median and p95 latency of the typical GRASP filters (target: median <= 5 ms).
// Standalone: `node --import tsx bench/store-query.ts`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LmdbStore } from '../src/store/lmdb-store.js';
import { graspCorpus, typicalFilters } from '../src/store/test-corpus.js';
import type { BenchRow } from './types.js';

const EVENTS = 100_000;
const BATCH = 2_000;
const RUNS = 50;
const WARMUP = 5;

/** Saves the corpus (durable commits, BATCH saves in flight); the corpus is garbage once this returns. */
async function fill(store: LmdbStore): Promise<{ rate: number; queries: ReturnType<typeof typicalFilters> }> {
  const corpus = graspCorpus(EVENTS);
  const t0 = performance.now();
  for (let i = 0; i < corpus.events.length; i += BATCH) {
    await Promise.all(corpus.events.slice(i, i + BATCH).map((e) => store.save(e)));
  }
  const rate = Math.round(EVENTS / ((performance.now() - t0) / 1000));
  return { rate, queries: typicalFilters(corpus) };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'graspd-bench-store-'));
  const store = await LmdbStore.open(dir);
  const rows: BenchRow[] = [];
  try {
    const { rate, queries } = await fill(store);
    rows.push({ group: 'store', name: `lmdb insert ${EVENTS} events (batches of ${BATCH})`, value: rate, unit: 'events/s' });
    for (const { name, filters } of queries) {
      const times: number[] = [];
      let n = 0;
      for (let r = -WARMUP; r < RUNS; r++) {
        const t = performance.now();
        n = (await store.queryRaw(filters, { maxLimit: 500 })).length;
        if (r >= 0) times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const median = quantile(times, 0.5);
      rows.push({ group: 'store', name: `query ${name} (${n} events) median`, value: round(median), unit: 'ms', target: '<= 5 ms' });
      rows.push({ group: 'store', name: `query ${name} p95`, value: round(quantile(times, 0.95)), unit: 'ms' });
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(`${r.name}: ${r.value} ${r.unit}${r.target ? ` (target ${r.target})` : ''}`);
}
