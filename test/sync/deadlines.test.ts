// Every outstanding request has a deadline (SYNC.md invariant 5): a remote that answers REQs with only a
// NOTICE, or swallows them (no EVENT, no EOSE, ever), or swallows the id fetches of a NIP-77 session,
// cannot freeze historic sync; the requests are given up, re-tried, and the events arrive once it answers.
import { test } from 'node:test';
import { newKey } from '../helpers/events.js';
import { freePort } from '../helpers/process.js';
import { fresh, graspd, host, newFreshRepo, proxy, publish, waitForEvents } from './kit.js';

const hasIds = (filters: unknown[]): boolean => filters.some((f) => typeof f === 'object' && f !== null && 'ids' in f);

test('historic REQs answered only by a NOTICE are released and re-tried; the events arrive', async (t) => {
  const pb = await freePort();
  const p = await proxy(t, 1);
  const a = await graspd(t, { domain: p.domain });
  p.setUpstream(a.port);
  const owner = newKey();
  const repo = await newFreshRepo(owner, 'notice-only', [p.domain, `127.0.0.1:${pb}`]);
  await host(a, repo);
  const i0 = fresh.issue(newKey(), repo, 'history');
  await publish(a.relayUrl, i0);
  // every REQ B sends gets only a NOTICE for a while: no EVENT, no EOSE
  p.rateLimitReqs = { mode: 'notice-only', count: 1_000_000 };
  const b = await graspd(t, { port: pb, args: ['--sync-request-timeout-ms', '800', '--sync-rate-limit-cooldown-ms', '300', '--no-sync-negentropy'] });
  await host(b, repo);
  await new Promise((r) => setTimeout(r, 2500));
  p.rateLimitReqs = undefined;
  await waitForEvents(b.relayUrl, [i0], 'the issue after NOTICE-only answers stopped', 30_000);
});

test('historic REQs a remote never answers are given up after --sync-request-timeout-ms and re-tried', async (t) => {
  const pb = await freePort();
  const p = await proxy(t, 1);
  const a = await graspd(t, { domain: p.domain });
  p.setUpstream(a.port);
  const owner = newKey();
  const repo = await newFreshRepo(owner, 'silent', [p.domain, `127.0.0.1:${pb}`]);
  await host(a, repo);
  const i0 = fresh.issue(newKey(), repo, 'history');
  await publish(a.relayUrl, i0);
  // historic REQs (explicit positive limit) vanish; live ones (limit 0) go through
  p.swallowReq = (filters) => filters.some((f) => typeof f === 'object' && f !== null && (f as { limit?: number }).limit !== 0);
  const b = await graspd(t, { port: pb, args: ['--sync-request-timeout-ms', '800', '--no-sync-negentropy'] });
  await host(b, repo);
  await new Promise((r) => setTimeout(r, 2000));
  p.swallowReq = undefined;
  await waitForEvents(b.relayUrl, [i0], 'the issue once the remote answers again', 30_000);
});

test('a NIP-77 session whose id fetches are never answered is not confirmed: the part is re-tried', async (t) => {
  const pb = await freePort();
  const p = await proxy(t, 1);
  const a = await graspd(t, { domain: p.domain });
  p.setUpstream(a.port);
  const owner = newKey();
  const repo = await newFreshRepo(owner, 'neg-fetch', [p.domain, `127.0.0.1:${pb}`]);
  await host(a, repo);
  const i0 = fresh.issue(newKey(), repo, 'history');
  await publish(a.relayUrl, i0);
  p.swallowReq = hasIds;
  const b = await graspd(t, { port: pb, args: ['--sync-request-timeout-ms', '500'] });
  await host(b, repo);
  await new Promise((r) => setTimeout(r, 2500));
  p.swallowReq = undefined;
  await waitForEvents(b.relayUrl, [i0], 'the issue once id fetches are answered', 30_000);
});
