// Live coverage at any size (SYNC.md "Consolidation", invariant 6): items live in stable chunk slots, a
// new item re-sends one slot, and past the relay's capacity layers are widened to kinds instead of
// dropping filters. (Replaces the consolidation test that asserted filters past the capacity were dropped.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveBudget, liveFilterCapacity } from './consolidation.js';
import { emptyLayout, layoutAdd, layoutDisconnected, layoutRemove, planLive, type LiveBudget, type LiveLayout, type LivePlan } from './live-layout.js';
import type { RelayNeeds, RepoKey } from './types.js';
import { emptyNeeds } from './types.js';
import { PK_A, repoKey, hexId } from './test-helpers.js';
import { matchFilters } from '../../nostr/filter.js';
import type { NostrEvent, NostrFilter } from '../../nostr/types.js';

const NOW = 100_000;
let sub = 0;
const plan = (l: LiveLayout, budget: LiveBudget = liveBudget({}, 70, 4)): LivePlan =>
  planLive(l, { budget, nowSec: NOW, overlapSec: 60, newSubId: () => `s${sub++}` });
const repos = (from: number, n: number): RelayNeeds => {
  const r = emptyNeeds();
  for (let i = from; i < from + n; i++) r.repos.add(repoKey(PK_A, `r${i}`));
  return r;
};
const roots = (from: number, n: number): RelayNeeds => {
  const r = emptyNeeds();
  for (let i = from; i < from + n; i++) r.rootEvents.add(hexId(i));
  return r;
};
const ev = (kind: number, tags: string[][]): NostrEvent => ({ id: hexId(0), pubkey: PK_A, created_at: NOW, kind, tags, content: '', sig: '' });
const openFilters = (l: LiveLayout): NostrFilter[] => [...l.slots.values()].flatMap((s) => s.filters);
const filterCount = (l: LiveLayout): number => openFilters(l).length;

test('capacity is the threshold, or less when the remote allows fewer subs × filters', () => {
  assert.equal(liveFilterCapacity({}, 70, 4), 70);
  assert.equal(liveFilterCapacity({ maxSubscriptions: 5, maxFilters: 2 }, 70, 1), 8);
  assert.deepEqual(liveBudget({ maxSubscriptions: 10, maxFilters: 5 }, 70, 4), { capacity: 30, subscriptions: 6, maxFilters: 5 });
});

test('items are packed into full chunks: 90 repos in one state filter and one a/A/q triple', () => {
  const l = emptyLayout();
  layoutAdd(l, repos(0, 90));
  const p = plan(l);
  assert.equal(p.close.length, 0);
  assert.equal(filterCount(l), 2 + 1 + 3); // layer 1 + deletions, state, a/A/q
  for (const f of openFilters(l)) assert.equal(f.limit, 0);
});

test('past the capacity, layers widen to kinds: every item keeps live coverage (nothing dropped)', () => {
  const l = emptyLayout();
  layoutAdd(l, roots(0, 5000));
  layoutAdd(l, repos(0, 50));
  plan(l);
  assert.ok(filterCount(l) <= 66, `${filterCount(l)} filters`);
  const filters = openFilters(l);
  for (let i = 0; i < 5000; i += 97) assert.ok(matchFilters(filters, ev(1111, [['E', hexId(i)]])), `reply to root ${i} covered`);
  for (let i = 0; i < 50; i++) assert.ok(matchFilters(filters, ev(1621, [['a', repoKey(PK_A, `r${i}`)]])), `issue of repo ${i} covered`);
  // the state layer still fits: it stays exact
  assert.ok(filters.some((f) => f['#d'] !== undefined));
  assert.ok(filters.some((f) => f.kinds?.includes(1111) && f['#E'] === undefined));
});

test('adding one item re-sends one subscription and closes none', () => {
  const l = emptyLayout();
  layoutAdd(l, roots(0, 250));
  layoutAdd(l, repos(0, 120));
  plan(l);
  const before = new Map([...l.slots.values()].map((s) => [s.subId, JSON.stringify(s.filters)]));
  const more = emptyNeeds();
  more.rootEvents.add(hexId(99_999));
  layoutAdd(l, more);
  const p = plan(l);
  assert.equal(p.close.length, 0);
  assert.equal(p.open.length, 1);
  assert.ok(before.has(p.open[0]!.subId), 'the existing slot is replaced in place (same subId)');
  assert.ok(matchFilters(p.open[0]!.filters, ev(1111, [['E', hexId(99_999)]])));
  // replaced in place: no gap, so no catch-up; untouched slots were not sent at all
  assert.ok(p.open[0]!.filters.every((f) => f.limit === 0 && f.since === undefined));
  assert.deepEqual(p.catchUp, []);
});

