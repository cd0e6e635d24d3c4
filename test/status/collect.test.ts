// collectStatus with its parts injected: bounded inspection (purgatory first) and plain totals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectStatus } from '../../src/status/collect.js';
import { announcement, newKey } from '../helpers/events.js';
import type { NostrEvent } from '../../src/nostr/types.js';

test('at most maxRepos repositories are inspected and listed, those in purgatory first; the rest are counted', async () => {
  const k = newKey();
  const served = ['a', 'b', 'c'].map((d) => announcement(k, d, ['here.example']));
  const held = announcement(k, 'held', ['here.example']);
  let inspected = 0;
  const s = await collectStatus({
    version: 'v', domain: 'here.example', dataDir: '/', syncEnabled: false,
    store: { query: async () => served, count: async () => 3 } as never,
    purgatory: { list: () => [{ event: held, addedAt: 5, reason: 'no git data yet' } as never] },
    authorisedStates: async () => {
      inspected++;
      return [] as NostrEvent[];
    },
    repoExists: async (_o, d) => d !== 'held',
    repoDir: () => '/nonexistent',
    connections: () => 7,
    now: () => 10,
    maxRepos: 2,
  });
  assert.equal(inspected, 2);
  assert.deepEqual(s.repos.map((r) => r.d).sort(), ['a', 'held']);
  assert.equal(s.repos[0]!.d, 'held', 'incomplete first');
  assert.deepEqual(s.repos.map((r) => [r.announcement, r.gitData, r.incomplete]), [['purgatory', 'no-repo', true], ['served', 'no-state', false]]);
  assert.deepEqual([s.totals.repos, s.totals.purgatory, s.totals.connections, s.totals.events, s.reposTruncated], [4, 1, 7, 3, true]);
  assert.deepEqual(s.purgatory.byKind, { '30617': 1 });
  assert.deepEqual(s.relays, []);
});
