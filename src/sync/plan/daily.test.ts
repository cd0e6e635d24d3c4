import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDailyDue, nextDailyAt } from './daily.js';

const H = 3_600_000;

test('the next reconciliation falls within [min, max] after now', () => {
  assert.equal(nextDailyAt(1000, 23 * H, 25 * H, () => 0), 1000 + 23 * H);
  assert.ok(nextDailyAt(1000, 23 * H, 25 * H, () => 0.999999999) <= 1000 + 25 * H);
  assert.equal(nextDailyAt(0, 23 * H, 25 * H, () => 0.5), 24 * H);
});

test('min equal to max gives a fixed period', () => {
  assert.equal(nextDailyAt(5, 10, 10, () => 0.7), 15);
});

test('due once the time is reached', () => {
  assert.equal(isDailyDue(undefined, 5), false);
  assert.equal(isDailyDue(10, 9), false);
  assert.equal(isDailyDue(10, 10), true);
});
