import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FetchScheduler, type FetchJobInput, type RunOutcome } from './scheduler.js';

const oid = (n: number): string => n.toString(16).padStart(40, '0');
const owner = 'a'.repeat(64);

function job(d: string, urls: string[], extra: Partial<FetchJobInput> = {}): FetchJobInput {
  return { ownerPubkey: owner, d, wantOids: [oid(1)], urls, dueAt: 0, expiresAt: 1_800_000, ...extra };
}

const fail = (persistent = false): RunOutcome => ({ kind: 'failed', persistent, got: [] });
const ok = (got: string[]): RunOutcome => ({ kind: 'ok', persistent: false, got });

test('a job is not started before it is due', () => {
  const s = new FetchScheduler();
  s.request(job('r', ['https://h.example/r.git'], { dueAt: 500 }));
  assert.equal(s.nextRunnable(499).length, 0);
  assert.equal(s.nextRunnable(500).length, 1);
  assert.equal(s.nextRunnable(501).length, 0, 'a running job is not started twice');
});

test('identical jobs are deduplicated, merging URLs, due time and event ids', () => {
  const s = new FetchScheduler();
  assert.equal(s.request(job('r', ['https://a.example/r.git'], { dueAt: 1000, eventIds: ['e1'] })), 'added');
  assert.equal(s.request(job('r', ['https://b.example/r.git'], { dueAt: 200, eventIds: ['e2'] })), 'merged');
  assert.equal(s.size, 1);
  const [j] = s.jobs();
  assert.deepEqual(j.urls, ['https://a.example/r.git', 'https://b.example/r.git']);
  assert.equal(j.dueAt, 200);
  assert.deepEqual(j.eventIds, ['e1', 'e2']);
  assert.equal(s.request(job('r', ['https://a.example/r.git'], { wantOids: [oid(2)] })), 'added', 'different oids are a different job');
});

test('jobs without usable URLs or oids are ignored', () => {
  const s = new FetchScheduler();
  assert.equal(s.request(job('r', [])), 'ignored');
  assert.equal(s.request(job('r', ['https://a.example/x'], { wantOids: [] })), 'ignored');
  assert.equal(s.request(job('r', ['https://a.example/x'], { dueAt: 10, expiresAt: 10 })), 'ignored');
});

test('at most 5 fetches run concurrently per host', () => {
  const s = new FetchScheduler();
  for (let i = 0; i < 8; i++) s.request(job(`r${i}`, ['https://busy.example/x.git']));
  s.request(job('other', ['https://quiet.example/x.git']));
  const runs = s.nextRunnable(0);
  assert.equal(runs.filter((r) => r.host === 'busy.example').length, 5);
  assert.equal(runs.filter((r) => r.host === 'quiet.example').length, 1);
  s.complete(runs.find((r) => r.host === 'busy.example')!, ok([oid(1)]), 10);
  assert.equal(s.nextRunnable(10).length, 1, 'a finished fetch frees one slot');
});

test('at most 60 fetches start per host in any minute', () => {
  const s = new FetchScheduler();
  for (let i = 0; i < 70; i++) s.request(job(`r${i}`, ['https://h.example/x.git']));
  let started = 0;
  for (let t = 0; t < 60_000; t += 100) {
    for (const r of s.nextRunnable(t)) { started++; s.complete(r, ok([oid(1)]), t); }
  }
  assert.equal(started, 60);
  assert.equal(s.nextRunnable(60_000).length, 5, 'the window slides: the 5 started at t=0 no longer count');
});

test('repos are served round-robin so one busy repo cannot starve the others', () => {
  const s = new FetchScheduler({ maxConcurrentPerHost: 1 });
  for (let i = 0; i < 5; i++) s.request(job('big', ['https://h.example/big.git'], { wantOids: [oid(i + 1)] }));
  s.request(job('small', ['https://h.example/small.git']));
  const order: string[] = [];
  for (let t = 0; t < 4; t++) {
    const [r] = s.nextRunnable(t);
    order.push(r.job.d);
    s.complete(r, ok(r.job.wantOids), t);
  }
  assert.ok(order.slice(0, 2).includes('small'), `small served early: ${order.join(',')}`);
});

