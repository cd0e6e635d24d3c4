// Sync benchmarks (SYNC.md "Live and historic", "Observability"; GRASP-02) with real graspd processes:
// convergence — B mirrors what A ingested from one local client, as a ratio to A's ingest time (negentropy
// and REQ-only); reconciliation cost — bytes of a second fresh sync with nothing new vs the first; REQs in
// steady state (counted by a proxy between B and A); live latency A → B. B only syncs everything for repos
// it serves, so every repo is hosted (announcement + state + git push) on both A and B before B syncs.
// Standalone: `npm run build && node --import tsx bench/sync.ts` (BENCH_SYNC_EVENTS, BENCH_SYNC_REPOS).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { commit, git, workRepo } from '../src/git/test-kit.js';
import type { NostrEvent } from '../src/nostr/types.js';
import { startGraspd, waitUntil, type Graspd } from '../test/helpers/process.js';
import { WsProxy } from '../test/helpers/ws-proxy.js';
import { waitForEvents } from '../test/sync/kit.js';
import { announcementFor, benchKey, freePort, percentile, signWith, type BenchKey } from './lib.js';
import type { BenchRow } from './types.js';

const GROUP = 'sync';
const EVENTS = Number(process.env.BENCH_SYNC_EVENTS ?? 20_000);
const REPOS = Number(process.env.BENCH_SYNC_REPOS ?? 500);
const LIVE_SAMPLES = 50;
const STEADY_MS = 5_000;
const note = (msg: string): void => void process.stderr.write(`[bench sync] ${msg}\n`);
const NO_LIMITS = ['--rate-limit-events-per-second', '1000000', '--rate-limit-burst', '1000000'];
/** BENCH_SYNC_TRACE=1: print B's batch timeline (where convergence time goes) */
const TRACE = process.env.BENCH_SYNC_TRACE === '1';

export interface SyncRepo { owner: BenchKey; d: string; coord: string; ann: NostrEvent; state: NostrEvent }

export function openWs(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Publishes over one socket with a window of EVENTs in flight; throws unless every OK is true. */
export async function publishPipelined(url: string, events: readonly NostrEvent[], window = 256): Promise<void> {
  if (events.length === 0) return;
  const ws = await openWs(url);
  let next = 0;
  let done = 0;
  const refused: string[] = [];
  await new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as unknown[];
      if (f[0] !== 'OK') return;
      done++;
      if (f[2] !== true) refused.push(String(f[3]));
      if (next < events.length) ws.send(JSON.stringify(['EVENT', events[next++]]));
      if (done === events.length) resolve();
    });
    while (next < Math.min(window, events.length)) ws.send(JSON.stringify(['EVENT', events[next++]]));
  });
  ws.close();
  if (refused.length > 0) throw new Error(`${refused.length} events refused, e.g. ${refused[0]}`);
}

