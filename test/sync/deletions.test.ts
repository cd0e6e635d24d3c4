// Deletions of non-root events propagate (SYNC.md invariant 1): a NIP-09 deletion of a comment names only
// the comment — no repo, no root event — so no layer-2/3 filter matches it; it must still reach B from A,
// live and after a restart, and B must stop serving the deleted comment.
import { test } from 'node:test';
import { newKey, sign } from '../helpers/events.js';
import { waitUntil } from '../helpers/process.js';
import { freePort } from '../helpers/process.js';
import { fresh, graspd, has, host, newFreshRepo, publish, waitForEvents } from './kit.js';

test('a deletion of a comment published on A reaches B live and B stops serving the comment', async (t) => {
  const [pa, pb] = [await freePort(), await freePort()];
  const a = await graspd(t, { port: pa });
  const b = await graspd(t, { port: pb });
  const owner = newKey();
  const repo = await newFreshRepo(owner, 'deletions', [a.domain, b.domain]);
  await host(a, repo);
  await host(b, repo);
  const u = newKey();
  const i0 = fresh.issue(owner, repo, 'issue');
  const c0 = fresh.comment(u, i0, 'a comment its author will delete');
  const s0 = fresh.comment(u, i0, 'a comment that stays');
  await publish(a.relayUrl, i0, c0, s0);
  await waitForEvents(b.relayUrl, [i0, c0, s0], 'the issue and its comments on B');

  const del = sign(u, 5, [['e', c0.id], ['k', '1111']], 'oops', Math.floor(Date.now() / 1000));
  await publish(a.relayUrl, del);
  await waitForEvents(b.relayUrl, [del], 'the deletion on B', 20_000);
  await waitUntil(async () => !(await has(b.relayUrl, c0.id)), 'B to stop serving the deleted comment', 10_000, 100);
  await waitForEvents(b.relayUrl, [s0], 'the other comment still on B');
});

test('a deletion published on A while B is down reaches B at its restart', async (t) => {
  const [pa, pb] = [await freePort(), await freePort()];
  const a = await graspd(t, { port: pa });
  let b = await graspd(t, { port: pb });
  const owner = newKey();
  const repo = await newFreshRepo(owner, 'deletions-down', [a.domain, b.domain]);
  await host(a, repo);
  await host(b, repo);
  const u = newKey();
  const i0 = fresh.issue(owner, repo, 'issue');
  const c0 = fresh.comment(u, i0, 'deleted while B is down');
  await publish(a.relayUrl, i0, c0);
  await waitForEvents(b.relayUrl, [i0, c0], 'the issue and the comment on B');
  await b.stop();
  const del = sign(u, 5, [['e', c0.id]], '', Math.floor(Date.now() / 1000));
  await publish(a.relayUrl, del);
  b = await b.restart();
  t.after(() => b.dispose());
  await waitForEvents(b.relayUrl, [del], 'the deletion on B after its restart', 20_000);
  await waitUntil(async () => !(await has(b.relayUrl, c0.id)), 'B to stop serving the deleted comment', 10_000, 100);
});
