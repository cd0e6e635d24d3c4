// Rollback by replay: an old state signed by the owner (copied from anywhere) replayed after a newer one was
// applied must never authorise a push, whether its commits are here or not. Signed does not mean current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverWithClient } from '../helpers/server.js';
import { announcement, newKey, sign } from '../helpers/events.js';
import { commit, git, mustGit, workRepo } from '../../src/git/test-kit.js';

const nowSec = (): number => Math.floor(Date.now() / 1000);
const stateAt = (k: ReturnType<typeof newKey>, d: string, main: string, createdAt: number) =>
  sign(k, 30618, [['d', d], ['refs/heads/main', main], ['HEAD', 'ref: refs/heads/main']], '', createdAt);

test('an older state replayed after a newer one never enters purgatory and never authorises a force-push back', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const owner = newKey();
  const d = 'no-rollback';
  const url = `${srv.url}/${owner.npub}/${d}.git`;
  await c.publish(announcement(owner, d, [srv.config.domain]));
  const work = await workRepo();
  const base = await commit(work, 'base');
  // the old state names a commit the server never saw (a side branch only the attacker's copy has)
  await mustGit(['-C', work, 'checkout', '-q', '-b', 'old']);
  const oldTip = await commit(work, 'old, later abandoned');
  await mustGit(['-C', work, 'checkout', '-q', 'main']);
  const oldState = stateAt(owner, d, oldTip, nowSec() - 600);
  const current = await commit(work, 'current');
  const newState = stateAt(owner, d, current, nowSec() - 60);
  assert.match((await c.publish(newState)).message, /^purgatory:/);
  assert.equal((await git(['-C', work, 'push', url, 'main'])).code, 0);
  assert.ok((await mustGit(['ls-remote', url, 'refs/heads/main'])).startsWith(current));
  void base;

  // the replay: not held, not served
  const replay = await c.publish(oldState);
  assert.doesNotMatch(replay.message, /^purgatory:/, 'an older state must not enter purgatory');
  assert.equal((await c.query([{ ids: [oldState.id] }])).length, 0);

  // the force-push that would match the old state is refused, main stays
  const push = await git(['-C', work, 'push', '--force', url, 'old:main']);
  assert.notEqual(push.code, 0, 'force-push matching a replayed old state must be refused');
  assert.ok((await mustGit(['ls-remote', url, 'refs/heads/main'])).startsWith(current));
});

test('only the newest state of the maintainer set authorises; an older one of another maintainer does not', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const owner = newKey();
  const maint = newKey();
  const d = 'newest-wins';
  const url = `${srv.url}/${owner.npub}/${d}.git`;
  await c.publish(announcement(owner, d, [srv.config.domain], [['maintainers', maint.pk]]));
  const work = await workRepo();
  const a = await commit(work, 'a');
  await c.publish(stateAt(owner, d, a, nowSec() - 300));
  assert.equal((await git(['-C', work, 'push', url, 'main'])).code, 0);
  const b = await commit(work, 'b');
  assert.equal((await c.publish(stateAt(maint, d, b, nowSec() - 100))).ok, true);
  assert.equal((await git(['-C', work, 'push', url, 'main'])).code, 0);
  // going back to `a` would match the owner's (older) state only
  const back = await git(['-C', work, 'push', '--force', url, `${a}:refs/heads/main`]);
  assert.notEqual(back.code, 0);
  assert.match(back.stderr, /state/);
});
