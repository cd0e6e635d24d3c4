// Git data sync benchmark (GRASP.md "Git data sync", GRASP-02): repos announced on A and B, data pushed
// to A only; B learns of them by proactive sync and fetches the git data itself. Measures the time from
// the push to A to a `git clone` from B with the same refs (p50 / p95 over the repos, --gitfetch-delay-ms
// 100) and the bytes B fetched (graspd_gitfetch_bytes_total) vs the pack size of the pushed histories.
// Skipped with a row saying why when B has no git data sync. Standalone: `node --import tsx bench/gitfetch.ts`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { git, mustGit } from '../src/git/test-kit.js';
import { startGraspd, waitUntil, type Graspd } from '../test/helpers/process.js';
import { freePort, percentile } from './lib.js';
import { makeRepos, metricSum, publishPipelined } from './sync.js';
import type { BenchRow } from './types.js';

const GROUP = 'gitfetch';
const REPOS = Number(process.env.BENCH_GITFETCH_REPOS ?? 12);
const COMMITS = 30;

/** A work repo with COMMITS commits of random text (~25 KB each), packed; returns path, head and pack bytes. */
async function history(dir: string): Promise<{ work: string; head: string; packBytes: number }> {
  const work = join(dir, 'work');
  mkdirSync(work, { recursive: true });
  await mustGit(['init', '-q', work]);
  for (let i = 0; i < COMMITS; i++) {
    writeFileSync(join(work, `f${i % 5}.txt`), randomBytes(18_000).toString('base64'));
    await mustGit(['-C', work, 'add', '-A']);
    await mustGit(['-C', work, 'commit', '-q', '-m', `c${i}`]);
  }
  await mustGit(['-C', work, 'branch', '-M', 'main']);
  await mustGit(['-C', work, 'gc', '-q']);
  const kb = Number(/size-pack: (\d+)/.exec(await mustGit(['-C', work, 'count-objects', '-v']))?.[1] ?? 0);
  return { work, head: await mustGit(['-C', work, 'rev-parse', 'HEAD']), packBytes: kb * 1024 };
}

const skip = (why: string): BenchRow[] => [{ group: GROUP, name: `skipped: ${why}`, value: NaN, unit: '' }];

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'graspd-bench-gitfetch-'));
  const servers: Graspd[] = [];
  try {
    const [aPort, bPort] = [await freePort(), await freePort()];
    const a = await startGraspd({ port: aPort, args: ['--no-sync'] });
    servers.push(a);
    const b = await startGraspd({ port: bPort, args: ['--bootstrap-relay', a.relayUrl, '--gitfetch-delay-ms', '100', '--sync-batch-window-ms', '200'] });
    servers.push(b);
    const metrics = await (await fetch(`${b.httpUrl}/metrics`)).text();
    if (!metrics.includes('graspd_gitfetch_bytes_total')) return skip('B has no git data sync (graspd_gitfetch_bytes_total missing from /metrics)');
    const { work, head, packBytes } = await history(dir);
    const repos = makeRepos(REPOS, [a.domain, b.domain], head, Math.floor(Date.now() / 1000) - 60);
    const bytes0 = await metricSum(b.httpUrl, 'graspd_gitfetch_bytes_total');
    const times: number[] = [];
    for (const r of repos) {
      await publishPipelined(a.relayUrl, [r.ann]);
      await publishPipelined(a.relayUrl, [r.state]);
      const t0 = performance.now();
      await mustGit(['-C', work, 'push', '-q', `${a.httpUrl}/${r.owner.npub}/${r.d}.git`, 'main:refs/heads/main']);
      const url = `${b.httpUrl}/${r.owner.npub}/${r.d}.git`;
      const out = join(dir, `clone-${r.d}`);
      await waitUntil(async () => {
        const ls = await git(['ls-remote', url, 'refs/heads/main']);
        if (ls.code !== 0 || !ls.stdout.startsWith(head)) return false;
        if ((await git(['clone', '-q', url, out])).code === 0) return true;
        rmSync(out, { recursive: true, force: true });
        return false;
      }, `${r.d} cloneable from B`, 60_000, 50).catch((err: Error) => {
        throw new Error(`${err.message} (B output: ${b.output.slice(-5).join('').slice(-800)})`);
      });
      times.push(performance.now() - t0);
      if ((await mustGit(['-C', out, 'rev-parse', 'HEAD'])) !== head) throw new Error(`clone of ${r.d} from B has the wrong HEAD`);
      rmSync(out, { recursive: true, force: true });
    }
    const fetched = (await metricSum(b.httpUrl, 'graspd_gitfetch_bytes_total')) - bytes0;
    times.sort((x, y) => x - y);
    const pushed = packBytes * REPOS;
    return [
      { group: GROUP, name: `push on A → clone from B, p50 of ${REPOS} repos`, value: Math.round(percentile(times, 50)), unit: 'ms' },
      { group: GROUP, name: `push on A → clone from B, p95 of ${REPOS} repos`, value: Math.round(percentile(times, 95)), unit: 'ms' },
      { group: GROUP, name: `bytes B fetched for ${REPOS} repos`, value: fetched, unit: 'B', baseline: { name: 'pack size of pushed histories', value: pushed, unit: 'B' }, ratio: Number((fetched / pushed).toFixed(2)), target: '≤ 1.2' },
    ];
  } finally {
    for (const s of servers.reverse()) await s.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