test('removed items leave their filters; an emptied slot is closed', () => {
  const l = emptyLayout();
  layoutAdd(l, roots(0, 350)); // chunks 0–2 in one REQ of 9 filters, chunk 3 in a second one
  plan(l);
  const subs = l.slots.size;
  layoutRemove(l, roots(300, 50));
  const p = plan(l);
  assert.equal(p.close.length, 1);
  assert.equal(l.slots.size, subs - 1);
  assert.equal(matchFilters(openFilters(l), ev(1111, [['E', hexId(320)]])), false);
  assert.equal(matchFilters(openFilters(l), ev(1111, [['E', hexId(120)]])), true);
});

test('a relay allowing few subscriptions widens by subscription count too, and narrows back with headroom', () => {
  const budget = liveBudget({ maxSubscriptions: 6, maxFilters: 4 }, 70, 4);
  const l = emptyLayout();
  layoutAdd(l, roots(0, 300));
  plan(l, budget);
  assert.ok(l.slots.size <= budget.subscriptions, `${l.slots.size} subs`);
  assert.ok(l.wide.has('roots'));
  layoutRemove(l, roots(1, 299));
  const p = plan(l, budget);
  assert.equal(l.wide.size, 0, 'narrowed back');
  assert.ok(matchFilters(openFilters(l), ev(1111, [['E', hexId(0)]])));
  assert.ok(p.close.length > 0);
});

test('a slot the remote closed is re-opened with a catch-up from the gap; a close-first swap is caught up too', () => {
  const l = emptyLayout();
  layoutAdd(l, roots(0, 10));
  plan(l);
  const [key, slot] = [...l.slots].find(([k]) => k.startsWith('roots'))!;
  l.slots.delete(key);
  l.reopen = true;
  l.gapSince = NOW - 500;
  const p = plan(l);
  assert.equal(p.open.length, 1);
  assert.notEqual(p.open[0]!.subId, slot.subId);
  assert.equal(p.catchUpSince, NOW - 500 - 60);
  assert.ok(p.catchUp.some((f) => f['#E'] !== undefined && f.limit === undefined));
  // two subscriptions allowed: widening must close the exact slots before opening the wide one
  const tight = emptyLayout();
  layoutAdd(tight, roots(0, 10));
  plan(tight, { capacity: 10, subscriptions: 2, maxFilters: 10 });
  layoutAdd(tight, roots(10, 300));
  const q = plan(tight, { capacity: 10, subscriptions: 2, maxFilters: 10 });
  assert.equal(q.order, 'closeFirst');
  assert.equal(q.catchUpSince, NOW - 60);
  assert.ok(q.catchUp.some((f) => f.kinds?.includes(1111)));
});

test('after a reconnect every slot is opened again with limit 0', () => {
  const l = emptyLayout();
  layoutAdd(l, repos(0, 10));
  plan(l);
  layoutDisconnected(l);
  const p = plan(l);
  assert.equal(p.open.length, l.slots.size);
  for (const f of p.open.flatMap((o) => o.filters)) assert.equal(f.limit, 0);
});

test('ten thousand repos and ten thousand root events on one relay: all covered, within budget', () => {
  const l = emptyLayout();
  const budget = liveBudget({}, 70, 4);
  const t0 = performance.now();
  layoutAdd(l, { ...repos(0, 10_000), rootEvents: roots(0, 10_000).rootEvents } as RelayNeeds);
  plan(l, budget);
  const ms = performance.now() - t0;
  assert.ok(filterCount(l) <= budget.capacity && l.slots.size <= budget.subscriptions);
  const filters = openFilters(l);
  for (let i = 0; i < 10_000; i++) {
    const k = repoKey(PK_A, `r${i}`) as RepoKey;
    assert.ok(matchFilters(filters, ev(30618, [['d', `r${i}`]])) && matchFilters(filters, ev(1617, [['a', k]])), `repo ${i}`);
    assert.ok(matchFilters(filters, ev(1630, [['e', hexId(i)]])), `root ${i}`);
  }
  assert.ok(ms < 2000, `${ms} ms`);
});
