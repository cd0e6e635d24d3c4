// Quotas through a real server: repositories per author, per author in purgatory, in purgatory in total, the
// free-disk guard (announcements and pushes), repository size on push; refusals by quota on /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverWithClient } from '../helpers/server.js';
import { announcement, newKey, state } from '../helpers/events.js';
import { commit, git, mustGit, workRepo } from '../../src/git/test-kit.js';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

test('repositories waiting for git data are capped per author, and in total; replacements do not count', async (t) => {
  const { srv, c } = await serverWithClient(t, ['--max-purgatory-repos-per-author', '3', '--max-purgatory-repos', '5']);
  const alice = newKey();
  for (let i = 0; i < 3; i++) assert.match((await c.publish(announcement(alice, `r${i}`, [srv.config.domain]))).message, /^purgatory:/);
  const fourth = await c.publish(announcement(alice, 'r3', [srv.config.domain]));
  assert.equal(fourth.ok, false);
  assert.match(fourth.message, /^blocked: quota reached: at most 3 of your repositories/);
  // a newer version of a held announcement replaces it: not a new repository
  assert.equal((await c.publish(announcement(alice, 'r1', [srv.config.domain], [['name', 'renamed']]))).ok, true);
  const bob = newKey();
  assert.equal((await c.publish(announcement(bob, 'b0', [srv.config.domain]))).ok, true);
  assert.equal((await c.publish(announcement(bob, 'b1', [srv.config.domain]))).ok, true);
  const overall = await c.publish(announcement(newKey(), 'x', [srv.config.domain]));
  assert.equal(overall.ok, false);
  assert.match(overall.message, /^blocked: too many new repositories/);
  const metrics = await (await fetch(`${srv.url}/metrics`)).text();
  assert.match(metrics, /graspd_quota_refusals_total\{quota="purgatory-repos-per-author"\} 1/);
  assert.match(metrics, /graspd_quota_refusals_total\{quota="purgatory-repos"\} 1/);
});

test('repositories per author: served ones count too', async (t) => {
  const { srv, c } = await serverWithClient(t, ['--max-repos-per-author', '2']);
  const alice = newKey();
  const work = await workRepo();
  const tip = await commit(work, 'one');
  for (const d of ['a', 'b']) {
    await c.publish(announcement(alice, d, [srv.config.domain]));
    await c.publish(state(alice, d, { 'refs/heads/main': tip }));
    assert.equal((await git(['-C', work, 'push', `${srv.url}/${alice.npub}/${d}.git`, 'main'])).code, 0);
  }
  const third = await c.publish(announcement(alice, 'c', [srv.config.domain]));
  assert.equal(third.ok, false);
  assert.match(third.message, /^blocked: quota reached: at most 2 repositories per author/);
});

test('free-disk guard: below --min-free-disk-bytes no new repositories and no pushes; serving continues', async (t) => {
  const { srv, c } = await serverWithClient(t, ['--min-free-disk-bytes', String(Number.MAX_SAFE_INTEGER)]);
  const alice = newKey();
  const r = await c.publish(announcement(alice, 'full', [srv.config.domain]));
  assert.equal(r.ok, false);
  assert.match(r.message, /^blocked: this server is low on disk space/);
  assert.equal((await c.query([{ kinds: [30617] }])).length, 0, 'queries still answered');
});

test('a push that would make the repository larger than --max-repo-bytes is refused with a one-line reason', async (t) => {
  const { srv, c } = await serverWithClient(t, ['--max-repo-bytes', '300000']);
  const alice = newKey();
  await c.publish(announcement(alice, 'small', [srv.config.domain]));
  const work = await workRepo();
  // incompressible content well above the limit
  writeFileSync(join(work, 'big.bin'), randomBytes(600_000));
  await mustGit(['-C', work, 'add', 'big.bin']);
  const tip = await commit(work, 'big');
  await c.publish(state(alice, 'small', { 'refs/heads/main': tip }));
  const push = await git(['-C', work, 'push', `${srv.url}/${alice.npub}/small.git`, 'main']);
  assert.notEqual(push.code, 0);
  assert.match(push.stderr, /repository size limit reached/);
  assert.match(await (await fetch(`${srv.url}/metrics`)).text(), /graspd_quota_refusals_total\{quota="repo-bytes"\} 1/);
});
