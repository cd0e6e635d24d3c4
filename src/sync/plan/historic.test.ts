import { test } from 'node:test';
import assert from 'node:assert/strict';
import { step } from './step.js';
import { initialState, type SyncConfig, type SyncInput, type SyncState } from './state.js';
import type { SyncCommand } from './types.js';
import { hexId } from './test-helpers.js';

const BOOT = 'wss://boot.example';
const CFG: SyncConfig = {
  health: { backoffBaseMs: 5000, backoffMaxMs: 3_600_000, deadAfterMs: 86_400_000, rateLimitCooldownMs: 65_000, stabilityMs: 300_000, jitter: 0 },
  reconnect: { quickReconnectWindowMs: 900_000, catchUpBufferMs: 60_000 },
  consolidationThreshold: 70, dailyMinMs: 82_800_000, dailyMaxMs: 90_000_000, ourMaxLimit: 2, negentropy: false,
  negentropyRetryMs: 3_600_000, historicConcurrency: 4, consolidationOverlapSec: 60, maxPages: 100,
  ownUrls: [], bootstrapRelays: [`${BOOT}/`],
};

function run(s: SyncState, input: SyncInput): SyncCommand[] {
  return step(s, input, 1000, () => 0).commands;
}

function connected(cfg: SyncConfig): { s: SyncState; first: SyncCommand } {
  const s = initialState(cfg);
  run(s, { type: 'start' });
  const first = run(s, { type: 'connected', relay: BOOT }).find((c) => c.type === 'openHistoric' || c.type === 'negentropy')!;
  return { s, first };
}

test('a historic part that ends asks the runner to hand over self-subscribed events at once', () => {
  const { s, first } = connected(CFG);
  const cmds = run(s, { type: 'historicPage', relay: BOOT, subId: first.type === 'openHistoric' ? first.subId : '', events: [] });
  assert.ok(cmds.some((c) => c.type === 'handOver' && c.relay === BOOT));
});

test('a full page asks for the next one and hands nothing over yet', () => {
  const { s, first } = connected(CFG);
  const events = [{ id: hexId(1), created_at: 20 }, { id: hexId(2), created_at: 10 }];
  const cmds = run(s, { type: 'historicPage', relay: BOOT, subId: first.type === 'openHistoric' ? first.subId : '', events });
  assert.deepEqual(cmds.map((c) => c.type), ['openHistoric']);
});

test('a finished negentropy session hands over; a failed one falls back to REQ without hand-over', () => {
  const done = connected({ ...CFG, negentropy: true });
  assert.equal(done.first.type, 'negentropy');
  const subId = done.first.type === 'negentropy' ? done.first.subId : '';
  assert.ok(run(done.s, { type: 'negentropyDone', relay: BOOT, subId }).some((c) => c.type === 'handOver'));
  const failed = connected({ ...CFG, negentropy: true });
  const sub2 = failed.first.type === 'negentropy' ? failed.first.subId : '';
  const cmds = run(failed.s, { type: 'negentropyFailed', relay: BOOT, subId: sub2, unsupported: true });
  assert.deepEqual(cmds.map((c) => c.type), ['openHistoric']);
});
