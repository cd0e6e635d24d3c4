// Issue 11 with the real git CLI: pushes land packed, maintenance keeps every ref and every object a
// purgatory state or PR ref needs while deleting old garbage, clones and pushes work during maintenance,
// and copies of one repository share objects in a pool and survive each other's deletion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/log/logger.js';
import { copyObjects, runGit } from '../../src/git/git-cli.js';
import { GitMaintenance } from '../../src/git/maintenance.js';
import { repoStorage } from '../../src/git/storage-stats.js';
import { commit, git, mustGit, newKey, signPr, signState, startGitKit, workRepo, type GitKit, type Key } from '../../src/git/test-kit.js';
import { importHistory } from '../helpers/git-history.js';

const DAY = 86_400_000;

function maintenance(kit: GitKit, opts: Partial<ConstructorParameters<typeof GitMaintenance>[0]> = {}): GitMaintenance {
  return new GitMaintenance({
    dataDir: kit.dataDir, log: silentLogger, withRepoLock: (dir, fn) => kit.svc.withRepoLock(dir, fn),
    intervalMs: 0, debounceMs: 50, concurrency: 1, graceMs: DAY, timeoutMs: 60_000, ...opts,
  });
}

/** A work repo with `n` commits (text changes) and optionally one random blob of `blobBytes`. */
async function history(n: number, blobBytes = 0): Promise<string> {
  const w = await workRepo();
  await importHistory(w, { commits: n, blobBytes });
  return w;
}

async function pushAll(kit: GitKit, owner: Key, d: string, w: string, extra: Record<string, string> = {}): Promise<string> {
  const head = await mustGit(['-C', w, 'rev-parse', 'HEAD']);
  kit.states.push(signState(owner, d, { 'refs/heads/main': head, ...extra }, { createdAt: Math.floor(Date.now() / 1000) + kit.states.length }));
  const r = await git(['-C', w, 'push', kit.url(owner, d), 'HEAD:refs/heads/main']);
  assert.equal(r.code, 0, r.stderr);
  return head;
}

async function objectsOf(dir: string): Promise<string> {
  return mustGit(['--git-dir', dir, 'rev-list', '--objects', '--all']);
}

async function cloneObjects(url: string): Promise<{ objects: string; head: string }> {
  const dst = join(mkdtempSync(join(tmpdir(), 'graspd-storage-clone-')), 'c.git');
  await mustGit(['clone', '-q', '--bare', '--', url, dst]);
  await mustGit(['--git-dir', dst, 'fsck', '--no-dangling']);
  const out = { objects: (await objectsOf(dst)).split('\n').sort().join('\n'), head: await mustGit(['--git-dir', dst, 'rev-parse', 'HEAD']) };
  rmSync(dst, { recursive: true, force: true });
  return out;
}

test('a small push lands as a pack, not as loose objects', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  await kit.announce(o, 'small');
  const w = await history(3);
  await pushAll(kit, o, 'small', w);
  const s = await repoStorage(kit.svc.repoDir(o.pk, 'small'));
  assert.equal(s.looseObjects, 0, 'no loose objects after a push of a few objects');
  assert.equal(s.packs, 1);
});

test('repos of an older version get the storage config at start; objects copied in then land packed', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  await kit.announce(o, 'old');
  const dir = kit.svc.repoDir(o.pk, 'old');
  for (const k of ['receive.unpackLimit', 'fetch.unpackLimit', 'transfer.unpackLimit']) await runGit(['--git-dir', dir, 'config', '--unset', k]);
  const m = maintenance(kit);
  await m.ensureConfig(dir);
  assert.equal(await mustGit(['--git-dir', dir, 'config', 'fetch.unpackLimit']), '1');
  const w = await history(2);
  await copyObjects(join(w, '.git'), dir, [await mustGit(['-C', w, 'rev-parse', 'HEAD'])], 30_000);
  const s = await repoStorage(dir);
  assert.equal(s.looseObjects, 0);
  assert.equal(s.packs, 1);
});

test('a push is followed (debounced) by maintenance: packs rolled up, multi-pack-index, bitmap, commit-graph', async () => {
  await using kit = await startGitKit();
  const m = maintenance(kit, { debounceMs: 50 });
  kit.svc.onRepoChanged((dir) => m.touch(dir));
  const o = newKey();
  await kit.announce(o, 'deb');
  const w = await history(4);
  await pushAll(kit, o, 'deb', w);
  await commit(w, 'second push');
  await pushAll(kit, o, 'deb', w);
  const dir = kit.svc.repoDir(o.pk, 'deb');
  const deadline = Date.now() + 30_000;
  let s = await repoStorage(dir);
  while (!(s.commitGraph && s.midx && s.bitmap) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    s = await repoStorage(dir);
  }
  await m.idle();
  await m.stop();
  s = await repoStorage(dir);
  assert.ok(s.midx && s.bitmap && s.commitGraph, JSON.stringify(s));
  assert.equal(s.looseObjects, 0);
  assert.ok(s.packs <= 2, 'packs rolled up geometrically');
  const graph = await mustGit(['--git-dir', dir, 'commit-graph', 'verify']).then(() => true, () => false);
  assert.ok(graph, 'commit-graph valid');
  assert.equal((await cloneObjects(kit.url(o, 'deb'))).head, await mustGit(['-C', w, 'rev-parse', 'HEAD']));
});

