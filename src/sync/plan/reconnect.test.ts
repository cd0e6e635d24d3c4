import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectFilters, cursorAfterDisconnect, decideConnect, type ReconnectConfig } from './reconnect.js';
import { PK_A, repoKey } from './test-helpers.js';

const CFG: ReconnectConfig = { quickReconnectWindowMs: 900_000, catchUpBufferMs: 60_000 };
const R1 = repoKey(PK_A, 'r1');
const confirmed = { repos: new Set([R1]), stateOnly: new Set<typeof R1>(), rootEvents: new Set(['e1']) };

test('a relay never synced gets a fresh sync', () => {
  assert.deepEqual(decideConnect({}, 1_000_000, CFG), { type: 'fresh', reason: 'neverSynced' });
});

test('the quick window is measured from the disconnect, not the last connect', () => {
  // connected long ago, dropped 10 minutes ago: quick
  const r = { lastConnectedAt: 0, disconnectedAt: 10_000_000, cursor: 10_000_000 };
  assert.deepEqual(decideConnect(r, 10_600_000, CFG), { type: 'quick', sinceSec: (10_000_000 - 60_000) / 1000 });
  assert.deepEqual(decideConnect(r, 10_900_001, CFG), { type: 'fresh', reason: 'windowExpired' });
});

test('quick reconnect catches up every layer with since', () => {
  const f = connectFilters({ type: 'quick', sinceSec: 500 }, confirmed, true, 300);
  assert.deepEqual(f.layer1, [{ kinds: [30617], since: 500, limit: 300 }]);
  assert.equal(f.catchUp.length, 8); // state + a/A/q + e/E/q + deletions
  for (const x of f.catchUp) assert.deepEqual([x.since, x.limit], [500, 300]);
  assert.ok(f.catchUp.some((x) => x['#a']) && f.catchUp.some((x) => x['#e']) && f.catchUp.some((x) => x.kinds?.[0] === 30618));
  assert.ok(f.catchUp.some((x) => x.kinds?.[0] === 5), 'deletions caught up with since');
});

test('quick reconnect without a confirmed Layer 1 fetches all announcements', () => {
  const f = connectFilters({ type: 'quick', sinceSec: 500 }, confirmed, false, 300);
  assert.deepEqual(f.layer1, [{ kinds: [30617], limit: 300 }]);
});

test('fresh sync sends Layer 1 only; the diff supplies the rest', () => {
  const f = connectFilters({ type: 'fresh', reason: 'neverSynced' }, confirmed, true, 300);
  assert.deepEqual(f, { layer1: [{ kinds: [30617], limit: 300 }], catchUp: [] });
});

test('the cursor stays put while a catch-up is unfinished', () => {
  assert.equal(cursorAfterDisconnect(100, 200, false, true), 200);
  assert.equal(cursorAfterDisconnect(100, 200, true, true), 100);
  assert.equal(cursorAfterDisconnect(undefined, 200, false, false), undefined);
});
