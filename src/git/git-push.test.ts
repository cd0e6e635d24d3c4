// End-to-end push authorisation with the real git CLI (grasp-requirements.md 3.8–3.10).
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { commit, git, mustGit, newKey, signPr, signState, startGitKit, workRepo } from './test-kit.js';
import { provisionalDir } from './provisional.js';
import { listRefs } from './git-cli.js';

const lsRemote = async (url: string): Promise<Record<string, string>> => {
  const out = await mustGit(['ls-remote', url]);
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => { const [oid, ref] = l.split('\t'); return [ref, oid]; }));
};

/** the rejected object must not be served, not even by sha over protocol v2 */
async function assertNotFetchable(url: string, sha: string): Promise<void> {
  const probe = await workRepo();
  const r = await git(['-C', probe, '-c', 'protocol.version=2', 'fetch', '-q', url, sha]);
  assert.notEqual(r.code, 0, 'rejected commit must not be fetchable');
}

test('3.8 push with no state published is rejected, refs unchanged and the commit not fetchable', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'nostate');
  const w = await workRepo();
  const c = await commit(w, 'Initial commit');
  const r = await git(['-C', w, 'push', url, 'HEAD:refs/heads/main']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no authorised repo state event/);
  assert.deepEqual(await lsRemote(url), {});
  assert.equal(await kit.svc.hasCommits(o.pk, 'nostate', [c]), false);
  await assertNotFetchable(url, c);
});

test('3.8 push matching the state is accepted; HEAD follows the state and the relay is told', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'ok');
  const w = await workRepo();
  const c = await commit(w, 'Initial commit');
  const s = signState(o, 'ok', { 'refs/heads/main': c, 'refs/heads/dev': c }, { head: 'refs/heads/dev' });
  kit.states.push(s);
  await mustGit(['-C', w, 'push', url, 'HEAD:refs/heads/main', 'HEAD:refs/heads/dev']);
  assert.deepEqual(await lsRemote(url), { HEAD: c, 'refs/heads/main': c, 'refs/heads/dev': c });
  assert.match(await mustGit(['ls-remote', '--symref', url, 'HEAD']), /^ref: refs\/heads\/dev\tHEAD/);
  assert.equal(kit.accepted.length, 1);
  assert.equal(kit.accepted[0]?.state?.id, s.id);
  assert.deepEqual(kit.accepted[0]?.prRefs, []);
});

test('3.8 push of a different commit than the state is rejected with a one-line reason', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'wrong');
  const w = await workRepo();
  const good = await commit(w, 'Initial commit');
  const bad = await commit(w, 'something else');
  kit.states.push(signState(o, 'wrong', { 'refs/heads/main': good }));
  const r = await git(['-C', w, 'push', url, `${bad}:refs/heads/main`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /\[remote rejected\] .*refs\/heads\/main would be [0-9a-f]{7} but the state says [0-9a-f]{7}/);
  assert.deepEqual(await lsRemote(url), {});
  await assertNotFetchable(url, bad);
  assert.equal(kit.accepted.length, 0);
});

test('3.8 push of an extra branch not in the state is rejected', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'extra');
  const w = await workRepo();
  const c = await commit(w, 'Initial commit');
  kit.states.push(signState(o, 'extra', { 'refs/heads/main': c }));
  await mustGit(['-C', w, 'push', url, 'HEAD:refs/heads/main']);
  const r = await git(['-C', w, 'push', url, 'HEAD:refs/heads/other']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /refs\/heads\/other is not in the state/);
  assert.deepEqual(await lsRemote(url), { HEAD: c, 'refs/heads/main': c });
});

