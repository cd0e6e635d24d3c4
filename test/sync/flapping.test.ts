// Backoff a flapping relay cannot escape (SYNC.md "Health tracking"): a remote that accepts every
// connection and drops it moments later keeps counting as failing until a connection stays up for
// --sync-stability-ms, so its reconnect backoff grows and it reaches Dead like any failing relay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newKey } from '../helpers/events.js';
import { freePort, waitUntil } from '../helpers/process.js';
import { graspd, host, metric, newFreshRepo, proxy } from './kit.js';

test('a relay that accepts and then drops every connection backs off and is reported Dead', async (t) => {
  const pb = await freePort();
  const p = await proxy(t, 1);
  const a = await graspd(t, { domain: p.domain });
  p.setUpstream(a.port);
  p.dropAfterMs = 100;
  const b = await graspd(t, { port: pb, args: ['--sync-stability-ms', '60000', '--sync-dead-after-ms', '2500'] });
  const repo = await newFreshRepo(newKey(), 'flap', [p.domain, b.domain]);
  await host(b, repo);
  await waitUntil(() => p.stats.connections >= 1, 'first connection');
  const started = Date.now();
  await new Promise((r) => setTimeout(r, 4000));
  const connections = p.stats.connections;
  // backoff 200 ms doubling to 2 s (+≤20 % jitter), ~0.1 s up each time: about 5 connections in 4 s;
  // without it (failures forgiven at every connect) one every ~0.3 s: 12 or more
  assert.ok(connections <= 7, `${connections} connections in ${Date.now() - started} ms`);
  const lines = await metric(b, 'graspd_sync_relay_health');
  assert.ok(lines.some((l) => l.includes(`relay="${p.url}"`) && l.includes('state="dead"') && l.endsWith(' 1')), lines.join('\n'));
});
