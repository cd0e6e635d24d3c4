import { test } from 'node:test';
import assert from 'node:assert/strict';
import { debounceDeadline, effectiveGraceMs, fullRepackDue, planSteps, stepArgs } from './maintenance-plan.js';
import type { RepoStorage } from './storage-stats.js';

const tidy: RepoStorage = { looseObjects: 0, packs: 1, cruftPacks: 0, midx: true, bitmap: true, commitGraph: true, alternates: [], bytes: 1 };

test('an empty repo needs nothing; a tidy unchanged one neither', () => {
  assert.deepEqual(planSteps({ storage: { ...tidy, packs: 0, midx: false, bitmap: false, commitGraph: false }, role: 'plain', full: false, changed: true }), []);
  assert.deepEqual(planSteps({ storage: tidy, role: 'plain', full: false, changed: false }), []);
});

test('loose objects, several packs or a missing midx/bitmap ask for a geometric repack; a change for a commit-graph', () => {
  assert.deepEqual(planSteps({ storage: { ...tidy, looseObjects: 3 }, role: 'plain', full: false, changed: false }), ['geometric']);
  assert.deepEqual(planSteps({ storage: { ...tidy, packs: 2 }, role: 'plain', full: false, changed: true }), ['geometric', 'commit-graph']);
  assert.deepEqual(planSteps({ storage: { ...tidy, bitmap: false }, role: 'plain', full: false, changed: false }), ['geometric']);
  // members have no bitmap of their own (the pool's serves)
  assert.deepEqual(planSteps({ storage: { ...tidy, bitmap: false }, role: 'member', full: false, changed: false }), []);
  assert.deepEqual(planSteps({ storage: { ...tidy, commitGraph: false }, role: 'plain', full: false, changed: false }), ['commit-graph']);
});

test('a full run repacks everything and prunes, except in a pool', () => {
  assert.deepEqual(planSteps({ storage: tidy, role: 'plain', full: true, changed: false }), ['full', 'commit-graph', 'prune']);
  assert.deepEqual(planSteps({ storage: tidy, role: 'member', full: true, changed: false }), ['full', 'commit-graph', 'prune']);
  assert.deepEqual(planSteps({ storage: tidy, role: 'pool', full: true, changed: false }), ['full', 'commit-graph']);
});

test('git arguments: members repack locally without bitmaps; pools never expire unreachable objects', () => {
  assert.deepEqual(stepArgs('geometric', 'plain', 100), ['repack', '-d', '-q', '--geometric=2', '--write-midx', '--write-bitmap-index']);
  assert.deepEqual(stepArgs('geometric', 'member', 100), ['repack', '-d', '-q', '-l', '--geometric=2', '--write-midx']);
  assert.deepEqual(stepArgs('full', 'plain', 100.7), ['repack', '-d', '-q', '--cruft', '--cruft-expiration=@100', '--write-midx', '--write-bitmap-index']);
  assert.deepEqual(stepArgs('full', 'pool', 100), ['repack', '-d', '-q', '--cruft', '--cruft-expiration=never', '--write-midx', '--write-bitmap-index']);
  assert.deepEqual(stepArgs('prune', 'member', 100), ['prune', '--expire=@100']);
});

test('full repack once per grace period; grace never below the purgatory expiry', () => {
  assert.equal(fullRepackDue(undefined, 1000, 500), true);
  assert.equal(fullRepackDue(600, 1000, 500), false);
  assert.equal(fullRepackDue(500, 1000, 500), true);
  assert.equal(effectiveGraceMs(1000, 1_800_000), 1_800_000);
  assert.equal(effectiveGraceMs(86_400_000, 1_800_000), 86_400_000);
});

test('debounce: the first change arms, later changes do not postpone', () => {
  assert.deepEqual(debounceDeadline(undefined, 100, 50), { deadline: 150, arm: true });
  assert.deepEqual(debounceDeadline(100, 140, 50), { deadline: 150, arm: false });
});
