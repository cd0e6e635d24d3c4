// GRASP.md "Git data sync": caps over all hosts together — wildcard subdomains are as many hosts as an
// attacker wants, so the per-host caps alone bound nothing. Concurrency (scheduler, pure) and the
// quarantine bytes of all running fetches (a real fetch from a real remote).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FetchScheduler, type FetchJobInput } from './scheduler.js';
import { QuarantineBudget, verdict } from './quarantine-budget.js';
import { fetchAndPromote, type FetchOptions } from './fetcher.js';
import type { FetchJob } from './scheduler.js';
import { makeBare, makeRepo, startRemote, type TestRemote } from './test-remote.js';

const oid = (n: number): string => n.toString(16).padStart(40, '0');

function job(i: number): FetchJobInput {
  return { ownerPubkey: 'a'.repeat(64), d: `r${i}`, wantOids: [oid(i + 1)], urls: [`https://x${i}.evil.example/r.git`], dueAt: 0, expiresAt: 1_800_000 };
}

test('no more than maxConcurrentTotal fetches run at once, however many hosts the URLs name', () => {
  const s = new FetchScheduler({ maxConcurrentTotal: 3 });
  for (let i = 0; i < 20; i++) s.request(job(i));
  const runs = s.nextRunnable(0);
  assert.equal(runs.length, 3);
  assert.equal(s.nextRunnable(1).length, 0, 'full: nothing more starts');
  s.complete(runs[0]!, { kind: 'failed', persistent: false, got: [] }, 2);
  assert.equal(s.nextRunnable(3).length, 1, 'one ended, one starts');
  assert.equal(s.inFlight, 3);
});

test('host records of finished fetches are dropped (one per wildcard subdomain would grow for good)', () => {
  const s = new FetchScheduler({ maxConcurrentTotal: 100 });
  for (let i = 0; i < 50; i++) s.request(job(i));
  const runs = s.nextRunnable(0);
  for (const r of runs) s.complete(r, { kind: 'missing', persistent: false, got: [] }, 61_000);
  assert.equal(s.hostsTracked, 0);
});

test('quarantine budget: past the cap the largest holder stops; one alone over the cap is too large', () => {
  assert.equal(verdict(10, [10, 5], 20), 'ok');
  assert.equal(verdict(15, [15, 10], 20), 'over_budget');
  assert.equal(verdict(10, [15, 10], 20), 'ok', 'not the largest: goes on');
  assert.equal(verdict(25, [25], 20), 'too_large');
  const b = new QuarantineBudget(100);
  const l1 = b.lease();
  const l2 = b.lease();
  assert.equal(l1.report(60), 'ok');
  assert.equal(b.full, false);
  assert.equal(l2.report(50), 'ok');
  assert.equal(l1.report(70), 'over_budget');
  assert.equal(b.full, true);
  l1.release();
  assert.equal(b.used, 50);
});

let remote: TestRemote;
let work: string;
before(async () => {
  remote = await startRemote();
  work = mkdtempSync(join(tmpdir(), 'graspd-gitfetch-caps-'));
});
after(async () => {
  await remote.close();
  rmSync(work, { recursive: true, force: true });
});

test('a real fetch is stopped once the quarantine bytes of all fetches pass --gitfetch-max-quarantine-bytes', async () => {
  const big = await makeRepo(remote.root, 'big', { commits: 1, blobBytes: 2 * 1024 * 1024 });
  const dataDir = join(work, 'data');
  const dir = join(dataDir, 'repos', 'target.git');
  await makeBare(dir);
  const opts: FetchOptions = { dataDir, allowPrivate: true, timeoutMs: 20_000, maxBytes: 50 * 1024 * 1024, budget: new QuarantineBudget(512 * 1024) };
  const j: FetchJob = { key: 'k', ownerPubkey: 'a'.repeat(64), d: 'r', wantOids: [big.commits[0]!], urls: [], dueAt: 0, attempts: 0, expiresAt: 1e15, eventIds: [] };
  const out = await fetchAndPromote(j, `${remote.base}/big.git`, dir, opts);
  assert.equal(out.kind, 'too_large', out.detail);
  assert.deepEqual(out.got, []);
  assert.equal(opts.budget!.used, 0, 'the lease is released');
});
