// Rate limits pause, and resume where they stopped (SYNC.md "Health tracking"): while a relay is
// rate-limited nothing new goes out (no next page either); a refused page is asked again after the
// cooldown, with the same `until`, not from page 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { step } from './step.js';
import { initialState, type SyncConfig, type SyncInput, type SyncState } from './state.js';
import type { SyncCommand } from './types.js';
import { hexId } from './test-helpers.js';

const BOOT = 'wss://boot.example';
const CFG: SyncConfig = {
  health: { backoffBaseMs: 5000, backoffMaxMs: 60_000, deadAfterMs: 86_400_000, rateLimitCooldownMs: 65_000, stabilityMs: 300_000, jitter: 0 },
  reconnect: { quickReconnectWindowMs: 900_000, catchUpBufferMs: 60_000 },
  consolidationThreshold: 70, dailyMinMs: 82_800_000, dailyMaxMs: 90_000_000, ourMaxLimit: 2, negentropy: false,
  negentropyRetryMs: 3_600_000, historicConcurrency: 4, consolidationOverlapSec: 60, maxPages: 100,
  ownUrls: [], bootstrapRelays: [BOOT],
};
const run = (s: SyncState, input: SyncInput, now: number): SyncCommand[] => step(s, input, now, () => 0).commands;
const hist = (cmds: SyncCommand[]): Array<Extract<SyncCommand, { type: 'openHistoric' }>> =>
  cmds.filter((c): c is Extract<SyncCommand, { type: 'openHistoric' }> => c.type === 'openHistoric');
/** two events per page, one second apart, newest first */
const page = (n: number): Array<{ id: string; created_at: number }> => [{ id: hexId(2 * n), created_at: 1000 - 2 * n }, { id: hexId(2 * n + 1), created_at: 999 - 2 * n }];

function layer1Paging(): { s: SyncState; sub: string } {
  const s = initialState(CFG);
  run(s, { type: 'start' }, 0);
  let sub = hist(run(s, { type: 'connected', relay: BOOT }, 0))[0]!.subId;
  for (let n = 0; n < 3; n++) sub = hist(run(s, { type: 'historicPage', relay: BOOT, subId: sub, events: page(n) }, 10))[0]!.subId;
  return { s, sub };
}

test('a page refused with CLOSED rate-limited resumes at that page after the cooldown, not at page 1', () => {
  const { s, sub } = layer1Paging();
  const refusedUntil = 1000 - 2 * 2 - 1;
  assert.deepEqual(run(s, { type: 'closed', relay: BOOT, subId: sub, message: 'rate-limited: slow down' }, 20), []);
  assert.deepEqual(hist(run(s, { type: 'tick' }, 20 + 64_999)), [], 'nothing during the cooldown');
  const resumed = hist(run(s, { type: 'tick' }, 20 + 65_000));
  assert.equal(resumed.length, 1);
  assert.equal(resumed[0]!.filters[0]!.until, refusedUntil);
});

test('while rate-limited a full page does not ask for the next one; it is asked after the cooldown', () => {
  const { s, sub } = layer1Paging();
  run(s, { type: 'notice', relay: BOOT, message: 'too many requests' }, 20);
  assert.deepEqual(hist(run(s, { type: 'historicPage', relay: BOOT, subId: sub, events: page(3) }, 30)), []);
  const next = hist(run(s, { type: 'tick' }, 20 + 65_000));
  assert.equal(next.length, 1);
  assert.equal(next[0]!.filters[0]!.until, 1000 - 2 * 3 - 1);
});
