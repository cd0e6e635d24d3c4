// Historic sync of what existed before a server started, three servers in a triangle converging, and a
// NIP-09 deletion propagating (SYNC.md "Live and historic", invariant 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comment, issue, newKey, sign } from '../helpers/events.js';
import { freePort, waitUntil } from '../helpers/process.js';
import { graspd, has, host, newRepo, patch, publish, pushWhenSynced, reply, waitForEvents } from './kit.js';

test('a server started later gets the history of a repo: issues, patches, comments and replies published before it existed', async (t) => {
  const [pa, pb] = [await freePort(), await freePort()];
  const a = await graspd(t, { port: pa });
  const owner = newKey();
  const repo = await newRepo(owner, 'history', [`127.0.0.1:${pa}`, `127.0.0.1:${pb}`]);
  await host(a, repo);
  const u = newKey();
  const roots = [issue(u, owner, 'history', 'old 1'), issue(u, owner, 'history', 'old 2'), patch(u, repo, 'old patch')];
  const comments = roots.map((r) => comment(owner, r, `comment on ${r.id.slice(0, 6)}`));
  const replies = comments.map((c, i) => reply(u, roots[i]!, c, 'reply'));
  await publish(a.relayUrl, ...roots, ...comments, ...replies);

  const b = await graspd(t, { port: pb, args: ['--bootstrap-relay', a.relayUrl] });
  await pushWhenSynced(b, repo);
  await waitForEvents(b.relayUrl, [repo.ann, repo.state, ...roots, ...comments, ...replies], 'history on B');
});

test('three servers in a triangle converge on events published to each, and a deletion propagates to all', async (t) => {
  const ports = [await freePort(), await freePort(), await freePort()];
  const domains = ports.map((p) => `127.0.0.1:${p}`);
  const [a, b, c] = await Promise.all(ports.map((port) => graspd(t, { port })));
  const owner = newKey();
  const repo = await newRepo(owner, 'tri', domains);
  for (const g of [a!, b!, c!]) await host(g, repo);
  const u = newKey();
  const onA = issue(u, owner, 'tri', 'on A');
  const onB = patch(u, repo, 'on B');
  const onC = issue(owner, owner, 'tri', 'on C');
  await publish(a!.relayUrl, onA);
  await publish(b!.relayUrl, onB);
  await publish(c!.relayUrl, onC);
  for (const g of [a!, b!, c!]) await waitForEvents(g.relayUrl, [onA, onB, onC], `roots on ${g.domain}`);
  const cA = comment(owner, onB, 'A comments on B');
  const cC = comment(u, onA, 'C comments on A');
  await publish(a!.relayUrl, cA);
  await publish(c!.relayUrl, cC);
  const all = [onA, onB, onC, cA, cC];
  for (const g of [a!, b!, c!]) await waitForEvents(g.relayUrl, all, `triangle on ${g.domain}`);

  const del = sign(u, 5, [['e', onA.id], ['k', '1621']], 'oops');
  await publish(b!.relayUrl, del);
  for (const g of [a!, c!]) await waitUntil(async () => !(await has(g.relayUrl, onA.id)), `deletion reaching ${g.domain}`);
  for (const g of [a!, b!, c!]) assert.equal(await has(g.relayUrl, onA.id), false);
});
