import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Slots } from './slots.js';

test('at most max holders; waiters are served in order; a bounded wait gives up', async () => {
  const s = new Slots(2);
  const a = await s.acquire();
  const b = await s.acquire();
  assert.equal(s.active, 2);
  const order: string[] = [];
  const c = s.acquire().then((r) => { order.push('c'); return r; });
  const d = s.acquire().then((r) => { order.push('d'); return r; });
  assert.equal(await s.acquire(20), undefined, 'gave up after its timeout');
  a!();
  a!(); // idempotent
  (await c)!();
  b!();
  (await d)!();
  assert.deepEqual(order, ['c', 'd']);
  assert.equal(s.active, 0);
  assert.equal(s.waiting, 0);
});
