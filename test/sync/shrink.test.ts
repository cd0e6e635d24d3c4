// Indexes shrink (SYNC.md "Data model"): a repository whose announcement is deleted leaves the sync index,
// its live subscriptions and the persisted state; a relay nothing lists any more is closed and forgotten,
// with its persisted snapshot and its metric series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newKey, sign } from '../helpers/events.js';
import { freePort, waitUntil } from '../helpers/process.js';
import { graspd, host, metric, newFreshRepo, publish } from './kit.js';

test('deleting the only repo that lists a relay closes and forgets that relay, persisted state and metrics included', async (t) => {
  const [pa, pb] = [await freePort(), await freePort()];
  const a = await graspd(t, { port: pa });
  let b = await graspd(t, { port: pb });
  const owner = newKey();
  const repo = await newFreshRepo(owner, 'shrink', [a.domain, b.domain]);
  await host(a, repo);
  await host(b, repo);
  const series = async (): Promise<string[]> => (await metric(b, 'graspd_sync_')).filter((l) => l.includes(`relay="${a.relayUrl}"`));
  await waitUntil(async () => (await series()).some((l) => l.includes('graspd_sync_relay_health') && l.includes('state="healthy"') && l.endsWith(' 1')), 'B connected to A', 15_000, 100);

  await publish(b.relayUrl, sign(owner, 5, [['a', `30617:${owner.pk}:${repo.d}`]], '', Math.floor(Date.now() / 1000)));
  await waitUntil(async () => (await series()).length === 0, 'every metric series of A gone from B', 20_000, 200);
  await b.stop();
  const snap = JSON.parse(readFileSync(join(b.dataDir, 'sync-state.json'), 'utf8')) as { relays: Array<{ url: string }> };
  assert.deepEqual(snap.relays.map((r) => r.url).filter((u) => u === a.relayUrl), [], 'no persisted state for the forgotten relay');
  b = await b.restart();
  t.after(() => b.dispose());
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(await series(), [], 'not reconnected after a restart');
});