test('maintenance keeps every ref, PR-ref object and recent unreachable object a purgatory state needs; old garbage goes', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'keep');
  const dir = kit.svc.repoDir(o.pk, 'keep');
  const w = await history(5);
  const first = await pushAll(kit, o, 'keep', w);
  // a PR ref (refs/nostr/<id>) on a side branch
  await mustGit(['-C', w, 'checkout', '-q', '-b', 'pr']);
  const prTip = await commit(w, 'pr work');
  const pr = signPr(newKey(), o.pk, 'keep', prTip);
  kit.prs.set(pr.id, pr);
  assert.equal((await git(['-C', w, 'push', url, `${prTip}:refs/nostr/${pr.id}`])).code, 0);
  // main moves on, then is force-moved to an unrelated history: `dropped` is now unreachable but recent
  // (a state waiting in purgatory that points back at it must still find it)
  await mustGit(['-C', w, 'checkout', '-q', 'main']);
  await commit(w, 'later dropped');
  const dropped = await pushAll(kit, o, 'keep', w);
  await mustGit(['-C', w, 'checkout', '-q', '--orphan', 'other']);
  const other = await commit(w, 'rewritten');
  kit.states.push(signState(o, 'keep', { 'refs/heads/main': other }, { createdAt: Math.floor(Date.now() / 1000) + 100 }));
  assert.equal((await git(['-C', w, 'push', '-f', url, `${other}:refs/heads/main`])).code, 0);
  // old garbage: an unreachable loose blob written two days ago
  const garbage = (await runGit(['--git-dir', dir, 'hash-object', '-w', '--stdin'], { input: 'garbage ' + randomBytes(8).toString('hex') })).stdout.trim();
  const loose = join(dir, 'objects', garbage.slice(0, 2), garbage.slice(2));
  const old = (Date.now() - 2 * DAY) / 1000;
  utimesSync(loose, old, old);
  const refsBefore = await kit.svc.listRefs(o.pk, 'keep');

  const m = maintenance(kit);
  assert.equal(await m.maintain(dir, { full: true, changed: true }), 'ok');

  assert.deepEqual(await kit.svc.listRefs(o.pk, 'keep'), refsBefore, 'every ref unchanged');
  assert.equal(await kit.svc.hasCommits(o.pk, 'keep', [prTip, other]), true);
  assert.equal(await kit.svc.hasCommits(o.pk, 'keep', [first, dropped]), true, 'recent unreachable history kept');
  assert.equal((await runGit(['--git-dir', dir, 'cat-file', '-e', garbage])).code !== 0, true, 'old unreachable object deleted');
  await mustGit(['--git-dir', dir, 'fsck', '--no-dangling']);
  const s = await repoStorage(dir);
  assert.equal(s.looseObjects, 0);
  assert.equal(s.packs, 1, 'reachable objects in one pack');
  assert.equal(s.cruftPacks, 1, 'recent unreachable objects in a cruft pack');
  // the state that points back at the old history applies without any new data
  const back = signState(o, 'keep', { 'refs/heads/main': dropped }, { createdAt: Math.floor(Date.now() / 1000) + 200 });
  assert.equal(await kit.svc.applyState(back), true);
  assert.equal((await cloneObjects(url)).head, dropped);
});

test('clones and a push succeed while maintenance repacks the repo', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'busy');
  const w = await history(150, 2 * 1024 * 1024);
  const head = await pushAll(kit, o, 'busy', w);
  const dir = kit.svc.repoDir(o.pk, 'busy');
  const m = maintenance(kit);
  // several packs to roll up
  for (let i = 0; i < 3; i++) {
    await commit(w, `more ${i}`);
    await pushAll(kit, o, 'busy', w);
  }
  const last = await mustGit(['-C', w, 'rev-parse', 'HEAD']);
  let done = false;
  const run = m.maintain(dir, { full: true, changed: true }).finally(() => { done = true; });
  let clones = 0;
  while (!done || clones < 2) {
    const c = await cloneObjects(url);
    assert.equal(c.head, last);
    clones++;
  }
  assert.equal(await run, 'ok');
  await commit(w, 'after');
  const p = pushAll(kit, o, 'busy', w);
  await m.maintain(dir, { full: true, changed: true });
  await p;
  assert.notEqual(head, last);
  assert.equal((await repoStorage(dir)).packs, 2, 'the full repack and the pack of the push that waited');
  assert.equal((await cloneObjects(url)).head, await mustGit(['-C', w, 'rev-parse', 'HEAD']));
});

/** Two owners announce the same repository (same d, same maintainer set) and push the same history. */
async function twoCopies(kit: GitKit, d: string, w: string): Promise<{ a: Key; b: Key }> {
  const a = newKey(), b = newKey();
  await kit.announce(a, d, [b.pk]);
  await kit.announce(b, d, [a.pk]);
  await pushAll(kit, a, d, w);
  // b's state (same maintainers) already governs b's repo: alignment copied the objects; push anyway
  await pushAll(kit, b, d, w);
  return { a, b };
}

