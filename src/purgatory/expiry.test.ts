import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isLive, nextExpiry, partitionExpired } from './expiry.js';

describe('isLive', () => {
  it('is live strictly before addedAt + expiry', () => {
    assert.equal(isLive({ addedAt: 1000 }, 1999, 1000), true);
    assert.equal(isLive({ addedAt: 1000 }, 2000, 1000), false);
    assert.equal(isLive({ addedAt: 1000 }, 1000, 0), false);
  });
});

describe('partitionExpired', () => {
  it('splits entries into live and expired, keeping order', () => {
    const a = { addedAt: 0, n: 'a' };
    const b = { addedAt: 500, n: 'b' };
    const c = { addedAt: 100, n: 'c' };
    assert.deepEqual(partitionExpired([a, b, c], 1050, 1000), { live: [b, c], expired: [a] });
  });
});

describe('nextExpiry', () => {
  it('is the oldest entry plus the expiry, or undefined when empty', () => {
    assert.equal(nextExpiry([{ addedAt: 300 }, { addedAt: 200 }], 1000), 1200);
    assert.equal(nextExpiry([], 1000), undefined);
  });
});
