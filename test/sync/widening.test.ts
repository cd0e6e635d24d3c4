// Live coverage degrades in width, not in coverage (SYNC.md "Consolidation", invariant 6), against a real
// remote: with room for only a few live filters on A, B widens root-event replies and repo coordinates to
// kinds, and a comment on any issue, a status or a new issue published on A still reaches B live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { issue, newKey, sign } from '../helpers/events.js';
import { freePort } from '../helpers/process.js';
import { fresh, graspd, host, newRepo, proxy, publish, waitForEvents } from './kit.js';

test('past the live capacity filters are widened, never dropped: events for every item still arrive live', async (t) => {
  const pb = await freePort();
  const p = await proxy(t, 1);
  const a = await graspd(t, { domain: p.domain });
  p.setUpstream(a.port);
  const owner = newKey();
  const domains = [p.domain, `127.0.0.1:${pb}`];
  const repos = [await newRepo(owner, 'wide-1', domains), await newRepo(owner, 'wide-2', domains)];
  for (const r of repos) await host(a, r);
  const u = newKey();
  const issues = Array.from({ length: 120 }, (_, i) => issue(u, owner, repos[i % 2]!.d, `issue ${i}`));
  await publish(a.relayUrl, ...issues);
  // capacity: 8 − 4 (historic) = 4 live filters on A: far less than 1 + 2 + 3 + 2×3 exact ones
  const b = await graspd(t, { port: pb, args: ['--sync-consolidation-threshold', '8'] });
  for (const r of repos) await host(b, r);
  await waitForEvents(b.relayUrl, issues, 'history');

  const later = [
    fresh.comment(owner, issues[0]!, 'on the oldest issue'),
    fresh.comment(u, issues[119]!, 'on the newest issue'),
    sign(owner, 1632, [['e', issues[57]!.id, '', 'root'], ['a', `30617:${owner.pk}:wide-2`], ['p', u.pk]], 'closed', Math.floor(Date.now() / 1000)),
    fresh.issue(u, repos[1]!, 'a new issue'),
  ];
  await publish(a.relayUrl, ...later);
  await waitForEvents(b.relayUrl, later, 'events published after sync converged (live only)', 15_000);
  assert.ok(p.stats.maxOpenFilters <= 8, `max open filters on A: ${p.stats.maxOpenFilters}`);
  assert.ok(p.filtersWhere((f) => Array.isArray(f.kinds) && f.kinds.includes(1111) && f['#E'] === undefined) > 0, 'a widened live filter');
});
