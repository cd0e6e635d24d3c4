// Quotas, pure: which new repositories are refused, and reservations that keep concurrent admissions in the cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newRepoRefusal, Reservations, withQuotas, type QuotaFacts } from './quotas.js';
import { announcementEv, fakeWorld, hex32 } from './test-world.js';

const limits = { maxReposPerAuthor: 3, maxPurgatoryReposPerAuthor: 2, maxPurgatoryRepos: 4, minFreeDiskBytes: 100 };
const facts = (p: Partial<QuotaFacts> = {}): QuotaFacts => ({ served: new Set(), held: new Set(), totalHeld: 0, heldKeys: new Set(), freeDiskBytes: 1000, ...p });

test('a new repository is refused at each cap; a replacement never counts', () => {
  assert.equal(newRepoRefusal(limits, facts(), 'a'), undefined);
  assert.equal(newRepoRefusal(limits, facts({ freeDiskBytes: 10 }), 'a')?.quota, 'free-disk');
  assert.equal(newRepoRefusal(limits, facts({ served: new Set(['x', 'y']), held: new Set(['z']) }), 'a')?.quota, 'repos-per-author');
  assert.equal(newRepoRefusal(limits, facts({ held: new Set(['x', 'y']) }), 'a')?.quota, 'purgatory-repos-per-author');
  assert.equal(newRepoRefusal(limits, facts({ totalHeld: 4 }), 'a')?.quota, 'purgatory-repos');
  assert.equal(newRepoRefusal(limits, facts({ held: new Set(['a', 'b']), totalHeld: 4 }), 'a'), undefined, 'replacement');
});

test('concurrent announcements cannot overshoot the total cap: admissions reserve their slot', async () => {
  const world = fakeWorld();
  const reservations = new Reservations(60_000);
  // every admission reads the same (stale) facts: nothing is in purgatory yet
  const policy = withQuotas(async () => ({ type: 'purgatory', reason: 'new' }), limits, async () => facts(), () => {}, reservations);
  const decisions = await Promise.all(Array.from({ length: 10 }, () => policy(announcementEv(hex32(), 'r'), { source: 'client' }, world)));
  assert.equal(decisions.filter((d) => d.type === 'purgatory').length, 4);
});
