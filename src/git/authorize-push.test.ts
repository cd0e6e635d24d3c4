import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorizePush, type RefUpdate } from './authorize-push.js';
import { ZERO_OID, type AuthorisedState } from './state-refs.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const PR = 'f'.repeat(64);

function state(id: string, refs: Record<string, string>): AuthorisedState {
  return { id: id.padEnd(64, '0'), pubkey: '1'.repeat(64), created_at: 1, refs: new Map(Object.entries(refs)) };
}
function decide(opts: {
  current?: Record<string, string>;
  updates: RefUpdate[];
  states?: AuthorisedState[];
  prTips?: Array<[string, string | undefined]>;
}) {
  return authorizePush({
    current: new Map(Object.entries(opts.current ?? {})),
    updates: opts.updates,
    states: opts.states ?? [],
    prTips: new Map(opts.prTips ?? []),
  });
}
const up = (ref: string, n: string, old = ZERO_OID): RefUpdate => ({ ref, old, new: n });

test('3.8 push that makes heads exactly equal the state is accepted', () => {
  const s = state('1', { 'refs/heads/main': A });
  const d = decide({ updates: [up('refs/heads/main', A)], states: [s] });
  assert.equal(d.type, 'accept');
  assert.equal(d.type === 'accept' && d.state?.id, s.id);
});

test('3.8 push with no authorised state is rejected', () => {
  const d = decide({ updates: [up('refs/heads/main', A)] });
  assert.equal(d.type, 'reject');
  assert.match(d.type === 'reject' ? d.reason : '', /no authorised repo state/);
});

test('3.8 push of a different commit than the state is rejected with a reason naming the ref', () => {
  const d = decide({ updates: [up('refs/heads/main', B)], states: [state('1', { 'refs/heads/main': A })] });
  assert.equal(d.type, 'reject');
  assert.match(d.type === 'reject' ? d.reason : '', /refs\/heads\/main would be bbbbbbb but the state says aaaaaaa/);
});

test('3.8 push of an extra branch not in the state is rejected', () => {
  const d = decide({
    current: { 'refs/heads/main': A },
    updates: [up('refs/heads/other', A)],
    states: [state('1', { 'refs/heads/main': A })],
  });
  assert.match(d.type === 'reject' ? d.reason : '', /refs\/heads\/other is not in the state/);
});

test('3.8 push of only one of two branches the state declares is rejected (full alignment)', () => {
  const d = decide({ updates: [up('refs/heads/main', A)], states: [state('1', { 'refs/heads/main': A, 'refs/heads/dev': B })] });
  assert.match(d.type === 'reject' ? d.reason : '', /refs\/heads\/dev is missing/);
});

test('3.8 only the newest authorised state authorises: an older one never does, even when it matches', () => {
  const newer = state('2', { 'refs/heads/main': B });
  const older = state('1', { 'refs/heads/main': A });
  const d = decide({ updates: [up('refs/heads/main', A)], states: [newer, older] });
  assert.equal(d.type, 'reject');
  assert.match(d.type === 'reject' ? d.reason : '', /latest state/);
  const both = state('3', { 'refs/heads/main': A });
  const d2 = decide({ updates: [up('refs/heads/main', A)], states: [both, older] });
  assert.equal(d2.type === 'accept' && d2.state?.id, both.id);
});

test('3.8 deleting a branch the state omits is accepted', () => {
  const d = decide({
    current: { 'refs/heads/main': A, 'refs/heads/dev': B },
    updates: [{ ref: 'refs/heads/dev', old: B, new: ZERO_OID }],
    states: [state('1', { 'refs/heads/main': A })],
  });
  assert.equal(d.type, 'accept');
});

test('3.8 deleting a branch the state still lists is rejected', () => {
  const d = decide({
    current: { 'refs/heads/main': A, 'refs/heads/dev': B },
    updates: [{ ref: 'refs/heads/dev', old: B, new: ZERO_OID }],
    states: [state('1', { 'refs/heads/main': A, 'refs/heads/dev': B })],
  });
  assert.equal(d.type, 'reject');
});

test('3.8 tags count like branches', () => {
  const s = state('1', { 'refs/heads/main': A, 'refs/tags/v1': C });
  assert.equal(decide({ current: { 'refs/heads/main': A }, updates: [up('refs/tags/v1', C)], states: [s] }).type, 'accept');
  assert.equal(decide({ current: { 'refs/heads/main': A }, updates: [up('refs/tags/v2', C)], states: [s] }).type, 'reject');
});

test('3.8 an update whose old oid is stale is rejected', () => {
  const d = decide({ current: { 'refs/heads/main': A }, updates: [up('refs/heads/main', B, C)], states: [state('1', { 'refs/heads/main': B })] });
  assert.match(d.type === 'reject' ? d.reason : '', /changed on the server/);
});

test('3.10 refs/nostr/<non-hex id> is rejected', () => {
  const d = decide({ updates: [up('refs/nostr/123', A)] });
  assert.match(d.type === 'reject' ? d.reason : '', /not a valid event id/);
  assert.equal(decide({ updates: [up('refs/nostr/' + 'F'.repeat(64), A)] }).type, 'reject');
});

test('3.10 refs/nostr/<id> for an unknown event is accepted provisionally without a state', () => {
  const d = decide({ updates: [up(`refs/nostr/${PR}`, A)] });
  assert.deepEqual(d, { type: 'accept', prRefs: [{ eventId: PR, oid: A }] });
});

test('3.10 refs/nostr/<id> for a known PR must equal its c tag', () => {
  assert.equal(decide({ updates: [up(`refs/nostr/${PR}`, A)], prTips: [[PR, A]] }).type, 'accept');
  const d = decide({ updates: [up(`refs/nostr/${PR}`, B)], prTips: [[PR, A]] });
  assert.match(d.type === 'reject' ? d.reason : '', /must be aaaaaaa \(the c tag of PR event fffffff\), not bbbbbbb/);
  assert.match((decide({ updates: [up(`refs/nostr/${PR}`, B)], prTips: [[PR, undefined]] }) as { reason: string }).reason, /no valid c tag/);
});

test('3.10 deleting a refs/nostr ref is rejected', () => {
  const d = decide({ current: { [`refs/nostr/${PR}`]: A }, updates: [{ ref: `refs/nostr/${PR}`, old: A, new: ZERO_OID }] });
  assert.equal(d.type, 'reject');
});

test('5.1 refs outside heads, tags and nostr are rejected', () => {
  const d = decide({ updates: [up('refs/notes/commits', A)] });
  assert.match(d.type === 'reject' ? d.reason : '', /cannot be pushed here/);
});

test('5.1 a push mixing a good PR ref and a bad branch is rejected as a whole', () => {
  const d = decide({ updates: [up(`refs/nostr/${PR}`, A), up('refs/heads/main', B)], states: [state('1', { 'refs/heads/main': A })] });
  assert.equal(d.type, 'reject');
});

test('refs/nostr refs of the repo do not take part in the state comparison', () => {
  const d = decide({
    current: { [`refs/nostr/${PR}`]: C },
    updates: [up('refs/heads/main', A)],
    states: [state('1', { 'refs/heads/main': A })],
  });
  assert.equal(d.type, 'accept');
});
