// Rate limits pause, and resume where they stopped (SYNC.md "Health tracking"): a remote that refuses
// every (K+1)-th REQ with CLOSED rate-limited must not livelock a historic part that needs more than K
// pages: the part resumes at the refused page after the cooldown instead of starting over at page 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { issue, newKey } from '../helpers/events.js';
import { freePort } from '../helpers/process.js';
import { graspd, host, newRepo, proxy, publish, waitForEvents } from './kit.js';

test('a part needing more pages than the remote allows between rate limits still completes', async (t) => {
  const pb = await freePort();
  const p = await proxy(t, 1);
  const a = await graspd(t, { domain: p.domain, args: ['--max-limit', '3'] });
  p.setUpstream(a.port);
  const owner = newKey();
  const repo = await newRepo(owner, 'paged', [p.domain, `127.0.0.1:${pb}`]);
  await host(a, repo);
  const u = newKey();
  const issues = Array.from({ length: 24 }, (_, i) => issue(u, owner, 'paged', `issue ${i}`));
  await publish(a.relayUrl, ...issues);
  p.rateLimitEvery = 3;
  const b = await graspd(t, { port: pb, args: ['--no-sync-negentropy', '--sync-rate-limit-cooldown-ms', '150'] });
  await host(b, repo);
  await waitForEvents(b.relayUrl, issues, 'every issue, paged 3 at a time through rate limits', 40_000);
  assert.ok(p.stats.rateLimited >= 3, `rate-limited ${p.stats.rateLimited} times`);
});
