// Internet-scale sync simulation (issue 9 benchmark; SYNC.md invariants 1–4), loopback only: BENCH_SCALE_REPOS
// (10,000) repos spread over BENCH_SCALE_RELAYS (100) lightweight in-process relays plus one hub relay listed
// by every repo (each repo: the hub + 2 others); one graspd B serves all the repos (announcements seeded
// into its store) and syncs an issue and a comment per repo from wherever they are. Reports: time until B
// holds every event, as a ratio to a graspd ingesting the same events from one local client; items (repos
// and root events) no live filter on any of their relays would deliver; live latency of an issue published
// on the hub only; B's CPU, main-thread CPU (event-loop utilisation bound) and RSS in steady state; open
// filters and subscriptions per relay against the limits the relays publish.
// Standalone: `npm run build && node --import tsx bench/sync-scale.ts`.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LmdbStore } from '../src/store/lmdb-store.js';
import { matchFilter } from '../src/nostr/filter.js';
import type { NostrEvent, NostrFilter } from '../src/nostr/types.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitUntil } from '../test/helpers/process.js';
import { MiniRelay } from '../test/helpers/mini-relay.js';
import { waitForEvents } from '../test/sync/kit.js';
import { benchKey, freePort, percentile, signWith, type BenchKey } from './lib.js';
import { metricSum, openWs, publishPipelined } from './sync.js';
import type { BenchRow } from './types.js';

const GROUP = 'sync-scale';
const REPOS = Number(process.env.BENCH_SCALE_REPOS ?? 10_000);
const RELAYS = Number(process.env.BENCH_SCALE_RELAYS ?? 100);
const LIVE_SAMPLES = 50;
const STEADY_MS = 5_000;
/** the repo whose live latency is measured (any repo lists the hub) */
const LIVE_REPO = Number(process.env.BENCH_SCALE_LIVE_REPO ?? 0);
/** what every simulated relay publishes in NIP-11 (strfry-like defaults) */
const LIMITS = { max_subscriptions: 20, max_filters: 100, max_limit: 500 };
const NO_LIMITS = ['--rate-limit-events-per-second', '1000000', '--rate-limit-burst', '1000000'];
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const note = (msg: string): void => void process.stderr.write(`[bench sync-scale] ${msg}\n`);

interface Repo { owner: BenchKey; d: string; coord: string; ann: NostrEvent; relays: number[] }

interface World {
  hub: MiniRelay;
  relays: MiniRelay[];
  repos: Repo[];
  issues: NostrEvent[];
  comments: NostrEvent[];
  bPort: number;
  seeded: string;
}

/** Indexes of the relays of repo i besides the hub: two distinct ones, spread evenly. */
function relaysOf(i: number): number[] {
  const a = i % RELAYS;
  const b = (a + 1 + (Math.floor(i / RELAYS) % (RELAYS - 1))) % RELAYS;
  return [a, b];
}

async function setUp(tmp: string): Promise<World> {
  const hub = await MiniRelay.start({ nip11: { name: 'hub', supported_nips: [1, 11], limitation: LIMITS } });
  const relays: MiniRelay[] = [];
  for (let i = 0; i < RELAYS; i++) relays.push(await MiniRelay.start({ nip11: { name: `r${i}`, supported_nips: [1, 11], limitation: LIMITS } }));
  const bPort = await freePort();
  const bDomain = `127.0.0.1:${bPort}`;
  const at = Math.floor(Date.now() / 1000) - 20_000;
  const owners = Array.from({ length: Math.ceil(REPOS / 50) }, () => benchKey());
  const authors = Array.from({ length: 32 }, () => benchKey());
  note(`signing ${REPOS} announcements and ${2 * REPOS} events`);
  const repos: Repo[] = [];
  const issues: NostrEvent[] = [];
  const comments: NostrEvent[] = [];
  for (let i = 0; i < REPOS; i++) {
    const owner = owners[i % owners.length]!;
    const d = `scale-${i}`;
    const rs = relaysOf(i);
    const domains = [bDomain, hub.domain, ...rs.map((r) => relays[r]!.domain)];
    const ann = signWith(owner, 30617, [['d', d], ['clone', ...domains.map((h) => `http://${h}/${owner.npub}/${d}.git`)], ['relays', ...domains.map((h) => `ws://${h}`)]], '', at);
    const coord = `30617:${owner.pk}:${d}`;
    repos.push({ owner, d, coord, ann, relays: rs });
    const a = authors[i % authors.length]!;
    const issue = signWith(a, 1621, [['a', coord], ['p', owner.pk], ['subject', `issue ${i}`]], `issue ${i}`, at + 10 + (i % 5000));
    const c = authors[(i + 1) % authors.length]!;
    const comment = signWith(c, 1111, [['E', issue.id], ['K', '1621'], ['P', a.pk], ['e', issue.id], ['k', '1621'], ['p', a.pk]], `comment ${i}`, issue.created_at + 1);
    issues.push(issue);
    comments.push(comment);
    // published where the repo says: the hub and its two other relays
    for (const r of [hub, ...rs.map((x) => relays[x]!)]) r.add(issue, comment);
  }
  // B serves every repo: announcements straight into its store (as after a restore), no git data needed
  const seeded = join(tmp, 'seeded');
  const store = await LmdbStore.open(join(seeded, 'events'));
  await Promise.all(repos.map((r) => store.save(r.ann)));
  await store.close();
  return { hub, relays, repos, issues, comments, bPort, seeded };
}

