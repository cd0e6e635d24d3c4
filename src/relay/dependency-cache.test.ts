// The dependency cache is partitioned by source relay (SYNC.md invariant 4): a relay flooding orphans
// evicts its own held events, never another relay's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DependencyCache } from './dependency-cache.js';
import type { NostrEvent } from '../nostr/types.js';

let n = 0;
function orphan(parent: string): NostrEvent {
  const id = (++n).toString(16).padStart(64, '0');
  return { id, pubkey: 'b'.repeat(64), created_at: 1, kind: 1111, tags: [['e', parent]], content: '', sig: '0'.repeat(128) };
}
const parentEvent = (id: string): NostrEvent => ({ id, pubkey: 'c'.repeat(64), created_at: 1, kind: 1621, tags: [], content: '', sig: '0'.repeat(128) });

test('one relay flooding orphans cannot evict what another relay is waiting for', () => {
  const c = new DependencyCache(100, 40);
  const parent = 'a'.repeat(64);
  const quiet = orphan(parent);
  c.hold(quiet, { source: 'sync', relay: 'wss://quiet.example' });
  for (let i = 0; i < 10_000; i++) c.hold(orphan('f'.repeat(64)), { source: 'sync', relay: 'wss://flood.example' });
  assert.equal(c.heldFrom('wss://flood.example'), 40, 'the flood is held up to its own partition');
  assert.equal(c.heldFrom('wss://quiet.example'), 1);
  const released = c.release(parentEvent(parent));
  assert.deepEqual(released.map((r) => r.event.id), [quiet.id]);
});

test('at the total cap the largest partition gives up its oldest entry', () => {
  const c = new DependencyCache(10, 8);
  for (let i = 0; i < 8; i++) c.hold(orphan('1'.repeat(64)), { source: 'sync', relay: 'wss://big.example' });
  for (let i = 0; i < 4; i++) c.hold(orphan('2'.repeat(64)), { source: 'sync', relay: `wss://small${i}.example` });
  assert.equal(c.size, 10);
  assert.equal(c.heldFrom('wss://big.example'), 6);
  for (let i = 0; i < 4; i++) assert.equal(c.heldFrom(`wss://small${i}.example`), 1);
});