test('a failed fetch moves on to the next URL at once, then backs off exponentially', () => {
  const s = new FetchScheduler({ backoffBaseMs: 1000, backoffMaxMs: 4000 });
  s.request(job('r', ['https://a.example/r.git', 'https://b.example/r.git']));
  let [r] = s.nextRunnable(0);
  assert.equal(r.url, 'https://a.example/r.git');
  assert.equal(s.complete(r, fail(), 0), 'next-url');
  [r] = s.nextRunnable(0);
  assert.equal(r.url, 'https://b.example/r.git');
  assert.equal(s.complete(r, fail(), 0), 'retry');
  assert.equal(s.nextRunnable(999).length, 0);
  const delays: number[] = [];
  let t = 0;
  for (let round = 0; round < 4; round++) {
    const due = s.jobs()[0].dueAt;
    delays.push(due - t);
    t = due;
    for (let i = 0; i < 2; i++) { [r] = s.nextRunnable(t); s.complete(r, fail(), t); }
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 4000]);
});

test('landed oids shrink the job and the last one finishes it', () => {
  const s = new FetchScheduler();
  s.request(job('r', ['https://a.example/r.git', 'https://b.example/r.git'], { wantOids: [oid(1), oid(2)] }));
  let [r] = s.nextRunnable(0);
  assert.equal(s.complete(r, { kind: 'partial', persistent: false, got: [oid(1)] }, 0), 'next-url');
  assert.deepEqual(s.jobs()[0].wantOids, [oid(2)]);
  [r] = s.nextRunnable(0);
  assert.equal(s.complete(r, ok([oid(2)]), 0), 'done');
  assert.equal(s.size, 0);
});

test('a refused URL is dropped from the job for good', () => {
  const s = new FetchScheduler();
  s.request(job('r', ['https://a.example/r.git']));
  const [r] = s.nextRunnable(0);
  assert.equal(s.complete(r, { kind: 'refused', persistent: false, got: [] }, 0), 'expired');
  assert.equal(s.size, 0);
});

test('jobs expire with their purgatory entry, also mid-backoff', () => {
  const s = new FetchScheduler({ backoffBaseMs: 20_000 });
  s.request(job('r', ['https://a.example/r.git'], { expiresAt: 30_000 }));
  const [r] = s.nextRunnable(0);
  assert.equal(s.complete(r, fail(), 15_000), 'expired', 'the next attempt would come after the expiry');
  s.request(job('q', ['https://a.example/q.git'], { dueAt: 100, expiresAt: 200 }));
  assert.deepEqual(s.expire(200).map((j) => j.d), ['q']);
});

test('a host failing persistently is parked, other hosts keep working, and it comes back later', () => {
  const s = new FetchScheduler({ parkAfterFailures: 3, parkMs: 60_000 });
  for (let i = 0; i < 4; i++) s.request(job(`r${i}`, ['https://dead.example/x.git']));
  s.request(job('alive', ['https://alive.example/x.git']));
  const runs = s.nextRunnable(0).filter((r) => r.host === 'dead.example');
  for (const r of runs.slice(0, 3)) s.complete(r, fail(true), 10);
  assert.equal(s.isParked('dead.example', 10), true);
  assert.equal(s.isParked('alive.example', 10), false);
  s.request(job('late', ['https://dead.example/y.git']));
  assert.equal(s.nextRunnable(20).some((r) => r.host === 'dead.example'), false);
  assert.equal(s.isParked('dead.example', 60_010), false);
});

test('transient failures (timeouts, 5xx) never park a host', () => {
  const s = new FetchScheduler({ parkAfterFailures: 2, backoffBaseMs: 1 });
  s.request(job('r', ['https://slow.example/x.git']));
  for (let t = 0; t < 50; t += 10) {
    const runs = s.nextRunnable(t);
    for (const r of runs) s.complete(r, { kind: 'timeout', persistent: false, got: [] }, t);
  }
  assert.equal(s.isParked('slow.example', 50), false);
});

test('cancel drops the jobs serving an event', () => {
  const s = new FetchScheduler();
  s.request(job('r', ['https://a.example/r.git'], { eventIds: ['e1'] }));
  s.request(job('q', ['https://a.example/q.git'], { eventIds: ['e2'] }));
  assert.equal(s.cancel((j) => j.eventIds.includes('e1')), 1);
  assert.deepEqual(s.jobs().map((j) => j.d), ['q']);
});
