// Every outstanding request has a deadline and nothing is confirmed unseen (SYNC.md invariant 5): a
// historic part that stalls or is refused goes back to the queue with a growing backoff; the batch's
// items are confirmed only once every part really completed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { step } from './step.js';
import { initialState, type SyncConfig, type SyncInput, type SyncState } from './state.js';
import type { SyncCommand } from './types.js';
import { announcement, PK_A, repoKey } from './test-helpers.js';

const CFG: SyncConfig = {
  health: { backoffBaseMs: 5000, backoffMaxMs: 60_000, deadAfterMs: 86_400_000, rateLimitCooldownMs: 65_000, stabilityMs: 300_000, jitter: 0 },
  reconnect: { quickReconnectWindowMs: 900_000, catchUpBufferMs: 60_000 },
  consolidationThreshold: 70, dailyMinMs: 82_800_000, dailyMaxMs: 90_000_000, ourMaxLimit: 500, negentropy: false,
  negentropyRetryMs: 3_600_000, historicConcurrency: 4, consolidationOverlapSec: 60, maxPages: 100,
  ownUrls: [], bootstrapRelays: [],
};
const A = 'wss://a.example';
const R1 = repoKey(PK_A, 'r1');

function run(s: SyncState, input: SyncInput, now: number): SyncCommand[] {
  return step(s, input, now, () => 0).commands;
}
const historic = (cmds: SyncCommand[]): Array<Extract<SyncCommand, { type: 'openHistoric' }>> =>
  cmds.filter((c): c is Extract<SyncCommand, { type: 'openHistoric' }> => c.type === 'openHistoric');

/** Connected to A with repo r1; Layer 1 answered; returns the item parts' historic commands. */
function itemsRunning(): { s: SyncState; parts: ReturnType<typeof historic> } {
  const s = initialState(CFG);
  s.started = true;
  run(s, { type: 'localEvents', events: [announcement(PK_A, 'r1', { relays: [A] })] }, 0);
  const cmds = historic(run(s, { type: 'connected', relay: A }, 1000));
  const l1 = cmds.find((c) => c.filters[0]!.kinds?.[0] === 30617)!;
  const more = historic(run(s, { type: 'historicPage', relay: A, subId: l1.subId, events: [] }, 1000));
  const parts = [...cmds.filter((c) => c !== l1), ...more];
  assert.ok(parts.length > 0);
  return { s, parts };
}

test('a stalled historic REQ is re-tried after a backoff, and its items are confirmed only once it completed', () => {
  const { s, parts } = itemsRunning();
  const [stalled, ...rest] = parts;
  for (const p of rest) run(s, { type: 'historicPage', relay: A, subId: p.subId, events: [] }, 2000);
  // the remote never answered the first part: the runner reports the stall
  assert.deepEqual(historic(run(s, { type: 'stalled', relay: A, subId: stalled!.subId }, 31_000)), []);
  assert.equal(s.relays.get(A)!.repos.has(R1), false, 'not confirmed unseen');
  assert.deepEqual(historic(run(s, { type: 'tick' }, 31_000 + 4_000)), [], 'not before the backoff');
  const retry = historic(run(s, { type: 'tick' }, 31_000 + 5_000));
  assert.equal(retry.length, 1);
  assert.deepEqual(retry[0]!.filters, stalled!.filters);
  run(s, { type: 'historicPage', relay: A, subId: retry[0]!.subId, events: [] }, 37_000);
  assert.equal(s.relays.get(A)!.repos.has(R1), true);
  assert.equal(s.pending.has(A), false);
});

test('a part refused with CLOSED error: or auth-required: is not confirmed and is re-tried with a growing backoff', () => {
  const { s, parts } = itemsRunning();
  const [refused, ...rest] = parts;
  for (const p of rest) run(s, { type: 'historicPage', relay: A, subId: p.subId, events: [] }, 2000);
  run(s, { type: 'closed', relay: A, subId: refused!.subId, message: 'auth-required: we only serve members' }, 3000);
  assert.equal(s.relays.get(A)!.repos.has(R1), false, 'not confirmed after a refusal');
  const again = historic(run(s, { type: 'tick' }, 8000));
  assert.equal(again.length, 1);
  run(s, { type: 'closed', relay: A, subId: again[0]!.subId, message: 'error: internal' }, 8000);
  assert.deepEqual(historic(run(s, { type: 'tick' }, 8000 + 9_999)), [], 'second backoff is longer');
  const third = historic(run(s, { type: 'tick' }, 8000 + 10_000));
  assert.equal(third.length, 1);
  run(s, { type: 'historicPage', relay: A, subId: third[0]!.subId, events: [] }, 20_000);
  assert.equal(s.relays.get(A)!.repos.has(R1), true);
});

test('a live filter the remote CLOSEs is re-opened after a growing backoff, with a catch-up of the gap, not every tick', () => {
  const { s, parts } = itemsRunning();
  for (const p of parts) run(s, { type: 'historicPage', relay: A, subId: p.subId, events: [] }, 2000);
  const r = s.relays.get(A)!;
  const slot = () => [...r.layout.slots.entries()].find(([k]) => k.startsWith('coords'))!;
  const reopenAfter = (closedAt: number): number => {
    run(s, { type: 'closed', relay: A, subId: slot()[1].subId, message: 'blocked: too many filters' }, closedAt);
    for (let t = closedAt; t < closedAt + 200_000; t += 500) {
      const cmds = run(s, { type: 'tick' }, t);
      if (cmds.some((c) => c.type === 'openLive')) {
        assert.ok(historic(cmds).some((c) => c.filters.some((f) => f['#a'] !== undefined && f.since === Math.floor(closedAt / 1000) - 60)), 'gap caught up');
        return t - closedAt;
      }
    }
    throw new Error('never re-opened');
  };
  const first = reopenAfter(100_000);
  const second = reopenAfter(400_000);
  assert.ok(first >= 5000, `first re-open after ${first} ms`);
  assert.ok(second >= 2 * first, `second re-open after ${second} ms`);
});
