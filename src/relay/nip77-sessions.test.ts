import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nip77 } from 'nostr-tools';
import type { NegentropyItem } from './nip77.js';
import { NegentropySessions, negErrFrame, negFrame, negMsgFrame } from './nip77-sessions.js';

function items(n: number, salt = 0): NegentropyItem[] {
  return Array.from({ length: n }, (_, i) => ({
    created_at: 1_700_000_000 + (i % 10),
    id: (salt * 1_000_000 + i).toString(16).padStart(64, '0'),
  }));
}

function initiator(local: NegentropyItem[]): InstanceType<typeof nip77.Negentropy> {
  const s = new nip77.NegentropyStorageVector();
  for (const it of local) s.insert(it.created_at, it.id);
  s.seal();
  return new nip77.Negentropy(s, 4096);
}

test('a session reconciles over several NEG-MSG rounds until the initiator is done', () => {
  const sessions = new NegentropySessions({ frameSizeLimit: 4096 });
  const server = items(3000);
  const client = items(2500).concat(items(40, 7));
  const neg = initiator(client);
  const need = new Set<string>();
  const have = new Set<string>();
  let out = sessions.open('sub1', server, neg.initiate(), 0);
  let rounds = 0;
  for (;;) {
    assert.equal(out.type, 'msg');
    if (out.type !== 'msg') break;
    const next = neg.reconcile(out.hex, (id) => have.add(id), (id) => need.add(id));
    if (next === null) break;
    out = sessions.message('sub1', next, ++rounds);
  }
  assert.ok(rounds > 1);
  assert.equal(need.size, 500);
  assert.equal(have.size, 40);
  assert.equal(sessions.close('sub1'), true);
  assert.equal(sessions.size, 0);
});

test('too many records is refused with blocked: too many records', () => {
  const sessions = new NegentropySessions({ maxItems: 10 });
  assert.deepEqual(sessions.open('s', items(11), initiator([]).initiate()), { type: 'err', reason: 'blocked: too many records' });
  assert.equal(sessions.has('s'), false);
});

test('more sessions than the limit are refused, and reopening a subId replaces it', () => {
  const sessions = new NegentropySessions({ maxSessions: 2 });
  const msg = initiator(items(5)).initiate();
  assert.equal(sessions.open('a', items(5), msg).type, 'msg');
  assert.equal(sessions.open('b', items(5), msg).type, 'msg');
  assert.equal(sessions.open('b', items(6), msg).type, 'msg');
  assert.equal(sessions.size, 2);
  const third = sessions.open('c', items(5), msg);
  assert.equal(third.type, 'err');
  if (third.type === 'err') assert.match(third.reason, /^blocked: /);
});

test('an unknown subscription gets closed:, a malformed message error: and ends the session', () => {
  const sessions = new NegentropySessions();
  const unknown = sessions.message('nope', '61');
  assert.deepEqual(unknown, { type: 'err', reason: 'closed: unknown negentropy subscription' });
  assert.equal(sessions.open('s', items(3), initiator([]).initiate()).type, 'msg');
  const bad = sessions.message('s', '61zz');
  assert.equal(bad.type, 'err');
  if (bad.type === 'err') assert.match(bad.reason, /^error: /);
  assert.equal(sessions.has('s'), false);
  const badOpen = sessions.open('t', items(3), '6102');
  assert.equal(badOpen.type, 'err');
  assert.equal(sessions.has('t'), false);
});

test('idle sessions expire with closed: on the injected clock', () => {
  const sessions = new NegentropySessions({ idleMs: 1000 });
  const msg = initiator([]).initiate();
  sessions.open('old', items(3), msg, 0);
  sessions.open('new', items(3), msg, 900);
  assert.deepEqual(sessions.expire(1000), [{ subId: 'old', reason: 'closed: negentropy session timed out' }]);
  assert.equal(sessions.has('new'), true);
  assert.deepEqual(sessions.expire(1900).map((e) => e.subId), ['new']);
});

test('frames have the NIP-77 wire shape', () => {
  assert.deepEqual(negMsgFrame('s', '61'), ['NEG-MSG', 's', '61']);
  assert.deepEqual(negErrFrame('s', 'blocked: too many records'), ['NEG-ERR', 's', 'blocked: too many records']);
  assert.deepEqual(negFrame('s', { type: 'err', reason: 'closed: x' }), ['NEG-ERR', 's', 'closed: x']);
  assert.deepEqual(negFrame('s', { type: 'msg', hex: '6100' }), ['NEG-MSG', 's', '6100']);
});
