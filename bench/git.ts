// Git smart-HTTP benchmarks (GRASP-01 "git smart HTTP") against a real graspd process, each as a ratio to
// plain git over file:// of the same bare repository in the same run: clone (median of 5, target ≤ 1.15),
// push of the whole history to a fresh repo (median of 5), and 8 parallel clones (wall time).
// The repository is ~10 MB: ≈120 commits of text history plus one ~8 MB random blob.
// Standalone: `npm run build && node --import tsx bench/git.ts`.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mustGit } from '../src/git/test-kit.js';
import { publish } from '../test/sync/kit.js';
import { announcementFor, benchKey, signWith, spawnServer, type BenchKey } from './lib.js';
import type { BenchRow } from './types.js';

const GROUP = 'git';
const COMMITS = Number(process.env.BENCH_GIT_COMMITS ?? 120);
const BLOB_MB = Number(process.env.BENCH_GIT_BLOB_MB ?? 8);
const RUNS = 5;
const PARALLEL = 8;

/** Text of `lines` lines of random words (compresses like source, not like zeros). */
function textChunk(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(randomBytes(30).toString('base64'));
  return out.join('\n') + '\n';
}

/** A work repo with COMMITS commits touching a few text files and one large random blob; returns its path. */
async function buildRepo(dir: string): Promise<string> {
  const work = join(dir, 'work');
  await mustGit(['init', '-q', work]);
  const files = ['README.md', 'src/a.txt', 'src/b.txt', 'docs/c.txt'];
  await mustGit(['-C', work, 'config', 'core.autocrlf', 'false']);
  for (const sub of ['src', 'docs']) mkdirSync(join(work, sub), { recursive: true });
  const contents = files.map(() => textChunk(100));
  for (let i = 0; i < COMMITS; i++) {
    const f = i % files.length;
    // each commit inserts new lines in the middle of one file: real deltas, growing history
    contents[f] = contents[f]!.slice(0, Math.floor(contents[f]!.length / 2)) + textChunk(300) + contents[f]!.slice(Math.floor(contents[f]!.length / 2));
    writeFileSync(join(work, files[f]!), contents[f]!);
    if (i === Math.floor(COMMITS / 2)) writeFileSync(join(work, 'blob.bin'), randomBytes(BLOB_MB * 1024 * 1024));
    await mustGit(['-C', work, 'add', '-A']);
    await mustGit(['-C', work, 'commit', '-q', '-m', `commit ${i}`]);
  }
  await mustGit(['-C', work, 'branch', '-M', 'main']);
  return work;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function stateFor(key: BenchKey, d: string, head: string, at: number): ReturnType<typeof signWith> {
  return signWith(key, 30618, [['d', d], ['refs/heads/main', head], ['HEAD', 'ref: refs/heads/main']], '', at);
}

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'graspd-bench-git-'));
  const srv = await spawnServer(['--no-sync', '--verify-workers', '0']);
  try {
    const work = await buildRepo(dir);
    const head = await mustGit(['-C', work, 'rev-parse', 'HEAD']);
    const bare = join(dir, 'bare.git');
    // packed like a served repo: git serves from a pack, not from loose objects it would first compress
    await mustGit(['-C', work, 'gc', '-q']);
    await mustGit(['clone', '-q', '--bare', '--no-local', work, bare]);
    const sizeKb = Number(/size-pack: (\d+)/.exec(await mustGit(['-C', bare, 'count-objects', '-v']))?.[1] ?? 0);
    const key = benchKey();
    const now = Math.floor(Date.now() / 1000);
    const url = (d: string): string => `${srv.url}/${key.npub}/${d}.git`;
    const announce = async (d: string): Promise<void> => {
      await publish(`ws://${srv.domain}`, announcementFor(key, d, [srv.domain], now - 60), stateFor(key, d, head, now - 30));
    };

    // push: whole history to a fresh graspd repo vs a fresh file:// bare repo (alternating)
    const pushMs: number[] = [];
    const pushFileMs: number[] = [];
    for (let i = 0; i < RUNS; i++) await announce(`push${i}`);
    for (let i = 0; i < RUNS; i++) {
      const target = join(dir, `push-target-${i}.git`);
      await mustGit(['init', '-q', '--bare', target]);
      pushFileMs.push(await timed(() => mustGit(['-C', work, 'push', '-q', `file://${target}`, 'main:refs/heads/main'])));
      pushMs.push(await timed(() => mustGit(['-C', work, 'push', '-q', url(`push${i}`), 'main:refs/heads/main'])));
      rmSync(target, { recursive: true, force: true });
    }

    // clone: graspd vs file:// of the same bare repo (alternating)
    const cloneMs: number[] = [];
    const cloneFileMs: number[] = [];
    const src = url('push0');
    for (let i = 0; i < RUNS; i++) {
      const a = join(dir, `clone-file-${i}`);
      const b = join(dir, `clone-graspd-${i}`);
      cloneFileMs.push(await timed(() => mustGit(['clone', '-q', `file://${bare}`, a])));
      cloneMs.push(await timed(() => mustGit(['clone', '-q', src, b])));
      if ((await mustGit(['-C', b, 'rev-parse', 'HEAD'])) !== head) throw new Error('clone through graspd has the wrong HEAD');
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }

    // 8 parallel clones, wall time
    const parallel = async (from: string, tag: string): Promise<number> => {
      const dirs = Array.from({ length: PARALLEL }, (_, i) => join(dir, `par-${tag}-${i}`));
      const ms = await timed(() => Promise.all(dirs.map((d) => mustGit(['clone', '-q', from, d]))));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
      return ms;
    };
    const parFile = await parallel(`file://${bare}`, 'file');
    const parGraspd = await parallel(src, 'graspd');

    const row = (name: string, ms: number, base: number, baseName: string, target?: string): BenchRow => ({
      group: GROUP,
      name,
      value: Math.round(ms),
      unit: 'ms',
      baseline: { name: baseName, value: Math.round(base), unit: 'ms' },
      ratio: Number((ms / base).toFixed(2)),
      ...(target ? { target } : {}),
    });
    const size = `${(sizeKb / 1024).toFixed(1)} MB pack, ${COMMITS} commits`;
    return [
      row(`clone via graspd (${size}), median of ${RUNS}`, median(cloneMs), median(cloneFileMs), 'git clone file://', '≤ 1.15'),
      row(`push whole history to a fresh graspd repo, median of ${RUNS}`, median(pushMs), median(pushFileMs), 'push to file:// bare'),
      row(`${PARALLEL} parallel clones via graspd, wall`, parGraspd, parFile, `${PARALLEL} parallel file:// clones`),
    ];
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