/** ms for a graspd on a copy of the seeded data to ingest every event from one local client. */
async function localIngest(w: World, tmp: string): Promise<number> {
  const dir = join(tmp, 'local');
  cpSync(w.seeded, dir, { recursive: true });
  const a = await spawnGraspd(await freePort(), dir, ['--no-sync']);
  try {
    const t0 = performance.now();
    await publishPipelined(a.relayUrl, w.issues);
    await publishPipelined(a.relayUrl, w.comments);
    return performance.now() - t0;
  } finally {
    await a.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface B { proc: ChildProcess; httpUrl: string; relayUrl: string; output: string[]; readyMs: number; stop(): Promise<void> }

/** B as a child process; readiness polled without a short deadline (10,000 served repos load first). */
function startB(w: World, dataDir: string): Promise<B> {
  return spawnGraspd(w.bPort, dataDir, ['--allow-private-addresses', '--sync-batch-window-ms', '500', '--sync-health-interval-ms', '2000', '--sync-backoff-max-ms', '300000', '--gitfetch-delay-ms', '3600000']);
}

async function spawnGraspd(port: number, dataDir: string, extra: string[]): Promise<B> {
  const t0 = performance.now();
  const args = [CLI, '--host', '127.0.0.1', '--port', String(port), '--domain', `127.0.0.1:${port}`, '--data-dir', dataDir, ...NO_LIMITS, '--verify-workers', '2', '--log-level', 'warn', ...extra];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (d: Buffer): void => {
    output.push(d.toString());
    if (output.length > 2000) output.splice(0, 500);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const httpUrl = `http://127.0.0.1:${port}`;
  await waitUntil(async () => {
    if (proc.exitCode !== null) throw new Error(`B exited: ${output.join('').slice(-2000)}`);
    return (await fetch(httpUrl, { headers: { Accept: 'application/nostr+json' }, signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.ok === true;
  }, 'B to be ready', 300_000, 100);
  return {
    proc, httpUrl, relayUrl: `ws://127.0.0.1:${port}`, output, readyMs: performance.now() - t0,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Items (repos, root events) for which no live filter open on any of their relays matches a new child event. */
function uncovered(w: World): { repos: number; roots: number } {
  const nowSec = Math.floor(Date.now() / 1000);
  const indexes = new Map<MiniRelay, { byTag: Map<string, NostrFilter[]>; broad: NostrFilter[] }>();
  const indexOf = (r: MiniRelay): { byTag: Map<string, NostrFilter[]>; broad: NostrFilter[] } => {
    let ix = indexes.get(r);
    if (ix !== undefined) return ix;
    ix = { byTag: new Map(), broad: [] };
    for (const c of r.conns) {
      for (const filters of c.subs.values()) {
        for (const f of filters) {
          const tagged = Object.keys(f).filter((k) => k.startsWith('#') || k === 'ids' || k === 'authors');
          if (tagged.length === 0) ix.broad.push(f);
          for (const k of ['#a', '#e', '#E'] as const) {
            for (const v of (f as Record<string, unknown>)[k] as string[] | undefined ?? []) {
              const key = `${k}:${v}`;
              const list = ix.byTag.get(key);
              if (list) list.push(f);
              else ix.byTag.set(key, [f]);
            }
          }
        }
      }
    }
    indexes.set(r, ix);
    return ix;
  };
  const covered = (relays: MiniRelay[], keys: string[], probe: NostrEvent): boolean =>
    relays.some((r) => {
      const ix = indexOf(r);
      const cands = [...ix.broad, ...keys.flatMap((k) => ix.byTag.get(k) ?? [])];
      return cands.some((f) => matchFilter({ ...f, limit: undefined } as NostrFilter, probe));
    });
  let repos = 0;
  let roots = 0;
  const base = { pubkey: '0'.repeat(64), created_at: nowSec, content: '', sig: '0'.repeat(128), id: '1'.repeat(64) };
  w.repos.forEach((r, i) => {
    const relays = [w.hub, ...r.relays.map((x) => w.relays[x]!)];
    const issueProbe: NostrEvent = { ...base, kind: 1621, tags: [['a', r.coord]] };
    if (!covered(relays, [`#a:${r.coord}`], issueProbe)) repos++;
    const root = w.issues[i]!;
    const commentProbe: NostrEvent = { ...base, kind: 1111, tags: [['E', root.id], ['K', '1621'], ['e', root.id], ['k', '1621']] };
    if (!covered(relays, [`#E:${root.id}`, `#e:${root.id}`], commentProbe)) roots++;
  });
  return { repos, roots };
}

function cpuTicks(pid: number, tid?: number): number {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

async function liveLatency(w: World, b: B): Promise<number[]> {
  const repo = w.repos[LIVE_REPO]!;
  const sub = await openWs(b.relayUrl);
  const seen = new Map<string, () => void>();
  sub.on('message', (data) => {
    const f = JSON.parse(data.toString()) as unknown[];
    if (f[0] === 'EVENT') seen.get((f[2] as NostrEvent).id)?.();
  });
  await new Promise<void>((resolve) => {
    sub.once('message', () => resolve());
    sub.send(JSON.stringify(['REQ', 'live', { kinds: [1621], '#a': [repo.coord], limit: 0 }]));
  });
  const author = benchKey();
  const out: number[] = [];
  for (let i = 0; i < LIVE_SAMPLES; i++) {
    const e = signWith(author, 1621, [['a', repo.coord], ['p', repo.owner.pk], ['subject', `live ${i}`]], `live ${i}`, Math.floor(Date.now() / 1000));
    const arrived = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`live event ${i} did not reach B in 10 s`)), 10_000);
      seen.set(e.id, () => {
        clearTimeout(t);
        resolve();
      });
    });
    const t0 = performance.now();
    w.hub.add(e); // on the hub only
    await arrived;
    out.push(performance.now() - t0);
  }
  sub.close();
  return out.sort((x, y) => x - y);
}

export async function run(): Promise<BenchRow[]> {
  const tmp = mkdtempSync(join(tmpdir(), 'graspd-bench-scale-'));
  const rows: BenchRow[] = [];
  let w: World | undefined;
  let b: B | undefined;
  const size = `${REPOS} repos, ${RELAYS} relays + hub`;
  try {
    w = await setUp(tmp);
    const world = w;
    const total = world.issues.length + world.comments.length;
    note(`local ingest of ${total} events`);
    const tLocal = await localIngest(world, tmp);
    note(`local ingest: ${Math.round(tLocal)} ms; B syncs`);
    const dir = join(tmp, 'b');
    cpSync(world.seeded, dir, { recursive: true });
    const t0 = performance.now();
    b = await startB(world, dir);
    const bb = b;
    let accepted = 0;
    await waitUntil(async () => {
      if (bb.proc.exitCode !== null) throw new Error(`B exited: ${bb.output.join('').slice(-3000)}`);
      accepted = await metricSum(bb.httpUrl, 'graspd_sync_events_total', ['result="accepted"']).catch(() => accepted);
      return accepted >= total;
    }, `B to accept ${total} events`, 600_000, 500);
    const tSync = performance.now() - t0;
    await waitForEvents(bb.relayUrl, [...world.issues, ...world.comments], 'every event on B', 120_000, 500);
    note(`B has everything after ${Math.round(tSync)} ms (ready after ${Math.round(bb.readyMs)} ms)`);
    rows.push({ group: GROUP, name: `B start-up until ready (${REPOS} served repos)`, value: Math.round(bb.readyMs), unit: 'ms' });
    rows.push({ group: GROUP, name: `B has every event, from its start (${total}; ${size})`, value: Math.round(tSync), unit: 'ms', baseline: { name: 'local ingest, 1 client', value: Math.round(tLocal), unit: 'ms' }, ratio: Number((tSync / tLocal).toFixed(2)), target: '≤ 1.5' });

    // steady state: let the last batches and live rebuilds finish, then measure
    await waitUntil(async () => (await metricSum(bb.httpUrl, 'graspd_sync_pending_batches')) === 0, 'no pending batches', 120_000, 500);
    await new Promise((r) => setTimeout(r, 3_000));
    const pid = bb.proc.pid!;
    const hz = 100;
    const [c0, m0, s0] = [cpuTicks(pid), cpuTicks(pid, pid), performance.now()];
    await new Promise((r) => setTimeout(r, STEADY_MS));
    const [c1, m1, s1] = [cpuTicks(pid), cpuTicks(pid, pid), performance.now()];
    const secs = (s1 - s0) / 1000;
    rows.push({ group: GROUP, name: `B main thread CPU in steady state (upper bound of event-loop utilisation), ${STEADY_MS / 1000} s`, value: Number((((m1 - m0) / hz / secs) * 100).toFixed(1)), unit: '%', target: '≤ 5 %' });
    rows.push({ group: GROUP, name: 'B process CPU in steady state (all threads)', value: Number((((c1 - c0) / hz / secs) * 100).toFixed(1)), unit: '%' });
    rows.push({ group: GROUP, name: 'B RSS in steady state', value: Math.round(rssMb(pid)), unit: 'MB', target: '≤ 600 MB' });

    rows.push({ group: GROUP, name: 'budget pauses of any relay (legitimate load must cause none)', value: await metricSum(bb.httpUrl, 'graspd_sync_relay_budget_pauses_total'), unit: 'pauses', target: '0' });
    const gaps = uncovered(world);
    rows.push({ group: GROUP, name: `items without live coverage (${gaps.repos} of ${REPOS} repos, ${gaps.roots} of ${world.issues.length} root events)`, value: gaps.repos + gaps.roots, unit: 'items', target: '0' });
    const all = [world.hub, ...world.relays];
    const filters = all.map((r) => r.openFilters());
    const subs = all.map((r) => [...r.conns].reduce((n, c) => n + c.subs.size, 0));
    rows.push({ group: GROUP, name: `open filters on the hub (limits: ${LIMITS.max_subscriptions} subs × ${LIMITS.max_filters} filters)`, value: filters[0]!, unit: 'filters' });
    rows.push({ group: GROUP, name: 'open subscriptions on the hub', value: subs[0]!, unit: 'subs', target: `≤ ${LIMITS.max_subscriptions}` });
    rows.push({ group: GROUP, name: 'open filters per other relay, max (mean)', value: Math.max(...filters.slice(1)), unit: `filters (${(filters.slice(1).reduce((a, x) => a + x, 0) / RELAYS).toFixed(1)})` });
    rows.push({ group: GROUP, name: 'open subscriptions per relay, max over all', value: Math.max(...subs), unit: 'subs', target: `≤ ${LIMITS.max_subscriptions}` });

    for (const r of rows) note(`${r.name}: ${r.value} ${r.unit}`);
    try {
      const lat = await liveLatency(world, bb);
      rows.push({ group: GROUP, name: `live: issue on the hub → B, p50 of ${LIVE_SAMPLES}`, value: Number(percentile(lat, 50).toFixed(1)), unit: 'ms' });
      rows.push({ group: GROUP, name: `live: issue on the hub → B, p95 of ${LIVE_SAMPLES}`, value: Number(percentile(lat, 95).toFixed(1)), unit: 'ms' });
    } catch (err) {
      // an item without live coverage: its events reach B only at the next reconciliation
      rows.push({ group: GROUP, name: `live: issue on the hub → B (${(err as Error).message})`, value: NaN, unit: 'ms' });
    }
  } finally {
    await b?.stop();
    if (w !== undefined) for (const r of [w.hub, ...w.relays]) await r.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await run();
  const cell = (r: BenchRow): string[] => [r.name, `${r.value} ${r.unit}`, r.baseline ? `${r.baseline.name}: ${r.baseline.value} ${r.baseline.unit}` : '', r.ratio === undefined ? '' : String(r.ratio), r.target ?? ''];
  const cells = [['measurement', 'value', 'baseline (same run)', 'ratio', 'target'], ...rows.map(cell)];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  for (const c of cells) console.log(c.map((x, i) => x.padEnd(widths[i]!)).join(' | ').trimEnd());
  setTimeout(() => process.exit(0), 200).unref();
}
