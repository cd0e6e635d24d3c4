// `npm run bench [-- group...]`: runs the bench modules in sequence (all, or the named ones), keeps going
// when one fails (its error is printed, the exit code is non-zero at the end), prints one aligned table
// (group | measurement | value | baseline measured in the same run | ratio | target) and writes the rows
// as JSON to .tmp/bench-results.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './types.js';

type Module = { run(): Promise<BenchRow[]> };

const MODULES: Record<string, () => Promise<Module>> = {
  verify: () => import('./verify.js'),
  'store-query': () => import('./store-query.js'),
  relay: () => import('./relay.js'),
  git: () => import('./git.js'),
  sync: () => import('./sync.js'),
  gitfetch: () => import('./gitfetch.js'),
  spam: () => import('./spam.js'),
  hostile: () => import('./hostile.js'),
  storage: () => import('./storage.js'),
  'sync-scale': () => import('./sync-scale.js'),
  postgres: () => import('./postgres.js'),
};

function fmt(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return '';
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

/** The rows as an aligned text table (pure, for printing). */
export function formatTable(rows: readonly BenchRow[]): string {
  const header = ['group', 'measurement', 'value', 'baseline (same run)', 'ratio', 'target'];
  const cells = rows.map((r) => [
    r.group,
    r.name,
    `${fmt(r.value)} ${r.unit}`.trim(),
    r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.baseline.unit}`.trim() : '',
    r.ratio === undefined || Number.isNaN(r.ratio) ? '' : r.ratio < 0.1 ? r.ratio.toPrecision(2) : r.ratio.toFixed(2),
    r.target ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => (i === 2 || i === 4 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join(' | ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(w in MODULES));
  if (unknown.length > 0) {
    console.error(`unknown bench group(s): ${unknown.join(', ')}; known: ${Object.keys(MODULES).join(', ')}`);
    process.exit(2);
  }
  const names = wanted.length > 0 ? Object.keys(MODULES).filter((n) => wanted.includes(n)) : Object.keys(MODULES);
  const rows: BenchRow[] = [];
  const failed: string[] = [];
  for (const name of names) {
    const t0 = performance.now();
    console.error(`[bench] ${name} …`);
    try {
      const mod = await MODULES[name]!();
      const got = await mod.run();
      rows.push(...got);
      for (const r of got) console.error(`[bench]   ${JSON.stringify(r)}`);
    } catch (err) {
      failed.push(name);
      console.error(`[bench] ${name} FAILED:`, err);
      rows.push({ group: name, name: `FAILED: ${String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 120)}`, value: NaN, unit: '' });
    }
    console.error(`[bench] ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.log(formatTable(rows));
  const out = fileURLToPath(new URL('../.tmp/bench-results.json', import.meta.url));
  mkdirSync(fileURLToPath(new URL('../.tmp/', import.meta.url)), { recursive: true });
  writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), groups: names, failed, rows }, null, 2) + '\n');
  console.error(`[bench] rows written to ${out}`);
  if (failed.length > 0) {
    console.error(`[bench] failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
  // stray handles (sockets, timers) of a failed module must not keep the process alive
  setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
}

await main();