/** Sum of a metric's samples whose line contains every `match` string. */
export async function metricSum(httpUrl: string, name: string, match: string[] = []): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  let sum = 0;
  for (const l of text.split('\n')) {
    if (!l.startsWith(name) || (l[name.length] !== '{' && l[name.length] !== ' ')) continue;
    if (match.every((m) => l.includes(m))) sum += Number(l.slice(l.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Runs `fn` over items with at most `n` in flight. */
export async function pool<T>(items: readonly T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

/** Announcement (listing `domains`) and state of `count` repos, all pointing at commit `head`. */
export function makeRepos(count: number, domains: string[], head: string, at: number): SyncRepo[] {
  const owners = Array.from({ length: Math.max(1, Math.ceil(count / 20)) }, () => benchKey());
  return Array.from({ length: count }, (_, i) => {
    const owner = owners[i % owners.length]!;
    const d = `repo-${i}`;
    const ann = announcementFor(owner, d, domains, at);
    const state = signWith(owner, 30618, [['d', d], ['refs/heads/main', head], ['HEAD', 'ref: refs/heads/main']], '', at + 1);
    return { owner, d, coord: `30617:${owner.pk}:${d}`, ann, state };
  });
}

/** Publishes announcement + state of each repo to `g` and pushes `work` to it: the repo is served there. */
export async function hostAll(g: Graspd, repos: readonly SyncRepo[], work: string): Promise<void> {
  // states only after their announcements are stored (a pipelined pair may be verified out of order)
  await publishPipelined(g.relayUrl, repos.map((r) => r.ann));
  await publishPipelined(g.relayUrl, repos.map((r) => r.state));
  await pool(repos, 4, async (r) => {
    const res = await git(['-C', work, 'push', '-q', `${g.httpUrl}/${r.owner.npub}/${r.d}.git`, 'HEAD:refs/heads/main']);
    if (res.code !== 0) throw new Error(`push of ${r.d} to ${g.domain} failed: ${res.stderr}`);
  });
}

/** Half issues, half comments on those issues, spread over the repos, stamped in the past. */
function makeEvents(repos: readonly SyncRepo[], n: number, at: number): NostrEvent[] {
  const authors = Array.from({ length: 16 }, () => benchKey());
  const issues: NostrEvent[] = [];
  const comments: NostrEvent[] = [];
  for (let i = 0; issues.length + comments.length < n; i++) {
    const r = repos[i % repos.length]!;
    const a = authors[i % authors.length]!;
    const issue = signWith(a, 1621, [['a', r.coord], ['p', r.owner.pk], ['subject', `issue ${i}`]], `issue ${i} `.padEnd(200, '.'), at + (i % 3000));
    issues.push(issue);
    if (issues.length + comments.length < n) {
      comments.push(signWith(authors[(i + 1) % authors.length]!, 1111, [['E', issue.id], ['K', '1621'], ['P', a.pk], ['e', issue.id], ['k', '1621'], ['p', a.pk]], `comment ${i}`, at + (i % 3000) + 1));
    }
  }
  return [...issues, ...comments];
}

/** Polls the metric until it stops changing for `quietMs` (and `cond` holds). */
async function settle(g: Graspd, quietMs: number, cond: () => Promise<boolean> = async () => true): Promise<void> {
  let last = -1;
  let since = Date.now();
  await waitUntil(async () => {
    const v = await metricSum(g.httpUrl, 'graspd_sync_bytes_total');
    if (v !== last) [last, since] = [v, Date.now()];
    return Date.now() - since >= quietMs && (await cond());
  }, 'sync to settle', 120_000, 200);
}

interface World { a: Graspd; proxy: WsProxy; bPort: number; bDirs: { neg: string; req: string }; repos: SyncRepo[]; events: NostrEvent[]; tA: number }

async function setUp(tmp: string): Promise<World> {
  const [aPort, proxyPort, bPort] = [await freePort(), await freePort(), await freePort()];
  const proxy = await WsProxy.start(aPort, proxyPort);
  // A is known to the world by the proxy's address, so every byte B exchanges with A is counted
  const a = await startGraspd({ port: aPort, domain: proxy.domain, args: ['--no-sync', ...NO_LIMITS, '--verify-workers', '2'] });
  const work = await workRepo();
  const head = await commit(work, 'tiny');
  const at = Math.floor(Date.now() / 1000) - 10_000;
  const repos = makeRepos(REPOS, [proxy.domain, `127.0.0.1:${bPort}`], head, at);
  const b = await startGraspd({ port: bPort, dataDir: join(tmp, 'b-neg'), args: ['--no-sync', ...NO_LIMITS] });
  try {
    note(`hosting ${REPOS} repos on A and B (announcement, state, push)`);
    await Promise.all([hostAll(a, repos, work), hostAll(b, repos, work)]);
  } finally {
    await b.stop();
    rmSync(work, { recursive: true, force: true });
  }
  cpSync(join(tmp, 'b-neg'), join(tmp, 'b-req'), { recursive: true });
  const events = makeEvents(repos, EVENTS, at + 10);
  const t0 = performance.now();
  await publishPipelined(a.relayUrl, events);
  const tA = performance.now() - t0;
  note(`A ingested ${events.length} events in ${Math.round(tA)} ms`);
  return { a, proxy, bPort, bDirs: { neg: join(tmp, 'b-neg'), req: join(tmp, 'b-req') }, repos, events, tA };
}

function startB(w: World, dataDir: string, extra: string[]): Promise<Graspd> {
  return startGraspd({
    port: w.bPort, dataDir,
    args: ['--bootstrap-relay', w.proxy.url, '--sync-batch-window-ms', '500', '--sync-health-interval-ms', '2000', '--sync-backoff-max-ms', '300000', '--sync-rate-limit-cooldown-ms', '65000', ...NO_LIMITS, '--verify-workers', '2', ...extra],
  });
}

/** Starts B and returns ms until B holds every event (sync "accepted" count, then checked by id). */
async function converge(w: World, dataDir: string, extra: string[]): Promise<{ b: Graspd; ms: number }> {
  const t0 = performance.now();
  const b = await startB(w, dataDir, extra);
  const samples: string[] = [];
  await waitUntil(async () => {
    const n = await metricSum(b.httpUrl, 'graspd_sync_events_total', ['result="accepted"']);
    samples.push(`${Math.round(performance.now() - t0)}:${n}`);
    return n >= w.events.length;
  }, `B to accept ${w.events.length} events`, 300_000, 100);
  const ms = performance.now() - t0;
  if (TRACE) note(`accepted over time (ms:count) ${samples.filter((_, i) => i % 5 === 0).join(' ')}`);
  await waitForEvents(b.relayUrl, w.events, 'all events on B', 60_000, 500);
  if (TRACE) trace(b, Date.now() - ms);
  return { b, ms };
}

/** One line per finished sync batch of B: ms since B started, purpose, method, items, events, duration. */
function trace(b: Graspd, startMs: number): void {
  for (const line of b.output.join('').split('\n')) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    const end = Date.parse(String(o.time)) - startMs;
    // with GRASPD_TEST_LOG=debug: when each negentropy session reconciled, and how much it needed
    if (/^negentropy \S+: need/.test(String(o.msg))) note(`+${end} ms ${String(o.msg)}`);
    if (!line.includes('sync batch finished')) continue;
    note(`+${end} ms (${Number(o.durationMs)} ms) ${String(o.purpose)}/${String(o.method)} repos=${String(o.repos)} roots=${String(o.rootEvents)} events=${String(o.events)} ${String(o.outcome)}`);
  }
}

async function liveLatency(w: World, b: Graspd): Promise<number[]> {
  const repo = w.repos[0]!;
  const sub = await openWs(b.relayUrl);
  const pub = await openWs(w.a.relayUrl);
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
      const t = setTimeout(() => reject(new Error(`live event ${i} did not reach B`)), 30_000);
      seen.set(e.id, () => { clearTimeout(t); resolve(); });
    });
    const t0 = performance.now();
    pub.send(JSON.stringify(['EVENT', e]));
    await arrived;
    out.push(performance.now() - t0);
  }
  sub.close();
  pub.close();
  return out.sort((x, y) => x - y);
}

