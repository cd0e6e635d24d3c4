// Restart of a server (SIGTERM, same data dir) catches up what it missed (SYNC.md "Data model": the
// persisted cursor; "Connection lifecycle": quick reconnect after a restart).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newKey } from '../helpers/events.js';
import { freePort } from '../helpers/process.js';
import { fresh, graspd, host, newFreshRepo, proxy, publish, waitForEvents } from './kit.js';

test('a server stopped with SIGTERM and restarted on the same data dir catches up what was published while it was down', async (t) => {
  const [pa, pb] = [await freePort(), await freePort()];
  const a = await graspd(t, { port: pa });
  let b = await graspd(t, { port: pb });
  const owner = newKey();
  const repo = await newFreshRepo(owner, 'restart', [a.domain, b.domain]);
  await host(a, repo);
  await host(b, repo);
  const u = newKey();
  const i0 = fresh.issue(u, repo, 'before');
  await publish(a.relayUrl, i0);
  await waitForEvents(b.relayUrl, [i0], 'issue before the restart');

  await b.stop();
  const file = join(b.dataDir, 'sync-state.json');
  assert.ok(existsSync(file), 'sync state persisted on shutdown');
  const snap = JSON.parse(readFileSync(file, 'utf8')) as { relays: Array<{ url: string; cursor: number }> };
  assert.ok(snap.relays.some((r) => r.url === a.relayUrl && r.cursor > 0));
  const i1 = fresh.issue(u, repo, 'while B is down');
  const c0 = fresh.comment(owner, i0, 'comment while B is down');
  const c1 = fresh.reply(u, i0, c0, 'reply while B is down');
  await publish(a.relayUrl, i1, c0, c1);
  b = await b.restart();
  t.after(() => b.dispose());
  await waitForEvents(b.relayUrl, [i1, c0, c1], 'events published while B was down');
});

test('a restart inside the quick-reconnect window: every historic REQ carries since, and announcements waiting in purgatory get their state synced', async (t) => {
  const pb = await freePort();
  const p = await proxy(t, 1);
  const a = await graspd(t, { domain: p.domain });
  p.setUpstream(a.port);
  let b = await graspd(t, { port: pb, args: ['--no-sync-negentropy'] });
  const owner = newKey();
  const repo = await newFreshRepo(owner, 'restart-since', [p.domain, b.domain]);
  await host(a, repo);
  await host(b, repo);
  const u = newKey();
  const i0 = fresh.issue(u, repo, 'before');
  await publish(a.relayUrl, i0);
  await waitForEvents(b.relayUrl, [i0], 'issue before the restart');
  // announced on B, no git data yet: it waits in B's purgatory
  const held = await newFreshRepo(owner, 'restart-held', [p.domain, b.domain]);
  await publish(b.relayUrl, held.ann);

  await b.stop();
  const i1 = fresh.issue(u, repo, 'while B is down');
  await host(a, held);
  await publish(a.relayUrl, i1);
  const from = p.stats.filters.length;
  b = await b.restart();
  t.after(() => b.dispose());
  await waitForEvents(b.relayUrl, [i1], 'the issue published while B was down');
  // the state of the held announcement is synced (state only), its git data fetched, and it is served
  await waitForEvents(b.relayUrl, [held.state], 'the state of the announcement held in purgatory', 30_000);
  // (the held repo and the issue published meanwhile are new items: their history is fetched whole, as it should be)
  const isNew = (f: Record<string, unknown>): boolean =>
    Object.values(f).some((v) => Array.isArray(v) && (v.includes(held.d) || v.includes(i1.id)));
  const historic = (p.stats.filters.slice(from) as Array<{ limit?: number; since?: number; ids?: string[] }>)
    .filter((f) => f.limit !== 0 && f.ids === undefined && !isNew(f));
  assert.ok(historic.length > 0, 'historic REQs after the restart');
  for (const f of historic) assert.equal(typeof f.since, 'number', `historic filter without since after a quick restart: ${JSON.stringify(f)}`);
});