test('two owners of one repository share its objects in a pool; each still clones after the other is deleted', async () => {
  await using kit = await startGitKit();
  const w = await history(40, 1024 * 1024);
  const { a, b } = await twoCopies(kit, 'shared', w);
  const dirA = kit.svc.repoDir(a.pk, 'shared'), dirB = kit.svc.repoDir(b.pk, 'shared');
  const expected = await cloneObjects(kit.url(a, 'shared'));
  const single = (await repoStorage(dirA)).bytes;
  const m = maintenance(kit, { networkOf: async (dirs) => [dirs.filter((x) => x === dirA || x === dirB).sort()] });
  await m.sweep();
  const [poolDir] = m.pools.list();
  assert.ok(poolDir, 'a pool was created');
  const sa = await repoStorage(dirA), sb = await repoStorage(dirB), sp = await repoStorage(poolDir);
  assert.equal(sa.alternates.length, 1);
  assert.equal(sb.alternates.length, 1);
  const total = sa.bytes + sb.bytes + sp.bytes;
  assert.ok(total < 1.3 * single, `two copies take ${total} bytes, one copy alone ${single}`);
  assert.ok(sa.bytes < 0.2 * single && sb.bytes < 0.2 * single, 'members keep no copy of shared objects');
  assert.deepEqual(await cloneObjects(kit.url(a, 'shared')), expected);
  assert.deepEqual(await cloneObjects(kit.url(b, 'shared')), expected);

  // a new push to one copy stays local to it until the pool fetches it; both still serve
  await commit(w, 'new on a');
  await pushAll(kit, a, 'shared', w);
  await m.sweep();

  rmSync(dirA, { recursive: true, force: true });
  await m.sweep();
  await mustGit(['--git-dir', dirB, 'fsck', '--no-dangling']);
  const afterB = await cloneObjects(kit.url(b, 'shared'));
  assert.equal(afterB.head, await mustGit(['-C', w, 'rev-parse', 'HEAD']));
  assert.equal((await mustGit(['--git-dir', poolDir, 'for-each-ref'])).split('\n').filter((l) => l.includes('refs/members/')).every((l) => l.includes(m.pools.memberKey(dirB))), true, 'the deleted copy\'s pool refs are gone');

  // b leaves the network (re-pointed): it copies what it needs first; then the pool may be deleted
  const m2 = maintenance(kit, { networkOf: async () => [] });
  await m2.sweep();
  assert.equal((await repoStorage(dirB)).alternates.length, 0);
  rmSync(poolDir, { recursive: true, force: true });
  await mustGit(['--git-dir', dirB, 'fsck', '--no-dangling']);
  assert.equal((await cloneObjects(kit.url(b, 'shared'))).head, afterB.head);
});

test('a repo of another network cannot see or add to a pool', async () => {
  await using kit = await startGitKit();
  const w = await history(5);
  const { a, b } = await twoCopies(kit, 'net1', w);
  const dirA = kit.svc.repoDir(a.pk, 'net1'), dirB = kit.svc.repoDir(b.pk, 'net1');
  const x = newKey();
  await kit.announce(x, 'other');
  const dirX = kit.svc.repoDir(x.pk, 'other');
  const wx = await history(2);
  const xHead = await pushAll(kit, x, 'other', wx);
  const m = maintenance(kit, { networkOf: async () => [[dirA, dirB].sort()] });
  await m.sweep();
  const [poolDir] = m.pools.list();
  assert.ok(poolDir);
  const shared = await mustGit(['-C', w, 'rev-parse', 'HEAD']);
  assert.equal(await kit.svc.hasCommits(x.pk, 'other', [shared]), false, 'network 1 objects are invisible to repo x');
  assert.equal((await repoStorage(dirX)).alternates.length, 0);
  assert.notEqual((await runGit(['--git-dir', poolDir, 'cat-file', '-e', xHead])).code, 0, 'repo x objects never enter the pool');
  // a push to x of history that builds on network 1's commit must bring every object itself
  const wy = await workRepo();
  await mustGit(['-C', wy, 'fetch', '-q', join(w, '.git'), 'HEAD:refs/heads/base']);
  await mustGit(['-C', wy, 'checkout', '-q', 'base']);
  const built = await commit(wy, 'on top of network 1');
  kit.states.push(signState(x, 'other', { 'refs/heads/main': built }, { createdAt: Math.floor(Date.now() / 1000) + 50 }));
  assert.equal((await git(['-C', wy, 'push', '-f', kit.url(x, 'other'), 'HEAD:refs/heads/main'])).code, 0);
  assert.equal((await repoStorage(dirX)).alternates.length, 0);
  await mustGit(['--git-dir', dirX, 'fsck', '--no-dangling']);
  assert.ok(existsSync(poolDir) && readdirSync(join(dirX, 'objects', 'pack')).length > 0);
});
