// A hostile or flaky remote (SYNC.md invariant 4, "Connection lifecycle"): junk and bad signatures are
// never stored, and a quick reconnect catches up everything published during the outage, all layers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comment, issue, newKey } from '../helpers/events.js';
import { freePort } from '../helpers/process.js';
import { fresh, graspd, has, host, metric, newFreshRepo, newRepo, proxy, publish, pushWhenSynced, waitForEvents } from './kit.js';

test('junk frames, events with a wrong id and events with a bad signature from a remote are not stored, and good events still arrive', async (t) => {
  const [pa, pb] = [await freePort(), await freePort()];
  const p = await proxy(t, pa);
  const a = await graspd(t, { port: pa, domain: p.domain });
  const b = await graspd(t, { port: pb });
  const owner = newKey();
  const repo = await newRepo(owner, 'junk', [p.domain, b.domain]);
  const u = newKey();
  const good = issue(u, owner, 'junk', 'good');
  const wrongId = { ...issue(u, owner, 'junk', 'tampered'), content: 'changed after signing' };
  const base = issue(u, owner, 'junk', 'bad sig');
  const badSig = { ...base, sig: base.sig.slice(0, -2) + (base.sig.endsWith('00') ? '11' : '00') };
  p.injectBeforeEose = [
    ['EVENT', '$sub', { kind: 1621, hello: 'junk' }],
    ['EVENT', '$sub', 'not an event'],
    ['EVENT', '$sub', wrongId],
    ['EVENT', '$sub', badSig],
    ['EVENT', 'not-our-sub', good],
  ];
  await host(a, repo);
  await host(b, repo);
  await publish(a.relayUrl, good);
  await waitForEvents(b.relayUrl, [good], 'good issue on B');
  p.inject('this is not json');
  p.inject(['EVENT']);
  await publish(a.relayUrl, comment(owner, good, 'still flowing'));
  for (const bad of [wrongId, badSig]) assert.equal(await has(b.relayUrl, bad.id), false);
  const rejected = await metric(b, 'graspd_sync_events_total');
  assert.ok(rejected.some((l) => l.includes('result="rejected"') && Number(l.split(' ').pop()) >= 2), rejected.join('\n'));
});

test('after a short outage a quick reconnect catches up announcements, issues, comments and replies published meanwhile', async (t) => {
  const [pa, pb] = [await freePort(), await freePort()];
  const p = await proxy(t, pa);
  const a = await graspd(t, { port: pa, domain: p.domain });
  const b = await graspd(t, { port: pb });
  const owner = newKey();
  const repo = await newRepo(owner, 'outage', [p.domain, b.domain]);
  await host(a, repo);
  await host(b, repo);
  const u = newKey();
  const i0 = issue(u, owner, 'outage', 'before');
  const c0 = comment(owner, i0, 'before');
  await publish(a.relayUrl, i0, c0);
  await waitForEvents(b.relayUrl, [i0, c0], 'events before the outage');
  const connectionsBefore = p.stats.connections;

  p.refuse = 'close';
  p.dropAll();
  const i1 = fresh.issue(u, repo, 'during');
  const c1 = fresh.comment(u, i0, 'during, on an old issue');
  const r1 = fresh.reply(owner, i0, c0, 'during, reply to an old comment');
  const state2 = fresh.state(repo);
  const repo2 = await newFreshRepo(owner, 'outage-new', [p.domain, b.domain]);
  await host(a, repo2);
  await publish(a.relayUrl, i1, c1, r1, state2);
  p.refuse = false;

  await waitForEvents(b.relayUrl, [i1, c1, r1, state2], 'events published during the outage');
  await pushWhenSynced(b, repo2);
  assert.ok(p.stats.connections > connectionsBefore, 'B reconnected');
  const live = p.filtersWhere((f) => f.limit === 0);
  assert.ok(live > 0);
});