test('3.8 a state by a key outside the maintainer set does not authorise; a listed maintainer does', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const m = newKey();
  const rogue = newKey();
  const url = await kit.announce(o, 'maint', [m.pk]);
  const w = await workRepo();
  const c = await commit(w, 'Maintainer initial commit');
  kit.states.push(signState(rogue, 'maint', { 'refs/heads/main': c }));
  const r = await git(['-C', w, 'push', url, 'HEAD:refs/heads/main']);
  assert.notEqual(r.code, 0);
  assert.deepEqual(await lsRemote(url), {});
  kit.states.push(signState(m, 'maint', { 'refs/heads/main': c }));
  await mustGit(['-C', w, 'push', url, 'HEAD:refs/heads/main']);
  assert.equal((await lsRemote(url))['refs/heads/main'], c);
});

test('3.8 deleting a branch is accepted when the state omits it', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'del');
  const w = await workRepo();
  const c = await commit(w, 'Initial commit');
  kit.states.push(signState(o, 'del', { 'refs/heads/main': c, 'refs/heads/dev': c }, { createdAt: 100, head: 'refs/heads/dev' }));
  await mustGit(['-C', w, 'push', url, 'HEAD:refs/heads/main', 'HEAD:refs/heads/dev']);
  const refused = await git(['-C', w, 'push', url, ':refs/heads/dev']);
  assert.notEqual(refused.code, 0, 'the newest state still lists dev');
  kit.states.push(signState(o, 'del', { 'refs/heads/main': c }, { createdAt: 200, head: 'refs/heads/main' }));
  await mustGit(['-C', w, 'push', url, ':refs/heads/dev']);
  assert.deepEqual(await lsRemote(url), { HEAD: c, 'refs/heads/main': c });
});

test('3.8 annotated tags are authorised by their tag object id', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'tags');
  const w = await workRepo();
  const c = await commit(w, 'Initial commit');
  await mustGit(['-C', w, 'tag', '-a', '-m', 'v1', 'v1']);
  const tagObj = await mustGit(['-C', w, 'rev-parse', 'refs/tags/v1']);
  kit.states.push(signState(o, 'tags', { 'refs/heads/main': c, 'refs/tags/v1': tagObj }));
  await mustGit(['-C', w, 'push', url, 'HEAD:refs/heads/main', 'refs/tags/v1:refs/tags/v1']);
  assert.deepEqual(await lsRemote(url), { HEAD: c, 'refs/heads/main': c, 'refs/tags/v1': tagObj, 'refs/tags/v1^{}': c });
});

test('3.10 refs/nostr/<id>: bad ids rejected, unknown ids held apart (provisional), known PRs must match their c tag', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'prs');
  const w = await workRepo();
  const cp = await commit(w, 'PR test deterministic commit');
  const wrong = await commit(w, 'PR test deterministic commit 2');
  const bad = await git(['-C', w, 'push', url, `${cp}:refs/nostr/123`]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /not a valid event id/);

  const pr = signPr(newKey(), o.pk, 'prs', cp);
  await mustGit(['-C', w, 'push', url, `${wrong}:refs/nostr/${pr.id}`]);
  assert.equal((await lsRemote(url))[`refs/nostr/${pr.id}`], undefined, 'held apart, not in the repository people clone');
  const side = provisionalDir(kit.dataDir, o.pk, 'prs');
  assert.equal((await listRefs(side)).get(`refs/nostr/${pr.id}`), wrong);
  const mixed = await git(['-C', w, 'push', url, `${wrong}:refs/nostr/${'9'.repeat(64)}`, `${cp}:refs/heads/main`]);
  assert.notEqual(mixed.code, 0, 'provisional refs are pushed on their own');

  kit.prs.set(pr.id, pr);
  const off = await git(['-C', w, 'push', '--force', url, `${wrong}:refs/nostr/${pr.id}`]);
  assert.notEqual(off.code, 0);
  assert.match(off.stderr, /must be [0-9a-f]{7} \(the c tag of PR event/);
  await mustGit(['-C', w, 'push', '--force', url, `${cp}:refs/nostr/${pr.id}`]);
  assert.equal((await lsRemote(url))[`refs/nostr/${pr.id}`], cp);
  assert.deepEqual(kit.accepted.at(-1)?.prRefs, [{ eventId: pr.id, oid: cp }]);
});

