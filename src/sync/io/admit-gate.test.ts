import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdmitGate } from './admit-gate.js';

function deferred(): { p: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const p = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { p, resolve, reject };
}

test('room is granted at once while fewer admissions than the window are in flight', async () => {
  const g = new AdmitGate(2);
  g.track(deferred().p);
  await g.room();
  assert.equal(g.size, 1);
});

test('room waits until an admission settles when the window is full', async () => {
  const g = new AdmitGate(2);
  const a = deferred();
  g.track(a.p);
  g.track(deferred().p);
  let granted = false;
  const r = g.room().then(() => (granted = true));
  await new Promise((res) => setImmediate(res));
  assert.equal(granted, false);
  a.reject(new Error('rejected admissions count as settled'));
  await r;
  assert.equal(granted, true);
});

test('idle waits for every admission tracked before it, not for later ones', async () => {
  const g = new AdmitGate(10);
  const a = deferred();
  g.track(a.p);
  const idle = g.idle();
  g.track(deferred().p);
  a.resolve();
  await idle;
  assert.equal(g.size, 1);
});
