import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveFilterCapacity, needsConsolidation, planConsolidation, type ConsolidationInput } from './consolidation.js';
import type { RelayNeeds, RepoKey } from './types.js';
import { emptyNeeds } from './types.js';
import { PK_A, repoKey, hexId } from './test-helpers.js';

function repos(from: number, n: number): RelayNeeds {
  const r = emptyNeeds();
  for (let i = from; i < from + n; i++) r.repos.add(repoKey(PK_A, `r${i}`) as RepoKey);
  return r;
}
let sub = 0;
const base = (over: Partial<ConsolidationInput>): ConsolidationInput => ({
  live: [], confirmed: emptyNeeds(), adding: emptyNeeds(), limits: {}, capacity: 70, otherSubs: 0, nowSec: 10_000, overlapSec: 60,
  newSubId: () => `c${sub++}`, ...over,
});

test('capacity is the threshold, or less when the remote allows fewer subs × filters', () => {
  assert.equal(liveFilterCapacity({}, 70, 4), 70);
  assert.equal(liveFilterCapacity({ maxSubscriptions: 5, maxFilters: 2 }, 70, 1), 8);
  assert.equal(needsConsolidation(68, 3, 70), true);
  assert.equal(needsConsolidation(67, 3, 70), false);
});

test('a rebuild packs confirmed ∪ new items into the fewest filters with a since overlap', () => {
  // 60 single-repo live subs were 1 + 60×4 filters; together they fit in 1 + 1×(state) + 3 (a/A/q)
  const live = Array.from({ length: 12 }, (_, i) => ({ subId: `old${i}`, filterCount: 5 }));
  const p = planConsolidation(base({ live, confirmed: repos(0, 60), adding: repos(60, 30) }));
  const filters = p.open.flatMap((o) => o.filters);
  assert.equal(filters.length, 1 + 1 + 3);
  for (const f of filters) {
    assert.equal(f.since, 10_000 - 60);
    assert.equal(f.limit, undefined);
  }
  assert.deepEqual(p.close, live.map((s) => s.subId));
  assert.equal(p.dropped, 0);
});

test('live filters never exceed the capacity; the rest is reported as dropped', () => {
  const a = emptyNeeds();
  for (let i = 0; i < 5000; i++) a.rootEvents.add(hexId(i));
  const p = planConsolidation(base({ adding: a, capacity: 70 }));
  assert.equal(p.open.flatMap((o) => o.filters).length, 70);
  assert.equal(p.dropped, 1 + 150 - 70);
  for (const o of p.open) assert.ok(o.filters.length <= 10);
});

test('new subs open before old ones close only when both fit the remote budget', () => {
  const few = planConsolidation(base({ live: [{ subId: 'a', filterCount: 5 }], adding: repos(0, 1) }));
  assert.equal(few.order, 'openFirst');
  const live = Array.from({ length: 14 }, (_, i) => ({ subId: `o${i}`, filterCount: 5 }));
  const full = planConsolidation(base({ live, adding: repos(0, 1) }));
  assert.equal(full.order, 'closeFirst');
});
