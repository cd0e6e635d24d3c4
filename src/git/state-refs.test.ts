import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NostrEvent } from '../nostr/types.js';
import { headAfter, isSafeRefName, parseState, prTip, type AuthorisedState } from './state-refs.js';

const A = 'a'.repeat(40);
const ev = (tags: string[][]): NostrEvent => ({ id: 'e'.repeat(64), pubkey: 'p'.repeat(64), created_at: 5, kind: 30618, tags, content: '', sig: '' });
const st = (refs: Record<string, string>, head?: string): AuthorisedState =>
  ({ id: 'x', pubkey: 'y', created_at: 1, refs: new Map(Object.entries(refs)), ...(head ? { head } : {}) });

test('a state parses heads, tags and HEAD and ignores peeled and other tags', () => {
  const s = parseState(ev([['d', 'r'], ['refs/heads/main', A], ['refs/tags/v1', A], ['refs/tags/v1^{}', A], ['HEAD', 'ref: refs/heads/main'], ['refs/notes/x', A]]));
  assert.deepEqual([...(s?.refs ?? [])], [['refs/heads/main', A], ['refs/tags/v1', A]]);
  assert.equal(s?.head, 'refs/heads/main');
  assert.equal(parseState(ev([['HEAD', 'refs/heads/dev']]))?.head, 'refs/heads/dev');
});

test('a state naming an unsafe ref or a bad oid is unusable', () => {
  assert.equal(parseState(ev([['refs/heads/a\nupdate refs/heads/b', A]])), undefined);
  assert.equal(parseState(ev([['refs/heads/../x', A]])), undefined);
  assert.equal(parseState(ev([['refs/heads/main', 'zz']])), undefined);
  assert.ok(isSafeRefName('refs/heads/feature/x-1'));
  for (const bad of ['refs/heads/a b', 'refs/heads/.x', 'refs/heads/x.lock', 'refs/heads/a@{b', 'refs/heads/a\0', 'refs/heads/']) {
    assert.equal(isSafeRefName(bad), false, bad);
  }
});

test('prTip reads a valid c tag only', () => {
  assert.equal(prTip({ ...ev([['c', A]]), kind: 1618 }), A);
  assert.equal(prTip({ ...ev([['c', 'nope']]), kind: 1618 }), undefined);
});

test('3.9 HEAD follows the state, else stays when it still resolves, else falls back to main', () => {
  assert.equal(headAfter(st({ 'refs/heads/dev': A }, 'refs/heads/dev'), 'refs/heads/main'), 'refs/heads/dev');
  assert.equal(headAfter(st({ 'refs/heads/dev': A }, 'refs/heads/dev'), 'refs/heads/dev'), undefined);
  assert.equal(headAfter(st({ 'refs/heads/dev': A, 'refs/heads/x': A }), 'refs/heads/dev'), undefined);
  assert.equal(headAfter(st({ 'refs/heads/main': A, 'refs/heads/a': A }), 'refs/heads/gone'), 'refs/heads/main');
  assert.equal(headAfter(st({ 'refs/heads/b': A, 'refs/heads/a': A }), 'refs/heads/gone'), 'refs/heads/a');
});
