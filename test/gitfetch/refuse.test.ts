// GRASP.md "Clone URLs are hostile input": without --allow-private-addresses a server never fetches from
// a local path, another scheme or a loopback address — even when that address really serves the data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newKey, sign } from '../helpers/events.js';
import { freePort, waitUntil } from '../helpers/process.js';
import { graspd, has, host, newRepo, publish } from '../sync/kit.js';
import { lsRemote, metricValue, repoUrl } from './kit.js';

test('clone URLs pointing at a local path, another scheme or a loopback address are refused without --allow-private-addresses', async (t) => {
  const [pa, ps] = [await freePort(), await freePort()];
  const fetchArgs = ['--gitfetch-delay-ms', '50', '--gitfetch-user-delay-ms', '50', '--gitfetch-backoff-base-ms', '2000', '--gitfetch-backoff-max-ms', '12000', '--gitfetch-park-ms', '60000', '--no-sync'];
  const a = await graspd(t, { port: pa, args: fetchArgs });
  const s = await graspd(t, { port: ps, args: [...fetchArgs, '--no-allow-private-addresses'] });
  const owner = newKey();
  const base = await newRepo(owner, 'hostile', [`127.0.0.1:${pa}`, `127.0.0.1:${ps}`]);
  // A really has the data at its loopback URL: only the refusal keeps S from fetching it
  await host(a, base);
  const clone = [
    `http://127.0.0.1:${pa}/${owner.npub}/hostile.git`, `http://127.0.0.1:${ps}/${owner.npub}/hostile.git`,
    `file://${a.dataDir}/repos`, a.dataDir, 'ext::sh -c touch% /tmp/graspd-pwned', `http://localhost:${pa}/${owner.npub}/hostile.git`,
  ];
  const ann = sign(owner, 30617, [['d', 'hostile'], ['clone', ...clone], ['relays', `ws://127.0.0.1:${pa}`, `ws://127.0.0.1:${ps}`]]);
  await publish(s.relayUrl, ann, base.state);

  await waitUntil(async () => (await metricValue(s, 'graspd_gitfetch_fetches_total', '{outcome="refused"}')) >= 5, 'refusals counted', 10_000, 50);
  assert.ok(s.output.join('').includes('gitfetch clone url refused'), 'refusal logged');
  for (const o of ['ok', 'partial', 'missing', 'failed', 'not_found']) {
    assert.equal(await metricValue(s, 'graspd_gitfetch_fetches_total', `{outcome="${o}"}`), 0, o);
  }
  assert.equal(await lsRemote(repoUrl(s, base)), '', 'repo on S unchanged');
  assert.equal(await has(s.relayUrl, base.state.id), false, 'state still held in purgatory');
  assert.equal(await metricValue(s, 'graspd_purgatory_entries', '{kind="state"}'), 1);
  assert.ok((await metricValue(s, 'graspd_purgatory_oldest_age_seconds')) >= 0);
});
