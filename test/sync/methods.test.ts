// Historic sync methods (SYNC.md "Live and historic"): NIP-77 when the remote has it, REQ/EOSE when a proxy
// blocks NEG-* (answering NOTICE), and `until` pagination with a small --max-limit and shared timestamps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comment, newKey, sign } from '../helpers/events.js';
import { freePort } from '../helpers/process.js';
import { graspd, host, newRepo, proxy, publish, waitForEvents, type Repo } from './kit.js';
import type { Key } from '../helpers/events.js';
import type { NostrEvent } from '../../src/nostr/types.js';

function issues(key: Key, repo: Repo, n: number, perSecond: number, base: number): NostrEvent[] {
  return Array.from({ length: n }, (_, i) =>
    sign(key, 1621, [['a', `30617:${repo.owner.pk}:${repo.d}`], ['subject', `issue ${i}`]], `issue ${i}`, base + Math.floor(i / perSecond)));
}

test('history comes by negentropy from a NIP-77 remote and by REQ when a proxy blocks NEG-OPEN with a NOTICE', async (t) => {
  const pb = await freePort();
  const p1 = await proxy(t, 1);
  const p2 = await proxy(t, 1);
  p2.blockNegentropy = true;
  const a1 = await graspd(t, { domain: p1.domain });
  p1.setUpstream(a1.port);
  const a2 = await graspd(t, { domain: p2.domain });
  p2.setUpstream(a2.port);
  const owner = newKey();
  const domainB = `127.0.0.1:${pb}`;
  const r1 = await newRepo(owner, 'neg', [p1.domain, domainB]);
  const r2 = await newRepo(owner, 'req', [p2.domain, domainB]);
  await host(a1, r1);
  await host(a2, r2);
  const u = newKey();
  const h1 = issues(u, r1, 12, 3, Math.floor(Date.now() / 1000) - 5000);
  const h2 = issues(u, r2, 12, 3, Math.floor(Date.now() / 1000) - 5000);
  const c1 = comment(owner, h1[0]!, 'c1');
  const c2 = comment(owner, h2[0]!, 'c2');
  await publish(a1.relayUrl, ...h1, c1);
  await publish(a2.relayUrl, ...h2, c2);

  const b = await graspd(t, { port: pb });
  await host(b, r1);
  await host(b, r2);
  await waitForEvents(b.relayUrl, [...h1, c1, ...h2, c2], 'history from both remotes');
  assert.ok(p1.stats.negFrames > 0, 'negentropy used on the NIP-77 remote');
  assert.ok(p1.filtersWhere((f) => Array.isArray(f.ids)) > 0, 'missing ids fetched by id');
  assert.equal(p1.filtersWhere((f) => Array.isArray(f['#a']) && typeof f.limit === 'number' && f.limit > 0), 0, 'no REQ paging on the NIP-77 remote');
  assert.ok(p2.stats.negFrames > 0, 'negentropy was tried on the blocked remote');
  assert.ok(p2.filtersWhere((f) => Array.isArray(f['#a']) && typeof f.limit === 'number' && f.limit > 0) > 0, 'REQ fallback used');
});

test('REQ pagination with --max-limit 5 and several events per second loses nothing', async (t) => {
  const [pa, pb] = [await freePort(), await freePort()];
  const a = await graspd(t, { port: pa, args: ['--max-limit', '5'] });
  const owner = newKey();
  const repo = await newRepo(owner, 'pages', [a.domain, `127.0.0.1:${pb}`]);
  await host(a, repo);
  const u = newKey();
  const hist = issues(u, repo, 32, 4, Math.floor(Date.now() / 1000) - 4000);
  await publish(a.relayUrl, ...hist);
  const b = await graspd(t, { port: pb, args: ['--max-limit', '5', '--no-sync-negentropy'] });
  await host(b, repo);
  await waitForEvents(b.relayUrl, hist, 'all pages', 20_000, 5);
});
