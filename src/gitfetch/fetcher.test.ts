import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasObjects, listRefs } from '../git/git-cli.js';
import { classifyFailure, fetchAndPromote, type FetchOptions } from './fetcher.js';
import { curlResolve, fetchRemote, initQuarantine } from './fetch-git.js';
import type { FetchJob } from './scheduler.js';
import { makeBare, makeRepo, objectCount, startRemote, type TestRemote } from './test-remote.js';

let remote: TestRemote;
let small: { dir: string; commits: string[] };
let big: { dir: string; commits: string[] };
let work: string;

before(async () => {
  remote = await startRemote();
  small = await makeRepo(remote.root, 'small', { commits: 3 });
  big = await makeRepo(remote.root, 'big', { commits: 1, blobBytes: 2 * 1024 * 1024 });
  work = mkdtempSync(join(tmpdir(), 'graspd-gitfetch-'));
});
after(async () => {
  await remote.close();
  rmSync(work, { recursive: true, force: true });
});

let n = 0;
async function target(): Promise<{ dir: string; dataDir: string; opts: FetchOptions }> {
  const dataDir = join(work, `data${n++}`);
  const dir = join(dataDir, 'repos', 'target.git');
  await makeBare(dir);
  return { dir, dataDir, opts: { dataDir, allowPrivate: true, timeoutMs: 20_000, maxBytes: 50 * 1024 * 1024 } };
}

function job(wantOids: string[], extra: Partial<FetchJob> = {}): FetchJob {
  return { key: 'k', ownerPubkey: 'a'.repeat(64), d: 'r', wantOids, urls: [], dueAt: 0, attempts: 0, expiresAt: 1e15, eventIds: [], ...extra };
}

const noQuarantineLeft = (dataDir: string): void => {
  const tmp = join(dataDir, 'tmp');
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp) : [], []);
};

test('wanted oids are fetched into the target through a quarantine, without writing refs', async () => {
  const t = await target();
  const tip = small.commits[2];
  const out = await fetchAndPromote(job([tip]), `${remote.base}/small.git`, t.dir, t.opts);
  assert.equal(out.kind, 'ok', out.detail);
  assert.deepEqual(out.got, [tip]);
  assert.ok(out.bytes > 0);
  assert.deepEqual([...(await hasObjects(t.dir, small.commits))].sort(), [...small.commits].sort(), 'the whole history came along');
  assert.equal((await listRefs(t.dir)).size, 0, 'the caller applies the state');
  noQuarantineLeft(t.dataDir);
});

test('a PR tip lands at refs/nostr/<event-id>', async () => {
  const t = await target();
  const id = 'e'.repeat(64);
  const out = await fetchAndPromote(job([small.commits[1]], { refTarget: `refs/nostr/${id}` }), `${remote.base}/small.git`, t.dir, t.opts);
  assert.equal(out.kind, 'ok', out.detail);
  assert.equal((await listRefs(t.dir)).get(`refs/nostr/${id}`), small.commits[1]);
});

test('oids already present are not fetched again', async () => {
  const t = await target();
  await fetchAndPromote(job([small.commits[2]]), `${remote.base}/small.git`, t.dir, t.opts);
  const seen = remote.requests.length;
  const out = await fetchAndPromote(job([small.commits[0]]), `${remote.base}/small.git`, t.dir, t.opts);
  assert.equal(out.kind, 'ok');
  assert.equal(out.detail, 'already present');
  assert.equal(remote.requests.length, seen);
});

test('a wanted oid the remote lacks fails and leaves the target unchanged', async () => {
  const t = await target();
  const before = await objectCount(t.dir);
  const out = await fetchAndPromote(job(['1234567890123456789012345678901234567890']), `${remote.base}/small.git`, t.dir, t.opts);
  assert.equal(out.kind, 'missing', out.detail);
  assert.deepEqual(out.got, []);
  assert.equal(await objectCount(t.dir), before);
  assert.equal((await listRefs(t.dir)).size, 0);
  noQuarantineLeft(t.dataDir);
});

test('when only some wanted oids exist remotely, those land (fetched by advertised ref name) and the outcome is partial', async () => {
  const t = await target();
  const out = await fetchAndPromote(job([small.commits[2], 'abcdefabcdefabcdefabcdefabcdefabcdefabcd']), `${remote.base}/small.git`, t.dir, t.opts);
  assert.equal(out.kind, 'partial', out.detail);
  assert.deepEqual(out.got, [small.commits[2]]);
  assert.equal((await hasObjects(t.dir, [small.commits[2]])).size, 1);
});

test('a remote without allowReachableSHA1InWant still yields a wanted tip', async () => {
  const tips = await makeRepo(remote.root, `tips${n}`, { commits: 2, tipsOnly: true });
  const t = await target();
  const out = await fetchAndPromote(job([tips.commits[1]]), `${remote.base}/tips${n - 1}.git`, t.dir, t.opts);
  assert.equal(out.kind, 'ok', out.detail);
  assert.equal((await hasObjects(t.dir, tips.commits)).size, 2);
});

