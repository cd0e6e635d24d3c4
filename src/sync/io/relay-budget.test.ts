import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RelayBudgets } from './relay-budget.js';

const cfg = { messagesPerSecond: 10, bytesPerSecond: 1000, burstSeconds: 2, pauseMs: 5000 };

test('a relay within its rate is never paused; overdrawing messages pauses it once, then refills', () => {
  let now = 0;
  const b = new RelayBudgets(cfg, () => now);
  for (let i = 0; i < 20; i++) assert.equal(b.charge('r', 10).type, 'ok', `burst frame ${i}`);
  const over = b.charge('r', 10);
  assert.deepEqual(over, { type: 'exceeded', budget: 'messages', until: 5000 });
  assert.equal(b.charge('r', 10).type, 'paused', 'frames read before the pause took effect: no second report');
  assert.equal(b.pausedUntil('r'), 5000);
  assert.equal(b.charge('other', 10).type, 'ok', 'another relay has its own bucket');
  now = 5000;
  assert.equal(b.pausedUntil('r'), 0);
  assert.equal(b.charge('r', 10).type, 'ok', 'refilled during the pause');
});

test('bytes have their own budget', () => {
  const b = new RelayBudgets(cfg, () => 0);
  assert.equal(b.charge('r', 2000).type, 'ok');
  const over = b.charge('r', 1);
  assert.equal(over.type, 'exceeded');
  assert.equal(over.type === 'exceeded' && over.budget, 'bytes');
});
