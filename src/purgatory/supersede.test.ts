import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NostrEvent } from '../nostr/types.js';
import { addressOf, purgatoryReplacement } from './supersede.js';

const PK = 'a'.repeat(64);
let n = 0;
function ev(kind: number, created_at: number, tags: string[][] = [], pubkey = PK): NostrEvent {
  return { id: (n++).toString(16).padStart(64, '0'), pubkey, created_at, kind, tags, content: '', sig: '' };
}

describe('addressOf', () => {
  it('names addressable and replaceable events only', () => {
    assert.equal(addressOf(ev(30617, 1, [['d', 'r']])), `30617:${PK}:r`);
    assert.equal(addressOf(ev(10002, 1)), `10002:${PK}:`);
    assert.equal(addressOf(ev(1618, 1)), undefined);
  });
});

describe('purgatoryReplacement', () => {
  it('replaces older held versions at the same address only', () => {
    const old = ev(30618, 10, [['d', 'r']]);
    const otherD = ev(30618, 10, [['d', 's']]);
    const otherAuthor = ev(30618, 10, [['d', 'r']], 'b'.repeat(64));
    assert.deepEqual(purgatoryReplacement([old, otherD, otherAuthor], ev(30618, 20, [['d', 'r']])), { replaces: [old.id] });
  });

  it('reports a newer held version instead', () => {
    const newer = ev(30617, 30, [['d', 'r']]);
    assert.deepEqual(purgatoryReplacement([newer], ev(30617, 20, [['d', 'r']])), { replaces: [], supersededBy: newer.id });
  });

  it('replaces nothing for regular events', () => {
    const pr = ev(1618, 1);
    assert.deepEqual(purgatoryReplacement([pr], ev(1618, 2)), { replaces: [] });
  });
});