export async function run(): Promise<BenchRow[]> {
  const tmp = mkdtempSync(join(tmpdir(), 'graspd-bench-sync-'));
  const rows: BenchRow[] = [];
  let w: World | undefined;
  let b: Graspd | undefined;
  const size = `${EVENTS} events / ${REPOS} repos`;
  const ingestBase = (tA: number): BenchRow['baseline'] => ({ name: 'A ingests from 1 client', value: Math.round(tA), unit: 'ms' });
  try {
    w = await setUp(tmp);
    const world = w;
    if (process.env.BENCH_SYNC_ONLY === 'converge') {
      // quick iteration on convergence: negentropy then REQ-only, nothing else
      const neg = await converge(world, world.bDirs.neg, []);
      await neg.b.stop();
      const req = await converge(world, world.bDirs.req, ['--no-sync-negentropy']);
      await req.b.stop();
      return [{ group: GROUP, name: 'convergence ratios neg / req', value: Number((neg.ms / world.tA).toFixed(2)), unit: 'x', ratio: Number((req.ms / world.tA).toFixed(2)) }];
    }
    // negentropy: convergence, then a second fresh sync with nothing new, steady-state REQs, live latency
    note('B syncs with negentropy');
    const neg = await converge(world, world.bDirs.neg, []);
    b = neg.b;
    rows.push({ group: GROUP, name: `B mirrors A, negentropy (${size})`, value: Math.round(neg.ms), unit: 'ms', baseline: ingestBase(world.tA), ratio: Number((neg.ms / world.tA).toFixed(2)), target: '≤ 1.5' });
    await settle(b, 1500);
    const firstBytes = await metricSum(b.httpUrl, 'graspd_sync_bytes_total');
    const firstNeg = await metricSum(b.httpUrl, 'graspd_sync_negentropy_bytes_total');
    await b.stop();
    const filters0 = world.proxy.stats.filters.length;
    b = await startB(world, world.bDirs.neg, ['--sync-quick-reconnect-window-ms', '1']);
    const bb = b;
    await settle(bb, 2000, async () => (await metricSum(bb.httpUrl, 'graspd_sync_pending_batches')) === 0);
    const secondBytes = await metricSum(bb.httpUrl, 'graspd_sync_bytes_total');
    const secondNeg = await metricSum(bb.httpUrl, 'graspd_sync_negentropy_bytes_total');
    // how much of it is REQ filter text (live + id fetches), as opposed to NEG-OPEN / NEG-MSG traffic
    const reqFilterBytes = world.proxy.stats.filters.slice(filters0).reduce<number>((n, f) => n + JSON.stringify(f).length, 0);
    rows.push({ group: GROUP, name: `bytes of a 2nd fresh negentropy sync, nothing new (REQ filters: ${reqFilterBytes} B, NIP-77 messages: ${secondNeg} B; 1st sync NIP-77: ${firstNeg} B)`, value: secondBytes, unit: 'B', baseline: { name: 'first sync', value: firstBytes, unit: 'B' }, ratio: Number((secondBytes / firstBytes).toFixed(4)), target: '≤ 0.01' });
    const reqs0 = world.proxy.stats.reqs;
    await new Promise((r) => setTimeout(r, STEADY_MS));
    const liveFilters = await metricSum(bb.httpUrl, 'graspd_sync_live_filters');
    rows.push({ group: GROUP, name: `REQs B → A in ${STEADY_MS / 1000} s of steady state (${liveFilters} live filters open)`, value: world.proxy.stats.reqs - reqs0, unit: 'REQs', target: '0' });
    const lat = await liveLatency(world, bb);
    rows.push({ group: GROUP, name: `live A → B, p50 of ${LIVE_SAMPLES}`, value: Number(percentile(lat, 50).toFixed(1)), unit: 'ms' });
    rows.push({ group: GROUP, name: `live A → B, p95 of ${LIVE_SAMPLES}`, value: Number(percentile(lat, 95).toFixed(1)), unit: 'ms' });
    await bb.stop();
    b = undefined;
    // REQ-only convergence from a copy of B's seeded data dir
    const negFrames0 = world.proxy.stats.negFrames;
    note('B syncs with REQ only');
    const req = await converge(world, world.bDirs.req, ['--no-sync-negentropy']);
    b = req.b;
    if (world.proxy.stats.negFrames !== negFrames0) throw new Error('--no-sync-negentropy still sent NEG- frames');
    rows.push({ group: GROUP, name: `B mirrors A, REQ only (${size})`, value: Math.round(req.ms), unit: 'ms', baseline: ingestBase(world.tA), ratio: Number((req.ms / world.tA).toFixed(2)), target: '≤ 1.5' });
  } finally {
    await b?.stop();
    await w?.a.dispose();
    await w?.proxy.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
