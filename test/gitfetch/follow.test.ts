// GRASP.md "Git data sync": a second server listed in the announcement follows the git data pushed to the
// first — the repo, a newer state, a PR tip at refs/nostr/<id> — with no push to it at all. Real graspd
// processes; B learns the events by sync from A (--bootstrap-relay) and fetches the data from A's clone URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newKey, sign } from '../helpers/events.js';
import { freePort, waitUntil } from '../helpers/process.js';
import { graspd, has, host, newRepo, publish } from '../sync/kit.js';
import { advance, cloneHead, headSymref, lsRemote, metricValue, nowSec, prWithTip, pushRef, repoUrl } from './kit.js';

const FETCH = ['--gitfetch-delay-ms', '50', '--gitfetch-backoff-base-ms', '2000', '--gitfetch-backoff-max-ms', '12000', '--gitfetch-park-ms', '60000'];

test('a repo pushed to A becomes cloneable on B with the same refs and HEAD, then follows a newer state, a PR tip and a maintainer\'s new announcement', async (t) => {
  const [pa, pb] = [await freePort(), await freePort()];
  const domains = [`127.0.0.1:${pa}`, `127.0.0.1:${pb}`];
  const a = await graspd(t, { port: pa, args: FETCH });
  const b = await graspd(t, { port: pb, args: [...FETCH, '--bootstrap-relay', a.relayUrl] });
  const owner = newKey();
  let repo = await newRepo(owner, 'follow', domains);
  const [onA, onB] = [repoUrl(a, repo), repoUrl(b, repo)];

  await host(a, repo);
  const pushed = Date.now();
  const refsA = await lsRemote(onA);
  assert.match(refsA, /refs\/heads\/main/);
  await waitUntil(async () => (await lsRemote(onB)) === refsA, 'B has the refs of A', 20_000, 50);
  const firstMs = Date.now() - pushed;
  assert.equal(await headSymref(onB), 'refs/heads/main');
  assert.equal(await headSymref(onB), await headSymref(onA));
  assert.equal(await cloneHead(onB), repo.commit);
  assert.ok(await has(b.relayUrl, repo.state.id), 'the state is served on B');
  assert.ok(await has(b.relayUrl, repo.ann.id), 'the announcement left purgatory on B');

  // a newer state + push on A reaches B
  repo = await advance(repo, 'second commit');
  await publish(a.relayUrl, repo.state);
  await pushRef(a, repo, 'HEAD', 'refs/heads/main');
  const pushed2 = Date.now();
  const refsA2 = await lsRemote(onA);
  await waitUntil(async () => (await lsRemote(onB)) === refsA2, 'B follows the newer state', 20_000, 50);
  const secondMs = Date.now() - pushed2;
  assert.equal(await cloneHead(onB), repo.commit);
  await waitUntil(() => has(b.relayUrl, repo.state.id), 'newer state served on B', 5_000, 50);

  // a PR whose tip was pushed to A's refs/nostr/<id> reaches B: event served, ref present
  const bob = newKey();
  const pr = await prWithTip(bob, repo, 'feature', [onA]);
  await publish(a.relayUrl, pr.event);
  await pushRef(a, repo, pr.tip, `refs/nostr/${pr.event.id}`);
  const pushed3 = Date.now();
  await waitUntil(() => has(b.relayUrl, pr.event.id), 'PR served on B', 20_000, 50);
  const prMs = Date.now() - pushed3;
  assert.match(await lsRemote(onB), new RegExp(`^${pr.tip}\trefs/nostr/${pr.event.id}$`, 'm'));

  // a maintainer announces the same d on both servers: its new repo follows the owner's served state at once
  const maint = newKey();
  const maintAnn = sign(maint, 30617, [['d', repo.d], ['clone', ...domains.map((h) => `http://${h}/${maint.npub}/${repo.d}.git`)],
    ['relays', ...domains.map((h) => `ws://${h}`)], ['maintainers', owner.pk]], '', nowSec());
  await publish(b.relayUrl, maintAnn);
  const maintOnB = repoUrl(b, { owner: maint, d: repo.d });
  const heads = (refs: string): string => refs.split('\n').filter((l) => !l.includes('refs/nostr/')).join('\n');
  await waitUntil(async () => heads(await lsRemote(maintOnB)) === heads(await lsRemote(onB)), "maintainer's repo on B follows the state", 10_000, 50);
  await waitUntil(() => has(b.relayUrl, maintAnn.id), "maintainer's announcement served on B", 5_000, 50);

  assert.ok((await metricValue(b, 'graspd_gitfetch_fetches_total', '{outcome="ok"}')) >= 3);
  assert.ok((await metricValue(b, 'graspd_gitfetch_bytes_total')) > 0);
  assert.equal(await metricValue(b, 'graspd_purgatory_entries', '{kind="state"}'), 0);
  t.diagnostic(`push on A → cloneable on B: first ${firstMs} ms, newer state ${secondMs} ms, PR ${prMs} ms`);
});
