// GRASP-05 archive mode through real servers: B archives a repository that lists only A — the announcement is
// accepted, its events and git data come by sync from A, clones from B work, pushes to B are refused
// (read-only), NIP-11 advertises GRASP-05 only when enabled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newKey } from '../helpers/events.js';
import { freePort, waitUntil } from '../helpers/process.js';
import { graspd, has, host, newRepo, publish } from '../sync/kit.js';
import { cloneHead, lsRemote, repoUrl } from '../gitfetch/kit.js';
import { announcement } from '../helpers/events.js';
import { TestClient } from '../helpers/client.js';
import { commit, git } from '../../src/git/test-kit.js';

const FETCH = ['--gitfetch-delay-ms', '50', '--gitfetch-backoff-base-ms', '2000', '--gitfetch-backoff-max-ms', '12000'];

async function grasps(httpUrl: string): Promise<string[]> {
  const doc = (await (await fetch(httpUrl, { headers: { Accept: 'application/nostr+json' } })).json()) as { supported_grasps: string[] };
  return doc.supported_grasps;
}

test('archive: a repository listing only A is synced to B (events + git data), cloneable, and read-only there', async (t) => {
  const [pa, pb] = [await freePort(), await freePort()];
  const a = await graspd(t, { port: pa, args: FETCH });
  const owner = newKey();
  const b = await graspd(t, { port: pb, args: [...FETCH, '--archive-whitelist', owner.npub] });
  assert.deepEqual(await grasps(a.httpUrl), ['GRASP-01', 'GRASP-02']);
  assert.deepEqual(await grasps(b.httpUrl), ['GRASP-01', 'GRASP-05', 'GRASP-02']);

  const repo = await newRepo(owner, 'archived', [a.domain]);
  await host(a, repo);
  // the announcement does not list B: accepted there only because the owner is on the archive whitelist
  await publish(b.relayUrl, repo.ann);
  const onB = repoUrl(b, repo);
  const refsA = await lsRemote(repoUrl(a, repo));
  await waitUntil(async () => (await lsRemote(onB)) === refsA, 'B archived the git data of A', 30_000, 100);
  assert.equal(await cloneHead(onB), repo.commit);
  await waitUntil(() => has(b.relayUrl, repo.state.id), 'state served on B', 10_000, 100);
  await waitUntil(() => has(b.relayUrl, repo.ann.id), 'announcement served on B', 10_000, 100);

  // read-only: a push to B is refused with a one-line reason, refs unchanged
  await commit(repo.work, 'pushed to the archive');
  const push = await git(['-C', repo.work, 'push', onB, 'HEAD:refs/heads/main']);
  assert.notEqual(push.code, 0);
  assert.match(push.stderr, /archived here/);
  assert.equal(await lsRemote(onB), refsA);

  // not whitelisted: still blocked
  const other = await TestClient.connect(b.relayUrl);
  t.after(() => other.close());
  const r = await other.publish(announcement(newKey(), 'elsewhere', [a.domain]));
  assert.equal(r.ok, false);
  assert.match(r.message, /^blocked:/);
});

test('--archive-all accepts any announcement; --no-archive-read-only lets pushes that match the state through', async (t) => {
  const b = await graspd(t, { args: ['--archive-all', '--no-archive-read-only'] });
  const owner = newKey();
  const repo = await newRepo(owner, 'mirror-me', ['elsewhere.example:443']);
  const c = await TestClient.connect(b.relayUrl);
  t.after(() => c.close());
  assert.match((await c.publish(repo.ann)).message, /^purgatory:/);
  assert.match((await c.publish(repo.state)).message, /^purgatory:/);
  const push = await git(['-C', repo.work, 'push', repoUrl(b, repo), 'HEAD:refs/heads/main']);
  assert.equal(push.code, 0, push.stderr);
  await waitUntil(() => has(b.relayUrl, repo.ann.id), 'announcement served after the push', 10_000, 100);
});
