import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveRelayTargets } from './targets.js';
import type { RepoSyncIndex } from './types.js';
import { PK_A, PK_B, repoKey } from './test-helpers.js';

const R1 = repoKey(PK_A, 'r1');
const R2 = repoKey(PK_B, 'r2');

test('deriveRelayTargets inverts repo → relays into relay → repos and root events', () => {
  const idx: RepoSyncIndex = new Map([
    [R1, { relays: new Set(['wss://a', 'wss://b']), rootEvents: new Set(['e1']), level: 'full' }],
    [R2, { relays: new Set(['wss://b']), rootEvents: new Set(['e2']), level: 'full' }],
  ]);
  const t = deriveRelayTargets(idx, []);
  assert.deepEqual([...t.keys()].sort(), ['wss://a', 'wss://b']);
  assert.deepEqual([...t.get('wss://a')!.repos], [R1]);
  assert.deepEqual([...t.get('wss://b')!.repos].sort(), [R1, R2].sort());
  assert.deepEqual([...t.get('wss://b')!.rootEvents].sort(), ['e1', 'e2']);
});

test('a stateOnly repo contributes its coordinate but not its root events', () => {
  const idx: RepoSyncIndex = new Map([[R1, { relays: new Set(['wss://a']), rootEvents: new Set(['e1']), level: 'stateOnly' }]]);
  const n = deriveRelayTargets(idx, []).get('wss://a')!;
  assert.deepEqual([...n.repos], [R1]);
  assert.deepEqual([...n.stateOnly], [R1]);
  assert.equal(n.rootEvents.size, 0);
});

test('bootstrap relays are targets even when no repo lists them', () => {
  const t = deriveRelayTargets(new Map(), ['wss://boot']);
  assert.deepEqual([...t.keys()], ['wss://boot']);
  assert.equal(t.get('wss://boot')!.repos.size, 0);
});
