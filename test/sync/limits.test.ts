// Bounded load and hostile remotes (SYNC.md "Health tracking", "Consolidation", invariants 3 and 4):
// rate limits cool down then converge, an unreachable relay backs off without hurting others, a bootstrap
// relay down at start is used once up, and live filters stay within the threshold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newKey } from '../helpers/events.js';
import { freePort, waitUntil } from '../helpers/process.js';
import { fresh, graspd, host, newFreshRepo, proxy, publish, pushWhenSynced, waitForEvents } from './kit.js';

test('CLOSED "rate-limited:" and rate-limit NOTICEs pause REQs for the cooldown, then sync converges', async (t) => {
  const pb = await freePort();
  const p = await proxy(t, 1);
  const a = await graspd(t, { domain: p.domain });
  p.setUpstream(a.port);
  p.rateLimitReqs = { mode: 'closed', count: 3 };
  const owner = newKey();
  const repo = await newFreshRepo(owner, 'rl', [p.domain, `127.0.0.1:${pb}`]);
  await host(a, repo);
  const u = newKey();
  const i0 = fresh.issue(u, repo, 'one');
  await publish(a.relayUrl, i0);
  const b = await graspd(t, { port: pb, args: ['--sync-rate-limit-cooldown-ms', '1000'] });
  await host(b, repo);
  await waitForEvents(b.relayUrl, [i0], 'issue after CLOSED rate-limited');
  assert.equal(p.stats.rateLimited, 3);
  const firstLimit = p.stats.rateLimitedAt[0]!;
  const lastLimit = p.stats.rateLimitedAt[2]!;
  // after the last refusal nothing new is asked before the cooldown ends
  const early = p.stats.reqAt.filter((at) => at > lastLimit + 50 && at < lastLimit + 900);
  assert.deepEqual(early, [], `REQs during the cooldown after ${lastLimit - firstLimit} ms`);

  p.rateLimitReqs = { mode: 'notice', count: 1 };
  const i1 = fresh.issue(u, repo, 'two');
  await publish(a.relayUrl, i1);
  await waitForEvents(b.relayUrl, [i1], 'issue after a NOTICE');
  const c1 = fresh.comment(owner, i1, 'comment on two');
  await publish(a.relayUrl, c1);
  await waitForEvents(b.relayUrl, [c1], 'comment after the NOTICE cooldown');
  assert.ok(p.stats.rateLimited >= 4);
});

test('an unreachable relay is retried with exponential backoff while the other relays sync normally', async (t) => {
  const [pa, pb] = [await freePort(), await freePort()];
  const dead = await proxy(t, 1);
  dead.refuse = 'close';
  const a = await graspd(t, { port: pa });
  const b = await graspd(t, { port: pb });
  const owner = newKey();
  const repo = await newFreshRepo(owner, 'backoff', [a.domain, b.domain, dead.domain]);
  await host(a, repo);
  await host(b, repo);
  const started = Date.now();
  const u = newKey();
  const i0 = fresh.issue(u, repo, 'flows');
  await publish(a.relayUrl, i0);
  await waitForEvents(b.relayUrl, [i0], 'A→B unaffected by the dead relay');
  await waitUntil(() => Date.now() - started > 3000, '3 s of backoff', 5000);
  // base 200 ms doubling (+≤20 % jitter), cap 2 s: ≈ 0, .2, .6, 1.4, 3.0 s → about 4–5 attempts per server in 3 s
  const perServer = dead.stats.attempts / 2;
  assert.ok(perServer >= 3 && perServer <= 8, `attempts per server: ${perServer}`);
});

test('a bootstrap relay that is down at start is retried and used once it is up', async (t) => {
  const pb = await freePort();
  const a = await graspd(t);
  const p = await proxy(t, a.port);
  p.refuse = 'close';
  const b = await graspd(t, { port: pb, args: ['--bootstrap-relay', p.url] });
  await waitUntil(() => p.stats.attempts >= 2, 'retries of the bootstrap relay');
  const owner = newKey();
  const repo = await newFreshRepo(owner, 'boot', [a.domain, b.domain]);
  await host(a, repo);
  p.refuse = false;
  await pushWhenSynced(b, repo);
  const i0 = fresh.issue(owner, repo, 'after discovery');
  await publish(a.relayUrl, i0);
  await waitForEvents(b.relayUrl, [i0], 'live sync after a late bootstrap');
});

test('consolidation keeps the open filters on a remote within --sync-consolidation-threshold and loses nothing', async (t) => {
  const pb = await freePort();
  const p = await proxy(t, 1);
  const a = await graspd(t, { domain: p.domain });
  p.setUpstream(a.port);
  const b = await graspd(t, { port: pb, args: ['--sync-consolidation-threshold', '13'] });
  const owner = newKey();
  const repo = await newFreshRepo(owner, 'cons', [p.domain, b.domain]);
  await host(a, repo);
  await host(b, repo);
  const u = newKey();
  const roots = [];
  for (let i = 0; i < 4; i++) {
    const e = fresh.issue(u, repo, `issue ${i}`);
    roots.push(e);
    await publish(a.relayUrl, e);
    await waitForEvents(b.relayUrl, [e], `issue ${i}`);
    // one self-subscriber batch per issue: wait until B subscribed to its replies on A
    await waitUntil(() => p.filtersWhere((f) => Array.isArray(f['#E']) && f['#E'].includes(e.id)) > 0, `replies of issue ${i} subscribed`);
  }
  const comments = roots.map((r) => fresh.comment(owner, r, 'c'));
  await publish(a.relayUrl, ...comments);
  await waitForEvents(b.relayUrl, comments, 'comments on every issue after consolidation');
  assert.ok(p.stats.maxOpenFilters <= 13, `max open filters ${p.stats.maxOpenFilters}`);
  // live filters never carry a since (it would also drop back-dated events published later)
  assert.equal(p.filtersWhere((f) => typeof f.since === 'number' && f.limit === 0), 0);
});
