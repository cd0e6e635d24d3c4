// Restart of a server (SIGTERM, same data dir) catches up what it missed (SYNC.md "Data model": the
// persisted cursor; "Connection lifecycle": quick reconnect after a restart).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newKey } from '../helpers/events.js';
import { freePort } from '../helpers/process.js';
import { fresh, graspd, host, newFreshRepo, publish, waitForEvents } from './kit.js';

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
