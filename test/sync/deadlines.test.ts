// Every outstanding request has a deadline (issue "Sync at internet scale", item 2): a remote that answers a
// historic REQ with only a NOTICE and never an EOSE must not freeze historic sync for that relay: after
// --sync-request-timeout-ms the request is given up, its part re-tried, and the events arrive.
import { test } from 'node:test';
import { newKey } from '../helpers/events.js';
import { freePort } from '../helpers/process.js';
import { fresh, graspd, host, newFreshRepo, proxy, publish, waitForEvents } from './kit.js';

test('historic REQs answered only by a NOTICE are given up after the deadline and re-tried', async (t) => {
  const pb = await freePort();
  const p = await proxy(t, 1);
  const a = await graspd(t, { domain: p.domain });
  p.setUpstream(a.port);
  const owner = newKey();
  const repo = await newFreshRepo(owner, 'notice-only', [p.domain, `127.0.0.1:${pb}`]);
  await host(a, repo);
  const u = newKey();
  const i0 = fresh.issue(u, repo, 'history');
  await publish(a.relayUrl, i0);
  // for the first seconds every REQ B sends gets only a NOTICE: no EVENT, no EOSE, ever
  p.rateLimitReqs = { mode: 'notice-only', count: 1_000_000 };
  const b = await graspd(t, { port: pb, args: ['--sync-request-timeout-ms', '1500', '--sync-rate-limit-cooldown-ms', '500', '--no-sync-negentropy'] });
  await host(b, repo);
  await new Promise((r) => setTimeout(r, 3000));
  const swallowed = p.stats.rateLimited;
  p.rateLimitReqs = undefined;
  await waitForEvents(b.relayUrl, [i0], `the issue, after ${swallowed} stalled REQs were given up and re-tried`, 30_000);
});