test('non-http URLs, local paths and option-like URLs never reach git', async () => {
  const t = await target();
  const seen = remote.requests.length;
  for (const url of [`file://${small.dir}`, small.dir, `ext::sh -c touch% ${join(work, 'pwned')}`, 'ssh://127.0.0.1/small.git', '-uhack', `--upload-pack=touch ${join(work, 'pwned')}`]) {
    const out = await fetchAndPromote(job([small.commits[2]]), url, t.dir, t.opts);
    assert.equal(out.kind, 'refused', url);
  }
  assert.equal(existsSync(join(work, 'pwned')), false);
  assert.equal(await objectCount(t.dir), 0);
  assert.equal(remote.requests.length, seen);
});

test('a loopback URL is refused unless private addresses are allowed', async () => {
  const t = await target();
  const seen = remote.requests.length;
  const out = await fetchAndPromote(job([small.commits[2]]), `${remote.base}/small.git`, t.dir, { ...t.opts, allowPrivate: false });
  assert.equal(out.kind, 'refused');
  const viaName = await fetchAndPromote(job([small.commits[2]]), `${remote.base.replace('127.0.0.1', 'localhost')}/small.git`, t.dir, { ...t.opts, allowPrivate: false });
  assert.equal(viaName.kind, 'refused');
  assert.equal(remote.requests.length, seen);
});

test('redirects are not followed', async () => {
  const t = await target();
  const seen = remote.requests.length;
  const out = await fetchAndPromote(job([small.commits[2]]), `${remote.base}/redirect/small.git`, t.dir, t.opts);
  assert.equal(out.kind, 'refused', out.detail);
  const after = remote.requests.slice(seen);
  assert.equal(after.some((r) => r.startsWith('GET /small.git')), false, after.join('\n'));
  assert.equal(await objectCount(t.dir), 0);
});

test('a fetch beyond the size cap is killed and nothing reaches the target', async () => {
  const t = await target();
  const out = await fetchAndPromote(job([big.commits[0]]), `${remote.base}/big.git`, t.dir, { ...t.opts, maxBytes: 200 * 1024 });
  assert.equal(out.kind, 'too_large', out.detail);
  assert.equal(await objectCount(t.dir), 0);
  noQuarantineLeft(t.dataDir);
});

test('a remote that never answers is cut off by the timeout', async () => {
  const t = await target();
  const started = Date.now();
  const out = await fetchAndPromote(job([small.commits[2]]), `${remote.base}/hang/small.git`, t.dir, { ...t.opts, timeoutMs: 400 });
  assert.equal(out.kind, 'timeout');
  assert.ok(Date.now() - started < 5000);
  noQuarantineLeft(t.dataDir);
});

test('an aborted fetch stops at once', async () => {
  const t = await target();
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const out = await fetchAndPromote(job([small.commits[2]]), `${remote.base}/hang/small.git`, t.dir, { ...t.opts, signal: ac.signal });
  assert.equal(out.kind, 'aborted');
});

test('a repo that does not exist remotely is not_found, a refused connection is persistent', async () => {
  const t = await target();
  const out = await fetchAndPromote(job([small.commits[2]]), `${remote.base}/nope.git`, t.dir, t.opts);
  assert.equal(out.kind, 'not_found', out.detail);
  assert.equal(out.persistent, false);
  const closed = await fetchAndPromote(job([small.commits[2]]), 'http://127.0.0.1:1/x.git', t.dir, t.opts);
  assert.equal(closed.persistent, true, closed.detail);
});

test('a host name is fetched with git pinned to the addresses we checked', async () => {
  const t = await target();
  const out = await fetchAndPromote(job([small.commits[2]]), `${remote.base.replace('127.0.0.1', 'localhost')}/small.git`, t.dir, t.opts);
  assert.equal(out.kind, 'ok', out.detail);
  // the pin alone decides where a name goes: a name DNS does not know still reaches the pinned address
  const q = join(t.dataDir, 'q.git');
  await initQuarantine(q, t.dir);
  const port = Number(new URL(remote.base).port);
  const pin = curlResolve('graspd-pinned.invalid', port, ['127.0.0.1']);
  assert.equal(pin, `graspd-pinned.invalid:${port}:127.0.0.1`);
  const r = await fetchRemote(q, `http://graspd-pinned.invalid:${port}/small.git`, ['+refs/heads/*:refs/x/*'], { timeoutMs: 10_000, maxBytes: 1e9, pin });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(curlResolve('::1', 80, ['::1']), undefined, 'literals need no pin');
  assert.equal(curlResolve('h.example', 443, ['2001:db8::1']), 'h.example:443:[2001:db8::1]');
});

test('failure classification matches phrases, not words inside URLs', () => {
  assert.deepEqual(classifyFailure("fatal: unable to access 'https://h/npub1ssl/x.git/': Could not resolve host: h"), { kind: 'failed', persistent: true });
  assert.deepEqual(classifyFailure("fatal: unable to access 'https://h/npub1ssl/x.git/': The requested URL returned error: 502"), { kind: 'failed', persistent: false });
  assert.deepEqual(classifyFailure('fatal: remote error: upload-pack: not our ref 1234'), { kind: 'missing', persistent: false });
  assert.deepEqual(classifyFailure('fatal: protocol error: bad line length character'), { kind: 'failed', persistent: true });
  assert.deepEqual(classifyFailure('error: RPC failed; curl 18 transfer closed'), { kind: 'failed', persistent: false });
});
