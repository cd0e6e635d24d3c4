import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeActions, newItems, unionNeeds, subtractNeeds } from './diff.js';
import type { RelayNeeds, RepoKey } from './types.js';
import { emptyNeeds } from './types.js';
import { PK_A, repoKey } from './test-helpers.js';

function needs(repos: RepoKey[], rootEvents: string[] = [], stateOnly: RepoKey[] = []): RelayNeeds {
  return { repos: new Set([...repos, ...stateOnly]), stateOnly: new Set(stateOnly), rootEvents: new Set(rootEvents) };
}
const R = (i: number): RepoKey => repoKey(PK_A, `r${i}`);

test('new items are target minus pending minus confirmed', () => {
  const targets = new Map([['wss://a', needs([R(1), R(2), R(3)], ['e1', 'e2', 'e3'])]]);
  const pending = new Map([['wss://a', [{ items: needs([R(1)], ['e1']) }]]]);
  const confirmed = new Map([['wss://a', needs([R(2)], ['e2'])]]);
  const { add, remove } = computeActions(targets, pending, confirmed);
  assert.deepEqual([...add.get('wss://a')!.repos], [R(3)]);
  assert.deepEqual([...add.get('wss://a')!.rootEvents], ['e3']);
  assert.equal(remove.size, 0);
});

test('steady state produces no actions', () => {
  const t = needs([R(1)], ['e1']);
  const { add, remove } = computeActions(new Map([['wss://a', t]]), new Map(), new Map([['wss://a', t]]));
  assert.equal(add.size, 0);
  assert.equal(remove.size, 0);
});

test('an unknown relay gets everything it targets', () => {
  const { add } = computeActions(new Map([['wss://new', needs([R(1)], ['e1'])]]), new Map(), new Map());
  assert.deepEqual([...add.get('wss://new')!.repos], [R(1)]);
});

test('a repo confirmed stateOnly is new again when its target becomes full', () => {
  const n = newItems(needs([R(1)]), [needs([], [], [R(1)])]);
  assert.deepEqual([...n.repos], [R(1)]);
  assert.equal(n.stateOnly.size, 0);
});

test('a repo confirmed full covers a stateOnly target', () => {
  assert.equal(newItems(needs([], [], [R(1)]), [needs([R(1)])]).repos.size, 0);
});

test('confirmed items no longer targeted are removals', () => {
  const { remove } = computeActions(
    new Map([['wss://a', needs([R(1)])]]),
    new Map(),
    new Map([['wss://a', needs([R(1), R(2)], ['e9'])], ['wss://gone', needs([R(3)])]]),
  );
  assert.deepEqual([...remove.get('wss://a')!.repos], [R(2)]);
  assert.deepEqual([...remove.get('wss://a')!.rootEvents], ['e9']);
  assert.deepEqual([...remove.get('wss://gone')!.repos], [R(3)]);
});

test('union keeps the strongest level and subtract removes items', () => {
  const u = unionNeeds(needs([], [], [R(1), R(2)]), needs([R(1)], ['e']));
  assert.deepEqual([...u.stateOnly], [R(2)]);
  const d = subtractNeeds(u, needs([R(2)]));
  assert.deepEqual([...d.repos], [R(1)]);
  assert.deepEqual([...d.rootEvents], ['e']);
});

// invariant 2: replay random target changes, batch starts, completions and drops
test('the same item is never pending twice on one relay, whatever the sequence', () => {
  let seed = 42;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const relays = ['wss://a', 'wss://b'];
  const pending = new Map<string, { items: RelayNeeds }[]>(relays.map((r) => [r, []]));
  const confirmed = new Map<string, RelayNeeds>(relays.map((r) => [r, emptyNeeds()]));
  for (let round = 0; round < 500; round++) {
    const targets = new Map<string, RelayNeeds>();
    for (const r of relays) {
      const t = emptyNeeds();
      for (let i = 0; i < 8; i++) {
        const pick = rnd(3);
        if (pick === 0) continue;
        t.repos.add(R(i));
        if (pick === 1) t.stateOnly.add(R(i));
        else t.rootEvents.add(`e${i}`);
      }
      targets.set(r, t);
    }
    for (const [url, n] of computeActions(targets, pending, confirmed).add) pending.get(url)!.push({ items: n });
    for (const r of relays) {
      const list = pending.get(r)!;
      if (list.length === 0) continue;
      const i = rnd(list.length);
      const [b] = list.splice(i, 1);
      if (rnd(2) === 0) confirmed.set(r, unionNeeds(confirmed.get(r)!, b!.items)); // completed; else dropped
    }
    for (const r of relays) {
      const seen = new Set<string>();
      for (const b of pending.get(r)!) {
        for (const repo of b.items.repos) {
          const k = `${repo}/${b.items.stateOnly.has(repo) ? 's' : 'f'}`;
          assert.ok(!seen.has(k), `${k} pending twice on ${r}`);
          seen.add(k);
        }
        for (const id of b.items.rootEvents) {
          assert.ok(!seen.has(id), `${id} pending twice on ${r}`);
          seen.add(id);
        }
      }
    }
  }
});
