import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finalizeEvent, generateSecretKey } from 'nostr-tools';
import { signSchnorr, xOnlyPointFromScalar } from 'tiny-secp256k1';
import { computeEventId, serializeForId, validateEventShape } from './event.js';
import type { NostrEvent } from './types.js';
import { createVerifier, tinySecpBackend, verifyEventSync } from './verify.js';

const sk = generateSecretKey();
const pubkey = Buffer.from(xOnlyPointFromScalar(sk)).toString('hex');
// tiny-secp256k1 signs ~20× faster than nostr-tools; one test checks both agree.
function signed(i: number): NostrEvent {
  const e = { pubkey, kind: 1, created_at: 1_700_000_000 + i, tags: [['t', `n${i}`]], content: `note ${i} "é\n` };
  const id = computeEventId(e);
  return { ...e, id, sig: Buffer.from(signSchnorr(Buffer.from(id, 'hex'), sk)).toString('hex') };
}

function flipHex(s: string, at = 10): string {
  return s.slice(0, at) + (s[at] === '0' ? '1' : '0') + s.slice(at + 1);
}

test('serializeForId and computeEventId match nostr-tools ids', () => {
  const e = finalizeEvent({ kind: 1, created_at: 1_700_000_000, tags: [['t', 'x']], content: 'note "é\n\u0001' }, sk);
  assert.deepEqual(verifyEventSync(e, tinySecpBackend), { ok: true });
  assert.equal(serializeForId(e), JSON.stringify([0, e.pubkey, e.created_at, e.kind, e.tags, e.content]));
  assert.equal(computeEventId(e), e.id);
});

test('a valid signed event passes inline verification', () => {
  assert.deepEqual(verifyEventSync(signed(2), tinySecpBackend), { ok: true });
});

test('extra fields are tolerated and stripped by shape validation', () => {
  const e = { ...signed(3), extra: { deep: [1] }, reason: 'x' };
  const shaped = validateEventShape(e);
  assert.ok(!('reason' in shaped));
  assert.deepEqual(Object.keys(shaped).sort(), ['content', 'created_at', 'id', 'kind', 'pubkey', 'sig', 'tags']);
  assert.deepEqual(verifyEventSync(e, tinySecpBackend), { ok: true });
});

test('an event whose content changed fails with "event id does not match"', () => {
  const e = { ...signed(4), content: 'tampered' };
  assert.deepEqual(verifyEventSync(e, tinySecpBackend), { ok: false, reason: 'invalid: event id does not match' });
});

test('a wrong signature fails with "bad signature"', () => {
  const e = signed(5);
  const other = signed(6);
  assert.deepEqual(verifyEventSync({ ...e, sig: other.sig }, tinySecpBackend), { ok: false, reason: 'invalid: bad signature' });
  assert.deepEqual(verifyEventSync({ ...e, sig: flipHex(e.sig, 70) }, tinySecpBackend), { ok: false, reason: 'invalid: bad signature' });
  // r ≥ p and a pubkey off the curve make the backend throw; they still read as a bad signature.
  assert.deepEqual(verifyEventSync({ ...e, sig: 'f'.repeat(128) }, tinySecpBackend), { ok: false, reason: 'invalid: bad signature' });
  const offCurve = { ...e, pubkey: '0'.repeat(64) };
  const reId = { ...offCurve, id: computeEventId(offCurve) };
  assert.deepEqual(verifyEventSync(reId, tinySecpBackend), { ok: false, reason: 'invalid: bad signature' });
});

test('malformed shapes are rejected with an invalid: reason and never throw', () => {
  const e = signed(7);
  const cases: unknown[] = [
    null, undefined, 42, 'event', [], [e],
    { ...e, id: e.id.toUpperCase() }, { ...e, id: e.id.slice(1) }, { ...e, id: 5 },
    { ...e, pubkey: `${e.pubkey}00` }, { ...e, pubkey: undefined },
    { ...e, sig: e.sig.slice(2) }, { ...e, sig: 'z'.repeat(128) },
    { ...e, created_at: -1 }, { ...e, created_at: 1.5 }, { ...e, created_at: '1' }, { ...e, created_at: Number.NaN },
    { ...e, kind: 65536 }, { ...e, kind: -1 }, { ...e, kind: 1.2 }, { ...e, kind: '1' },
    { ...e, tags: {} }, { ...e, tags: ['t'] }, { ...e, tags: [['t', 1]] }, { ...e, tags: [[null]] },
    { ...e, content: 1 }, { ...e, content: null },
  ];
  for (const c of cases) {
    const out = verifyEventSync(c, tinySecpBackend);
    assert.equal(out.ok, false, JSON.stringify(c));
    if (!out.ok) assert.match(out.reason, /^invalid: /);
  }
  const withoutContent: Record<string, unknown> = { ...e };
  delete withoutContent.content;
  assert.deepEqual(validateEventShape(withoutContent), { reason: 'invalid: content must be a string' });
});

test('the inline verifier (workers: 0) answers like verifyEventSync', async () => {
  const v = await createVerifier({ workers: 0 });
  assert.deepEqual(await v.verify(signed(8)), { ok: true });
  assert.deepEqual(await v.verify({ ...signed(9), content: 'x' }), { ok: false, reason: 'invalid: event id does not match' });
  await v.close();
});

test('2,000 events through 2 workers all get the right outcome', async (t) => {
  const v = await createVerifier({ workers: 2 });
  t.after(() => v.close());
  const events: unknown[] = [];
  const expected: boolean[] = [];
  for (let i = 0; i < 2000; i++) {
    const e = signed(i);
    const bad = i % 7 === 3;
    const badSig = i % 11 === 5;
    events.push(bad ? { ...e, content: 'x' } : badSig ? { ...e, sig: flipHex(e.sig, 100) } : i % 13 === 0 ? { ...e, kind: -4 } : e);
    expected.push(!bad && !badSig && i % 13 !== 0);
  }
  const outcomes = await Promise.all(events.map((e) => v.verify(e)));
  assert.deepEqual(outcomes.map((o) => o.ok), expected);
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i]!;
    if (i % 7 === 3) assert.deepEqual(o, { ok: false, reason: 'invalid: event id does not match' });
    else if (i % 11 === 5) assert.deepEqual(o, { ok: false, reason: 'invalid: bad signature' });
    else if (i % 13 === 0) assert.deepEqual(o, { ok: false, reason: 'invalid: kind must be an integer between 0 and 65535' });
  }
});

test('close terminates the workers and later calls still resolve', async () => {
  const v = await createVerifier({ workers: 2 });
  const inFlight = Array.from({ length: 300 }, (_, i) => v.verify(signed(i)));
  await v.close();
  const outcomes = await Promise.all(inFlight);
  assert.ok(outcomes.every((o) => o.ok));
  assert.deepEqual(await v.verify(signed(1)), { ok: true });
});
