// Every confirmed item stays live at any size (SYNC.md invariant 6), driven through the reducer: ten
// thousand repos (and as many root events) on one relay all keep live coverage within the relay's
// budget, and one more item changes a few subscriptions, closing none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { step } from './step.js';
import { initialState, type SyncConfig, type SyncInput, type SyncState } from './state.js';
import type { SyncCommand } from './types.js';
import { announcement, PK_A, repoKey, rootEvent, hexId } from './test-helpers.js';
import { matchFilters } from '../../nostr/filter.js';
import type { NostrEvent, NostrFilter } from '../../nostr/types.js';

const CFG: SyncConfig = {
  health: { backoffBaseMs: 5000, backoffMaxMs: 60_000, deadAfterMs: 86_400_000, rateLimitCooldownMs: 65_000, stabilityMs: 300_000, jitter: 0 },
  reconnect: { quickReconnectWindowMs: 900_000, catchUpBufferMs: 60_000 },
  consolidationThreshold: 70, dailyMinMs: 82_800_000, dailyMaxMs: 90_000_000, ourMaxLimit: 500, negentropy: false,
  negentropyRetryMs: 3_600_000, historicConcurrency: 4, consolidationOverlapSec: 60, maxPages: 100,
  ownUrls: [], bootstrapRelays: [],
};
const A = 'wss://hub.example';
const N = 10_000;

/** Executes commands like a remote that answers every historic REQ with an empty page; tracks live subs. */
class Harness {
  readonly live = new Map<string, NostrFilter[]>();
  maxSubs = 0;
  constructor(readonly s: SyncState) {}
  run(input: SyncInput, now: number): SyncCommand[] {
    const all: SyncCommand[] = [];
    let queue = step(this.s, input, now, () => 0).commands;
    while (queue.length > 0) {
      const next: SyncCommand[] = [];
      for (const c of queue) {
        all.push(c);
        if (c.type === 'openLive') this.live.set(c.subId, c.filters);
        if (c.type === 'closeSub') this.live.delete(c.subId);
        if (c.type === 'openHistoric') next.push(...step(this.s, { type: 'historicPage', relay: c.relay, subId: c.subId, events: [] }, now, () => 0).commands);
      }
      this.maxSubs = Math.max(this.maxSubs, this.live.size);
      queue = next;
    }
    return all;
  }
  filters(): NostrFilter[] {
    return [...this.live.values()].flat();
  }
}

const ev = (kind: number, tags: string[][]): NostrEvent => ({ id: hexId(1), pubkey: PK_A, created_at: 2_000_000, kind, tags, content: '', sig: '' });

test('10,000 repos and 10,000 root events on one relay: an event for any of them is covered live, within the budget', () => {
  const h = new Harness({ ...initialState(CFG), started: true });
  const events: NostrEvent[] = [];
  for (let i = 0; i < N; i++) {
    events.push(announcement(PK_A, `r${i}`, { relays: [A], at: 1000 + i }));
    events.push(rootEvent(1_000_000 + i, 1621, [repoKey(PK_A, `r${i}`)]));
  }
  h.run({ type: 'localEvents', events }, 0);
  h.run({ type: 'connected', relay: A }, 1000);
  assert.equal(h.s.pending.has(A), false, 'historic sync finished');
  assert.equal(h.s.relays.get(A)!.repos.size, N);
  const filters = h.filters();
  assert.ok(filters.length <= CFG.consolidationThreshold, `${filters.length} live filters`);
  assert.ok(h.maxSubs <= 20, `${h.maxSubs} live subscriptions`);
  for (let i = 0; i < N; i++) {
    const key = repoKey(PK_A, `r${i}`);
    assert.ok(matchFilters(filters, ev(30618, [['d', `r${i}`]])), `state of repo ${i} live`);
    assert.ok(matchFilters(filters, ev(1617, [['a', key]])), `patch of repo ${i} live`);
    assert.ok(matchFilters(filters, ev(1111, [['E', hexId(1_000_000 + i)]])), `comment on root ${i} live`);
  }

  // one more repo with one root event: a few subscriptions change, none is closed
  const cmds = h.run({ type: 'localEvents', events: [announcement(PK_A, 'late', { relays: [A], at: 99_999 }), rootEvent(7, 1621, [repoKey(PK_A, 'late')])] }, 5000);
  const opens = cmds.filter((c) => c.type === 'openLive').length;
  const closes = cmds.filter((c) => c.type === 'closeSub' && !c.subId.startsWith('gh')).length;
  assert.equal(closes, 0, 'no live subscription closed');
  assert.ok(opens <= 3, `${opens} live subscriptions sent for one new item`);
  assert.ok(matchFilters(h.filters(), ev(1111, [['E', hexId(7)]])));
  assert.ok(matchFilters(h.filters(), ev(1617, [['a', repoKey(PK_A, 'late')]])));
});

test('a growing relay: adding repos one at a time never closes and reopens every live subscription', () => {
  const h = new Harness({ ...initialState(CFG), started: true });
  h.run({ type: 'localEvents', events: [announcement(PK_A, 'r0', { relays: [A] })] }, 0);
  h.run({ type: 'connected', relay: A }, 1);
  for (let i = 1; i < 400; i++) {
    const before = h.live.size;
    const cmds = h.run({ type: 'localEvents', events: [announcement(PK_A, `r${i}`, { relays: [A], at: 2000 + i }), rootEvent(10_000 + i, 1621, [repoKey(PK_A, `r${i}`)])] }, 10 + i);
    const closes = cmds.filter((c) => c.type === 'closeSub' && h.live.size > 0 && !c.subId.startsWith('gh')).length;
    assert.ok(before < 3 || closes < before, `round ${i}: closed ${closes} of ${before} live subscriptions`);
    const filters = h.filters();
    assert.ok(filters.length <= CFG.consolidationThreshold);
    for (let j = 1; j <= i; j += 37) assert.ok(matchFilters(filters, ev(1111, [['E', hexId(10_000 + j)]])), `round ${i}: root ${j} live`);
  }
});
