import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asHistoric, asLive, effectiveLimits, historicLimit, identifierOf, itemFilters, layer1Filter, packFilters, repoFilters, rootEventFilters } from './filters.js';
import type { RepoKey } from './types.js';
import { PK_A, PK_B, repoKey, hexId } from './test-helpers.js';

test('layer 1 asks for announcements only', () => {
  assert.deepEqual(layer1Filter(), { kinds: [30617] });
});

test('layer 2 has a state filter by identifier and a/A/q by coordinate', () => {
  const r = repoKey(PK_A, 'x');
  assert.deepEqual(repoFilters([r], new Set()), [{ kinds: [30618], '#d': ['x'] }, { '#a': [r] }, { '#A': [r] }, { '#q': [r] }]);
});

test('stateOnly repos get only the state filter', () => {
  const r = repoKey(PK_A, 'x');
  assert.deepEqual(repoFilters([r], new Set([r])), [{ kinds: [30618], '#d': ['x'] }]);
});

test('identifiers are deduplicated across owners and may contain colons', () => {
  const f = repoFilters([repoKey(PK_A, 'a:b'), repoKey(PK_B, 'a:b')], new Set());
  assert.deepEqual(f[0], { kinds: [30618], '#d': ['a:b'] });
  assert.equal(identifierOf(repoKey(PK_A, 'a:b')), 'a:b');
});

test('layer 3 has e/E/q filters', () => {
  assert.deepEqual(rootEventFilters(['id1']), [{ '#e': ['id1'] }, { '#E': ['id1'] }, { '#q': ['id1'] }]);
});

test('values are chunked at 100 per filter', () => {
  const repos: RepoKey[] = Array.from({ length: 250 }, (_, i) => repoKey(PK_A, `r${i}`));
  const ids = Array.from({ length: 101 }, (_, i) => hexId(i));
  const f = itemFilters({ repos: new Set(repos), stateOnly: new Set(), rootEvents: new Set(ids) });
  assert.equal(f.length, 3 + 9 + 6);
  for (const x of f) for (const [k, v] of Object.entries(x)) if (k.startsWith('#')) assert.ok((v as string[]).length <= 100);
});

test('live filters get limit 0, historic ones an explicit limit and optional since', () => {
  assert.deepEqual(asLive([{ '#e': ['x'] }]), [{ '#e': ['x'], limit: 0 }]);
  assert.deepEqual(asHistoric([{ '#e': ['x'] }], { limit: 500 }), [{ '#e': ['x'], limit: 500 }]);
  assert.deepEqual(asHistoric([{ '#e': ['x'] }], { limit: 100, since: 7 }), [{ '#e': ['x'], since: 7, limit: 100 }]);
  assert.equal(historicLimit({ maxLimit: 200 }, 500), 200);
  assert.equal(historicLimit({}, 500), 500);
});

test('filters are packed into REQs honouring max_filters, defaults when unknown', () => {
  const fs = Array.from({ length: 25 }, (_, i) => ({ '#e': [String(i)] }));
  assert.deepEqual(packFilters(fs, { maxFilters: 10 }).map((r) => r.length), [10, 10, 5]);
  assert.deepEqual(packFilters(fs, {}).map((r) => r.length), [10, 10, 5]);
  assert.deepEqual(effectiveLimits({}), { maxSubscriptions: 20, maxFilters: 10 });
  assert.deepEqual(effectiveLimits({ maxSubscriptions: 3, maxFilters: 0 }), { maxSubscriptions: 3, maxFilters: 10 });
});
