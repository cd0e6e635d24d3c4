// GRASP-01 end to end through a real graspd: announcement → bare repo + purgatory, state → purgatory,
// `git push` (real git) → accepted, refs/HEAD set, announcement and state released and broadcast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverWithClient, startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';
import { announcement, newKey, sign, state } from '../helpers/events.js';
import { commit, git, mustGit, workRepo } from '../../src/git/test-kit.js';
import { repoDir } from '../../src/git/repo-paths.js';
import type { NostrEvent } from '../../src/nostr/types.js';

test('3.7 + 3.5 + 3.9 announce, state, push: released from purgatory, served, cloneable with HEAD from the state', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const listener = await TestClient.connect(srv.relayUrl);
  t.after(() => listener.close());
  listener.send(['REQ', 'all', { kinds: [30617, 30618] }]);
  await listener.waitFor((f) => f[0] === 'EOSE');

  const k = newKey();
  const d = 'my repo: ünïcode and spaces';
  const ann = announcement(k, d, [srv.config.domain]);
  assert.match((await c.publish(ann)).message, /^purgatory:/);
  assert.ok(existsSync(repoDir(srv.dataDir, k.pk, d)), 'bare repo created on announcement');

  const work = await workRepo();
  const c1 = await commit(work, 'one');
  await mustGit(['-C', work, 'checkout', '-q', '-b', 'dev']);
  const c2 = await commit(work, 'two');
  const st = state(k, d, { 'refs/heads/main': c1, 'refs/heads/dev': c2 }, 'dev');
  assert.match((await c.publish(st)).message, /^purgatory:/, 'commits are missing, state waits');
  assert.deepEqual(await c.query([{ kinds: [30617, 30618] }]), []);

  const url = `${srv.url}/${k.npub}/${encodeURIComponent(d)}.git`;
  const push = await git(['-C', work, 'push', url, 'main', 'dev']);
  assert.equal(push.code, 0, push.stderr);

  const served = await c.query([{ kinds: [30617, 30618] }]);
  assert.deepEqual(new Set(served.map((e) => e.id)), new Set([ann.id, st.id]));
  await listener.waitFor((f) => f[0] === 'EVENT' && (f[2] as NostrEvent).id === st.id);

  const clone = mkdtempSync(join(tmpdir(), 'graspd-clone-'));
  await mustGit(['clone', '-q', url, join(clone, 'c')]);
  assert.equal(await mustGit(['-C', join(clone, 'c'), 'rev-parse', 'HEAD']), c2, 'HEAD follows the state (dev)');
});

test('3.8 a push that does not match the state is rejected with a reason and refs stay unchanged', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const k = newKey();
  await c.publish(announcement(k, 'strict', [srv.config.domain]));
  const work = await workRepo();
  const c1 = await commit(work, 'one');
  await c.publish(state(k, 'strict', { 'refs/heads/main': c1 }));
  await commit(work, 'two (not in the state)');
  const url = `${srv.url}/${k.npub}/strict.git`;
  const push = await git(['-C', work, 'push', url, 'main']);
  assert.notEqual(push.code, 0);
  assert.match(push.stderr, /state/);
  const refs = await git(['ls-remote', url]);
  assert.equal(refs.stdout.trim(), '');
  assert.deepEqual(await c.query([{ kinds: [30618] }]), [], 'state still in purgatory');
});

test('3.9 a state whose commits are already present is applied at once, without a push', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const k = newKey();
  await c.publish(announcement(k, 'apply', [srv.config.domain]));
  const work = await workRepo();
  const c1 = await commit(work, 'one');
  const c2 = await commit(work, 'two');
  await c.publish(state(k, 'apply', { 'refs/heads/main': c2 }));
  const url = `${srv.url}/${k.npub}/apply.git`;
  assert.equal((await git(['-C', work, 'push', url, 'main'])).code, 0);
  // roll main back to c1: the objects are present, so the state is served and applied at once
  const back = state(k, 'apply', { 'refs/heads/main': c1 });
  assert.deepEqual(await c.publish(back), { ok: true, message: '' });
  const ls = await mustGit(['ls-remote', url, 'refs/heads/main']);
  assert.ok(ls.startsWith(c1), ls);
});

async function servedRepo(srv: Awaited<ReturnType<typeof startTestServer>>, c: TestClient, d: string) {
  const k = newKey();
  await c.publish(announcement(k, d, [srv.config.domain]));
  const work = await workRepo();
  const base = await commit(work, 'base');
  await c.publish(state(k, d, { 'refs/heads/main': base }));
  const url = `${srv.url}/${k.npub}/${encodeURIComponent(d)}.git`;
  assert.equal((await git(['-C', work, 'push', url, 'main'])).code, 0);
  return { k, work, url };
}

test('3.5 #6 + 3.10 #5 a PR whose commit is missing waits in purgatory until its tip is pushed to refs/nostr/<id>', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const { k, work, url } = await servedRepo(srv, c, 'pr-flow');
  const contributor = newKey();
  await mustGit(['-C', work, 'checkout', '-q', '-b', 'feature']);
  const tip = await commit(work, 'feature work');
  const pr = sign(contributor, 1618, [['a', `30617:${k.pk}:pr-flow`], ['p', k.pk], ['c', tip], ['subject', 'a PR']], 'please merge');
  assert.match((await c.publish(pr)).message, /^purgatory:/);
  assert.deepEqual(await c.query([{ ids: [pr.id] }]), []);
  assert.equal((await git(['-C', work, 'push', url, `feature:refs/nostr/${pr.id}`])).code, 0);
  assert.deepEqual(await c.query([{ ids: [pr.id] }]), [pr]);
  assert.ok((await mustGit(['ls-remote', url, `refs/nostr/${pr.id}`])).startsWith(tip));
});

test('3.10 #2/#3 a provisional refs/nostr ref to another commit is deleted when the PR event arrives', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const { k, work, url } = await servedRepo(srv, c, 'pr-mismatch');
  await mustGit(['-C', work, 'checkout', '-q', '-b', 'wrong']);
  await commit(work, 'wrong commit');
  const contributor = newKey();
  const pr = sign(contributor, 1618, [['a', `30617:${k.pk}:pr-mismatch`], ['c', 'a'.repeat(40)], ['subject', 'x']], '');
  assert.equal((await git(['-C', work, 'push', url, `wrong:refs/nostr/${pr.id}`])).code, 0, 'unknown event: accepted provisionally');
  assert.match((await c.publish(pr)).message, /^purgatory:/);
  assert.equal(await mustGit(['ls-remote', url, `refs/nostr/${pr.id}`]), '');
});

test('3.5 #8 a deletion removes a state from purgatory; a push matching it is then rejected', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const { k, work, url } = await servedRepo(srv, c, 'del-state');
  const u = await commit(work, 'unique');
  const st = state(k, 'del-state', { 'refs/heads/main': u });
  assert.match((await c.publish(st)).message, /^purgatory:/);
  assert.equal((await c.publish(sign(k, 5, [['e', st.id], ['k', '30618']], ''))).ok, true);
  const push = await git(['-C', work, 'push', url, 'main']);
  assert.notEqual(push.code, 0);
});