test('3.10 refs/nostr refs whose event never came are removed after the expiry, with their objects', async () => {
  let now = 1_000_000;
  await using kit = await startGitKit({ now: () => now });
  const o = newKey();
  const url = await kit.announce(o, 'stale');
  const w = await workRepo();
  const c = await commit(w, 'x');
  const known = 'a'.repeat(64);
  const orphan = 'b'.repeat(64);
  await mustGit(['-C', w, 'push', url, `${c}:refs/nostr/${known}`, `${c}:refs/nostr/${orphan}`]);
  const side = provisionalDir(kit.dataDir, o.pk, 'stale');
  let isKnown = (id: string): boolean => id === known;
  assert.equal(await kit.svc.removeStalePrRefs(now + 1000, 5000, isKnown), 0);
  now += 10_000;
  assert.equal(await kit.svc.removeStalePrRefs(now, 5000, isKnown), 1);
  assert.deepEqual([...(await listRefs(side)).keys()], [`refs/nostr/${known}`]);
  assert.deepEqual(await lsRemote(url), {}, 'nothing ever reached the real repository');
  // its event went away: the ref is first seen as unknown now, and expires one period later
  isKnown = () => false;
  assert.equal(await kit.svc.removeStalePrRefs(now, 5000, isKnown), 0);
  now += 10_000;
  assert.equal(await kit.svc.removeStalePrRefs(now, 5000, isKnown), 1);
  assert.equal(existsSync(side), false, 'the emptied provisional repository is gone, objects and all');
});

test('3.8 concurrent pushes to one repo are serialised: refs end consistent', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'conc');
  const w = await workRepo();
  const c = await commit(w, 'Initial commit');
  kit.states.push(signState(o, 'conc', { 'refs/heads/main': c }));
  const results = await Promise.all([1, 2, 3].map(() => git(['-C', w, 'push', url, 'HEAD:refs/heads/main'])));
  assert.ok(results.some((r) => r.code === 0));
  for (const r of results) if (r.code !== 0) assert.match(r.stderr, /changed on the server/);
  assert.deepEqual(await lsRemote(url), { HEAD: c, 'refs/heads/main': c });
});

test('3.10 once the PR event is known, a matching provisional ref moves into the repository, another is deleted', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'align-pr');
  const w = await workRepo();
  await commit(w, 'base');
  const tip = await commit(w, 'tip');
  const absent = 'e'.repeat(40);
  const p1 = 'c'.repeat(64);
  const p2 = 'd'.repeat(64);
  await mustGit(['-C', w, 'push', url, `${tip}:refs/nostr/${p1}`, `${tip}:refs/nostr/${p2}`]);
  assert.equal(await kit.svc.alignPrRef(o.pk, 'align-pr', p1, tip), true);
  assert.equal(await kit.svc.alignPrRef(o.pk, 'align-pr', p2, absent), false);
  assert.deepEqual(await lsRemote(url), { [`refs/nostr/${p1}`]: tip });
  assert.equal(existsSync(provisionalDir(kit.dataDir, o.pk, 'align-pr')), false);
});

test('3.8 a push larger than the client post buffer (probe request, chunked body) is authorised like any other', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'large');
  const w = await workRepo();
  const c = await commit(w, randomBytes(300_000).toString('base64'), 'big.txt');
  const small = ['-c', 'http.postBuffer=65520'];
  const denied = await git(['-C', w, ...small, 'push', url, 'HEAD:refs/heads/main']);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /no authorised repo state event/);
  kit.states.push(signState(o, 'large', { 'refs/heads/main': c }));
  await mustGit(['-C', w, ...small, 'push', url, 'HEAD:refs/heads/main']);
  assert.equal((await lsRemote(url))['refs/heads/main'], c);
});
