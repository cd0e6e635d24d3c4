import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools';
import { hasObjects, listRefs } from '../git/git-cli.js';
import { silentLogger } from '../log/logger.js';
import { registry } from '../metrics/registry.js';
import { GitFetcher, type GitFetchConfig } from './gitfetch.js';
import type { FetchJob } from './scheduler.js';
import { makeBare, makeRepo, startRemote, type TestRemote } from './test-remote.js';

let remote: TestRemote;
let repo: { dir: string; commits: string[] };
let work: string;
const sk = generateSecretKey();
const pk = getPublicKey(sk);

before(async () => {
  remote = await startRemote();
  repo = await makeRepo(remote.root, 'repo', { commits: 2 });
  work = mkdtempSync(join(tmpdir(), 'graspd-gitfetcher-'));
});
after(async () => {
  await remote.close();
  rmSync(work, { recursive: true, force: true });
});

const config: GitFetchConfig = {
  gitfetchDelayMs: 0, gitfetchUserDelayMs: 60_000, gitfetchTimeoutMs: 10_000, gitfetchMaxBytes: 10 * 1024 * 1024,
  gitfetchRecheckIntervalMs: 3_600_000, allowPrivateAddresses: true, purgatoryExpiryMs: 1_800_000, maxRepoBytes: 1024 * 1024 * 1024,
};

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let n = 0;
async function setup(extra: Partial<ConstructorParameters<typeof GitFetcher>[0]> = {}) {
  const dataDir = join(work, `data${n++}`);
  const dir = join(dataDir, 'repos', 'target.git');
  await makeBare(dir);
  const fetched: Array<{ job: FetchJob; got: string[] }> = [];
  const f = new GitFetcher({
    dataDir, config, log: silentLogger, tickMs: 20, repoDir: () => dir,
    onFetched: async (job, got) => { fetched.push({ job, got }); },
    ...extra,
  });
  return { f, dir, dataDir, fetched };
}

const sign = (kind: number, tags: string[][]) => finalizeEvent({ kind, created_at: 1_700_000_000, tags, content: '' }, sk);

test('a synced state in purgatory is hunted from the announcement clone URLs, trying the next URL after a failure', async () => {
  const { f, dir, fetched } = await setup();
  const announcement = sign(30617, [['d', 'repo'], ['clone', `${remote.base}/missing.git`, `${remote.base}/repo.git`]]);
  const state = sign(30618, [['d', 'repo'], ['refs/heads/main', repo.commits[1]]]);
  const queued = f.hunt([{ entry: { event: state, addedAt: Date.now(), reason: 'r', source: 'sync' }, target: { ownerPubkey: pk, d: 'repo' }, announcements: [announcement] }]);
  assert.equal(queued, 1);
  f.start();
  try {
    await waitFor(() => fetched.length === 1);
    assert.deepEqual(fetched[0].got, [repo.commits[1]]);
    assert.deepEqual(fetched[0].job.eventIds, [state.id]);
    assert.equal((await hasObjects(dir, repo.commits)).size, 2);
    assert.equal(f.pending, 0);
    const metrics = await registry.getSingleMetricAsString('graspd_gitfetch_fetches_total');
    assert.match(metrics, /outcome="ok"/);
    assert.match(metrics, /outcome="not_found"/);
  } finally {
    await f.stop();
  }
});

test('a PR hunt lands its tip at refs/nostr/<id>', async () => {
  const { f, dir, fetched } = await setup();
  const pr = sign(1618, [['a', `30617:${pk}:repo`], ['c', repo.commits[0]], ['clone', `${remote.base}/repo.git`]]);
  f.hunt([{ entry: { event: pr, addedAt: Date.now(), reason: 'r', source: 'sync' }, target: { ownerPubkey: pk, d: 'repo' }, announcements: [] }]);
  f.start();
  try {
    await waitFor(() => fetched.length === 1);
    assert.equal((await listRefs(dir)).get(`refs/nostr/${pr.id}`), repo.commits[0]);
  } finally {
    await f.stop();
  }
});

test('client-published events wait for the user delay', async () => {
  const { f } = await setup();
  const state = sign(30618, [['d', 'repo'], ['refs/heads/main', repo.commits[1]]]);
  const announcement = sign(30617, [['d', 'repo'], ['clone', `${remote.base}/repo.git`]]);
  f.hunt([{ entry: { event: state, addedAt: Date.now(), reason: 'r', source: 'client' }, target: { ownerPubkey: pk, d: 'repo' }, announcements: [announcement] }]);
  assert.ok(f.jobs()[0].dueAt >= Date.now() + 50_000);
  assert.equal(f.forget(state.id), 1);
  assert.equal(f.pending, 0);
});

test('unsafe URLs are dropped before they are queued', async () => {
  const { f } = await setup();
  const ok = f.request({ ownerPubkey: pk, d: 'repo', wantOids: [repo.commits[1]], urls: ['file:///etc', '-uhack', 'ext::sh'], dueAt: 0, expiresAt: Date.now() + 60_000 });
  assert.equal(ok, false);
  assert.equal(f.pending, 0);
});

test('the periodic re-check fetches what the latest state names but the repo lacks', async () => {
  const state = sign(30618, [['d', 'repo'], ['refs/heads/main', repo.commits[1]]]);
  const announcement = sign(30617, [['d', 'repo'], ['clone', `${remote.base}/repo.git`]]);
  const { f, dir, fetched } = await setup({ recheckRepos: async () => [{ ownerPubkey: pk, d: 'repo', state, announcements: [announcement] }] });
  f.start();
  try {
    assert.equal(await f.recheckNow(), 1);
    await waitFor(() => fetched.length === 1);
    assert.equal((await hasObjects(dir, [repo.commits[1]])).size, 1);
    assert.equal(await f.recheckNow(), 0, 'nothing missing any more');
  } finally {
    await f.stop();
  }
});

test('stop aborts running fetches and removes quarantines, also leftovers of a crash', async () => {
  const { f, dataDir } = await setup();
  mkdirSync(join(dataDir, 'tmp', 'gitfetch-leftover.git'), { recursive: true });
  f.request({ ownerPubkey: pk, d: 'repo', wantOids: [repo.commits[1]], urls: [`${remote.base}/hang/repo.git`], dueAt: 0, expiresAt: Date.now() + 60_000 });
  f.start();
  await waitFor(() => remote.requests.some((r) => r.startsWith('GET /hang/repo.git')));
  const started = Date.now();
  await f.stop();
  assert.ok(Date.now() - started < 3000);
  assert.deepEqual(readdirSync(join(dataDir, 'tmp')), []);
});

test('a fetch may not grow a repository past --max-repo-bytes (the same bound as a push)', async () => {
  const { f, dir, fetched } = await setup({ config: { ...config, maxRepoBytes: 1 } });
  const announcement = sign(30617, [['d', 'repo'], ['clone', `${remote.base}/repo.git`]]);
  const state = sign(30618, [['d', 'repo'], ['refs/heads/main', repo.commits[1]]]);
  f.hunt([{ entry: { event: state, addedAt: Date.now(), reason: 'r', source: 'sync' }, target: { ownerPubkey: pk, d: 'repo' }, announcements: [announcement] }]);
  f.start();
  try {
    // an unbounded fetch lands within a few hundred ms here (see the first test); give it ample time
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(fetched.length, 0);
    assert.equal((await hasObjects(dir, repo.commits)).size, 0, 'nothing fetched into the full repository');
  } finally {
    await f.stop();
  }
});
