// GRASP.md "Git data sync", orderings and outages: B holds a state (published to it by a client, as ngit
// publishes to every relay of the announcement) before the data exists anywhere it can reach — first
// because nobody pushed yet, then because A is down — and completes by retry/backoff once A has it.
// B runs without event sync so the only way the data can arrive is its own hunt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newKey } from '../helpers/events.js';
import { freePort, waitUntil } from '../helpers/process.js';
import { graspd, has, newRepo, publish, push } from '../sync/kit.js';
import { advance, cloneHead, headSymref, lsRemote, metricValue, repoUrl } from './kit.js';

const FETCH = ['--gitfetch-delay-ms', '50', '--gitfetch-user-delay-ms', '100', '--gitfetch-backoff-base-ms', '2000', '--gitfetch-backoff-max-ms', '12000', '--gitfetch-park-ms', '60000'];

async function failures(g: { httpUrl: string }): Promise<number> {
  let n = 0;
  for (const o of ['missing', 'not_found', 'failed']) n += await metricValue(g, 'graspd_gitfetch_fetches_total', `{outcome="${o}"}`);
  return n;
}

test('a state that reaches B before the push to A, and a state that reaches B while A is down (and B restarts), both complete once A has the data', async (t) => {
  const [pa, pb] = [await freePort(), await freePort()];
  const domains = [`127.0.0.1:${pa}`, `127.0.0.1:${pb}`];
  let a = await graspd(t, { port: pa, args: FETCH });
  let b = await graspd(t, { port: pb, args: [...FETCH, '--no-sync'] });
  const owner = newKey();
  let repo = await newRepo(owner, 'late', domains);
  const [onA, onB] = [repoUrl(a, repo), repoUrl(b, repo)];

  // state first, data later: B's first hunt finds A without the commits and backs off
  await publish(a.relayUrl, repo.ann, repo.state);
  await publish(b.relayUrl, repo.ann, repo.state);
  await waitUntil(async () => (await failures(b)) >= 1, 'B tried A before the push', 10_000, 50);
  assert.equal(await lsRemote(onB), '');
  assert.ok(await push(a, repo), 'push to A');
  const pushed = Date.now();
  const refsA = await lsRemote(onA);
  await waitUntil(async () => (await lsRemote(onB)) === refsA, 'B completes after the push to A', 20_000, 50);
  const lateMs = Date.now() - pushed;
  assert.equal(await headSymref(onB), 'refs/heads/main');
  assert.ok(await has(b.relayUrl, repo.state.id));

  // A down: the newer state reaches B by a client while A is stopped; B retries until A is back
  repo = await advance(repo, 'while A sleeps');
  await publish(a.relayUrl, repo.state);
  assert.ok(await push(a, repo), 'push v2 to A');
  const refsA2 = await lsRemote(onA);
  await a.stop();
  const before = await failures(b);
  await publish(b.relayUrl, repo.state);
  await waitUntil(async () => (await failures(b)) > before, 'B failed to reach A while it is down', 10_000, 50);
  assert.notEqual(await lsRemote(onB), refsA2);
  // B restarts meanwhile: its startup hunt re-creates the job from purgatory
  b = await b.restart();
  t.after(() => b.dispose());
  await waitUntil(async () => (await failures(b)) >= 1, 'B, restarted, failed to reach A', 10_000, 50);
  const down = Date.now();
  a = await a.restart();
  t.after(() => a.dispose());
  await waitUntil(async () => (await lsRemote(onB)) === refsA2, 'B completes after A is back', 30_000, 100);
  const backMs = Date.now() - down;
  assert.equal(await cloneHead(onB), repo.commit);
  assert.ok(await has(b.relayUrl, repo.state.id));
  t.diagnostic(`push → complete on B after a failed try: ${lateMs} ms; A restart → complete on B: ${backMs} ms`);
});
