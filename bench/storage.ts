// Git storage benchmarks (issue 11) against a real graspd process, as ratios to plain git over file:// of the
// same history fully repacked, in the same run: clone of a small-push repo (< 100 objects, one large blob)
// and of a 5,000-commit repo, before and after background maintenance; 8 parallel clones; an incremental
// fetch of one new commit; disk used by 10 owners hosting the same 5,000-commit repository vs one copy.
// Standalone: `npm run build && node --import tsx bench/storage.ts`.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { commit, mustGit } from '../src/git/test-kit.js';
import { repoDir } from '../src/git/repo-paths.js';
import { repoStorage } from '../src/git/storage-stats.js';
import { publish } from '../test/sync/kit.js';
import { importHistory } from '../test/helpers/git-history.js';
import { benchKey, signWith, spawnServer, type BenchKey, type BenchServer } from './lib.js';
import type { BenchRow } from './types.js';

const GROUP = 'storage';
const RUNS = 5;
const PARALLEL = 8;
const OWNERS = 10;
const BIG_COMMITS = Number(process.env.BENCH_STORAGE_COMMITS ?? 5000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function duBytes(path: string): number {
  let total = 0;
  const walk = (p: string): void => {
    let st;
    try { st = statSync(p); } catch { return; }
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    else total += st.blocks * 512;
  };
  walk(path);
  return total;
}

function announcement(key: BenchKey, d: string, domain: string, maintainers: string[], at: number): ReturnType<typeof signWith> {
  return signWith(key, 30617, [
    ['d', d], ['name', d], ['clone', `http://${domain}/${key.npub}/${d}.git`], ['relays', `ws://${domain}`],
    ...(maintainers.length > 0 ? [['maintainers', ...maintainers]] : []),
  ], '', at);
}

function state(key: BenchKey, d: string, head: string, at: number): ReturnType<typeof signWith> {
  return signWith(key, 30618, [['d', d], ['refs/heads/main', head], ['HEAD', 'ref: refs/heads/main']], '', at);
}

/** A work repo and a fully repacked bare copy of it (the file:// baseline). */
async function history(dir: string, name: string, commits: number, blobBytes: number): Promise<{ work: string; bare: string; head: string }> {
  const work = join(dir, `${name}-work`);
  await mustGit(['init', '-q', '-b', 'main', work]);
  const head = await importHistory(work, { commits, blobBytes });
  const bare = join(dir, `${name}-bare.git`);
  await mustGit(['clone', '-q', '--bare', '--no-local', work, bare]);
  await mustGit(['-C', bare, 'repack', '-a', '-d', '-q', '--write-bitmap-index']);
  await mustGit(['-C', bare, 'commit-graph', 'write', '--reachable']);
  return { work, bare, head };
}

async function waitMaintained(dir: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await repoStorage(dir);
    if (s.looseObjects === 0 && s.commitGraph && (s.bitmap || s.alternates.length > 0)) return;
    if (Date.now() > deadline) throw new Error(`maintenance did not run on ${dir}: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function cloneRatio(dir: string, url: string, bare: string, head: string, tag: string): Promise<{ ms: number; fileMs: number }> {
  const ms: number[] = [];
  const fileMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const a = join(dir, `c-${tag}-file-${i}`), b = join(dir, `c-${tag}-graspd-${i}`);
    fileMs.push(await timed(() => mustGit(['clone', '-q', '--bare', `file://${bare}`, a])));
    ms.push(await timed(() => mustGit(['clone', '-q', '--bare', url, b])));
    if ((await mustGit(['--git-dir', b, 'rev-parse', 'HEAD'])) !== head) throw new Error('clone through graspd has the wrong HEAD');
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
  return { ms: median(ms), fileMs: median(fileMs) };
}

async function parallelRatio(dir: string, url: string, bare: string): Promise<{ ms: number; fileMs: number }> {
  const par = async (from: string, tag: string): Promise<number> => {
    const dirs = Array.from({ length: PARALLEL }, (_, i) => join(dir, `par-${tag}-${i}`));
    const ms = await timed(() => Promise.all(dirs.map((d) => mustGit(['clone', '-q', '--bare', from, d]))));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    return ms;
  };
  const fileMs = await par(`file://${bare}`, 'file');
  return { ms: await par(url, 'graspd'), fileMs };
}

function row(name: string, value: number, unit: string, base: number, baseName: string, target?: string): BenchRow {
  return {
    group: GROUP, name, value: Math.round(value), unit,
    baseline: { name: baseName, value: Math.round(base), unit },
    ratio: Number((value / base).toFixed(2)),
    ...(target ? { target } : {}),
  };
}

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'graspd-bench-storage-'));
  const rows: BenchRow[] = [];
  let srv: BenchServer | undefined;
  try {
    srv = await spawnServer(['--no-sync', '--verify-workers', '0', '--min-free-disk-bytes', '0',
      '--git-maintenance-debounce-ms', '2000', '--git-maintenance-interval-ms', '3000']);
    const domain = srv.domain;
    const now = Math.floor(Date.now() / 1000);
    const url = (k: BenchKey, d: string): string => `${srv!.url}/${k.npub}/${d}.git`;

    // 1. a small push (21 commits, one 8 MB blob): before and after maintenance
    const small = await history(dir, 'small', 21, 8 * 1024 * 1024);
    const ks = benchKey();
    await publish(`ws://${domain}`, announcement(ks, 'small', domain, [], now - 60), state(ks, 'small', small.head, now - 30));
    // push, then measure at once (before the debounced maintenance window ends)
    await mustGit(['-C', small.work, 'push', '-q', url(ks, 'small'), 'main:refs/heads/main']);
    const smallDir = repoDir(srv.dataDir, ks.pk, 'small');
    const before = await timed(() => mustGit(['clone', '-q', '--bare', url(ks, 'small'), join(dir, 'first-clone')]));
    const beforeFile = await timed(() => mustGit(['clone', '-q', '--bare', `file://${small.bare}`, join(dir, 'first-clone-file')]));
    rows.push(row('small push (21 commits, 8 MB blob): first clone, before maintenance', before, 'ms', beforeFile, 'git clone file:// (repacked)'));
    await waitMaintained(smallDir);
    const sc = await cloneRatio(dir, url(ks, 'small'), small.bare, small.head, 'small');
    rows.push(row(`small push: clone after maintenance, median of ${RUNS}`, sc.ms, 'ms', sc.fileMs, 'git clone file:// (repacked)', '≤ 1.10'));
    const sp = await parallelRatio(dir, url(ks, 'small'), small.bare);
    rows.push(row(`small push: ${PARALLEL} parallel clones, wall`, sp.ms, 'ms', sp.fileMs, `${PARALLEL} parallel file:// clones`));

    // 2. a 5,000-commit repo, hosted by 10 owners of one repository (one maintainer set)
    const big = await history(dir, 'big', BIG_COMMITS, 0);
    const owners = Array.from({ length: OWNERS }, () => benchKey());
    const all = owners.map((k) => k.pk);
    const anns = owners.map((k, i) => announcement(k, 'big', domain, all.filter((p) => p !== k.pk), now - 100 + i));
    await publish(`ws://${domain}`, ...anns, state(owners[0]!, 'big', big.head, now - 20));
    await mustGit(['-C', big.work, 'push', '-q', url(owners[0]!, 'big'), 'main:refs/heads/main']);
    const bigDir = repoDir(srv.dataDir, owners[0]!.pk, 'big');
    const bb = await cloneRatio(dir, url(owners[0]!, 'big'), big.bare, big.head, 'big-before');
    rows.push(row(`${BIG_COMMITS}-commit repo: clone before maintenance, median of ${RUNS}`, bb.ms, 'ms', bb.fileMs, 'git clone file:// (repacked)'));
    // every copy aligned (the server copies the objects into each owner's repo) and pooled by the sweep
    const dirs = owners.map((k) => repoDir(srv!.dataDir, k.pk, 'big'));
    const deadline = Date.now() + 600_000;
    for (;;) {
      const st = await Promise.all(dirs.map((d) => repoStorage(d).catch(() => undefined)));
      if (st.every((s) => s && s.alternates.length > 0 && s.looseObjects === 0)) break;
      if (Date.now() > deadline) throw new Error('copies were not pooled');
      await new Promise((r) => setTimeout(r, 500));
    }
    await waitMaintained(bigDir);
    await new Promise((r) => setTimeout(r, 5000)); // a further sweep: pool repacked with its bitmap
    const ba = await cloneRatio(dir, url(owners[0]!, 'big'), big.bare, big.head, 'big-after');
    rows.push(row(`${BIG_COMMITS}-commit repo: clone after maintenance, median of ${RUNS}`, ba.ms, 'ms', ba.fileMs, 'git clone file:// (repacked)', '≤ 1.10'));
    const bp = await parallelRatio(dir, url(owners[0]!, 'big'), big.bare);
    rows.push(row(`${BIG_COMMITS}-commit repo: ${PARALLEL} parallel clones, wall`, bp.ms, 'ms', bp.fileMs, `${PARALLEL} parallel file:// clones`));
    const onDisk = dirs.reduce((s, d) => s + duBytes(d), 0) + duBytes(join(srv.dataDir, 'pools'));
    const one = duBytes(big.bare);
    rows.push({ group: GROUP, name: `disk: ${OWNERS} owners hosting the same ${BIG_COMMITS}-commit repo`, value: onDisk, unit: 'B',
      baseline: { name: 'one repacked copy', value: one, unit: 'B' }, ratio: Number((onDisk / one).toFixed(2)), target: '≤ 1.10' });

    // 3. incremental fetch of one new commit by a client that has the rest
    const client = join(dir, 'client.git'), clientFile = join(dir, 'client-file.git');
    await mustGit(['clone', '-q', '--bare', url(owners[0]!, 'big'), client]);
    await mustGit(['clone', '-q', '--bare', `file://${big.bare}`, clientFile]);
    const fetchMs: number[] = [], fetchFileMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const tip = await commit(big.work, `incremental ${i}`);
      await publish(`ws://${domain}`, state(owners[0]!, 'big', tip, now + i + 1));
      await mustGit(['-C', big.work, 'push', '-q', url(owners[0]!, 'big'), 'main:refs/heads/main']);
      await mustGit(['-C', big.work, 'push', '-q', big.bare, 'main:refs/heads/main']);
      fetchFileMs.push(await timed(() => mustGit(['--git-dir', clientFile, 'fetch', '-q', `file://${big.bare}`, 'main:main'])));
      fetchMs.push(await timed(() => mustGit(['--git-dir', client, 'fetch', '-q', url(owners[0]!, 'big'), 'main:main'])));
    }
    rows.push(row(`incremental fetch of one new commit, median of ${RUNS}`, median(fetchMs), 'ms', median(fetchFileMs), 'git fetch file://', '≤ 1.20'));
    return rows;
  } finally {
    await srv?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(JSON.stringify(r));
}
