import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSecretKey } from 'nostr-tools';
import { signSchnorr, xOnlyPointFromScalar } from 'tiny-secp256k1';
import { computeEventId } from './event.js';
import type { NostrEvent } from './types.js';
import { tinySecpBackend, verifyShapedEvent } from './verify.js';
import { VerifyPool } from './verify-pool.js';

const sk = generateSecretKey();
const pubkey = Buffer.from(xOnlyPointFromScalar(sk)).toString('hex');
const inline = (e: NostrEvent) => verifyShapedEvent(e, tinySecpBackend);
function signed(i: number): NostrEvent {
  const e = { pubkey, kind: 1, created_at: 1_700_000_000 + i, tags: [], content: `n${i}` };
  const id = computeEventId(e);
  return { ...e, id, sig: Buffer.from(signSchnorr(Buffer.from(id, 'hex'), sk)).toString('hex') };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

test('a worker that dies mid-batch loses no verification and is replaced', async (t) => {
  const pool = await VerifyPool.start(2, inline);
  t.after(() => pool.close());
  const events = Array.from({ length: 600 }, (_, i) => signed(i));
  events[17] = { ...events[17]!, content: 'tampered' };
  const results = Promise.all(events.map((e) => pool.submit(e)));
  // Full batches were posted synchronously; kill a worker before it can answer them.
  const victim = pool.workers[0]!;
  assert.ok(pool.loads[0]! > 0);
  const killed = victim.terminate();
  const outcomes = await results;
  await killed;
  assert.equal(outcomes.filter((o) => o.ok).length, 599);
  assert.deepEqual(outcomes[17], { ok: false, reason: 'invalid: event id does not match' });
  await until(() => pool.workers.length === 2 && !pool.workers.includes(victim));
  assert.deepEqual(pool.loads, [0, 0]);
  assert.deepEqual(await pool.submit(signed(1000)), { ok: true });
});

test('a burst larger than one batch is fully verified and leaves nothing pending', async (t) => {
  const pool = await VerifyPool.start(2, inline);
  t.after(() => pool.close());
  const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => pool.submit(signed(i))));
  assert.ok(outcomes.every((o) => o.ok));
  assert.equal(pool.pending, 0);
});
