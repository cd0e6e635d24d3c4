import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignPools, networkGroups, type NetworkRepo } from './repo-network.js';

const A = 'a'.repeat(64), B = 'b'.repeat(64), C = 'c'.repeat(64), X = 'e'.repeat(64);
const EUC = '1'.repeat(40);

test('same d and same maintainer set: one network; a lone repo: none', () => {
  const repos: NetworkRepo[] = [
    { id: '/r/a/p', d: 'p', maintainers: [A, B] },
    { id: '/r/b/p', d: 'p', maintainers: [B, A] },
    { id: '/r/c/q', d: 'q', maintainers: [C] },
  ];
  assert.deepEqual(networkGroups(repos), [['/r/a/p', '/r/b/p']]);
});

test('announcing a foreign key as maintainer does not join its network (sets differ)', () => {
  const repos: NetworkRepo[] = [
    { id: '/r/a/p', d: 'p', maintainers: [A] },
    { id: '/r/x/p', d: 'p', maintainers: [X, A] },
  ];
  assert.deepEqual(networkGroups(repos), []);
});

test('same d but different maintainers stay apart; the same earliest unique commit links forks across d', () => {
  const repos: NetworkRepo[] = [
    { id: '/r/a/p', d: 'p', maintainers: [A] },
    { id: '/r/c/p', d: 'p', maintainers: [C] },
    { id: '/r/x/fork', d: 'fork', maintainers: [X], euc: EUC },
    { id: '/r/a/p2', d: 'p2', maintainers: [A], euc: EUC },
  ];
  assert.deepEqual(networkGroups(repos), [['/r/a/p2', '/r/x/fork']]);
});

test('links are transitive: a chain of same-set and same-euc repos is one network', () => {
  const repos: NetworkRepo[] = [
    { id: '1', d: 'p', maintainers: [A, B] },
    { id: '2', d: 'p', maintainers: [A, B], euc: EUC },
    { id: '3', d: 'z', maintainers: [C], euc: EUC },
    { id: '4', d: 'y', maintainers: [X] },
  ];
  assert.deepEqual(networkGroups(repos), [['1', '2', '3']]);
});

test('pool ids stick to the network holding most of their members; new networks get fresh ids', () => {
  const fresh = (g: readonly string[]): string => `new-${g[0]}`;
  assert.deepEqual(assignPools([['1', '2'], ['3', '4']], new Map(), fresh), new Map([['1', 'new-1'], ['2', 'new-1'], ['3', 'new-3'], ['4', 'new-3']]));
  // a network grows: the newcomer joins the existing pool
  assert.deepEqual(assignPools([['1', '2', '5']], new Map([['1', 'P'], ['2', 'P']]), fresh), new Map([['1', 'P'], ['2', 'P'], ['5', 'P']]));
  // a network splits: the larger part keeps the pool, the smaller gets a new one
  const split = assignPools([['1', '2', '3'], ['4', '5']], new Map([['1', 'P'], ['2', 'P'], ['3', 'P'], ['4', 'P'], ['5', 'P']]), fresh);
  assert.equal(split.get('1'), 'P');
  assert.equal(split.get('4'), 'new-4');
  // repos in no network get no pool
  assert.equal(assignPools([], new Map([['1', 'P']]), fresh).size, 0);
});
