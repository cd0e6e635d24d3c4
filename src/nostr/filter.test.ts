import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NostrEvent } from './types.js';
import { compareNewestFirst, compareOldestFirst, expirationOf, filterLimit, isExpired, matchFilter, matchFilters } from './filter.js';

const ID = 'a'.repeat(64);
const PK = 'b'.repeat(64);
const event: NostrEvent = {
  id: ID, pubkey: PK, created_at: 100, kind: 1617, content: '', sig: '0'.repeat(128),
  tags: [['a', `30617:${PK}:repo`], ['p', 'c'.repeat(64), 'wss://relay'], ['e', 'd'.repeat(64)], ['t', 'x'], ['client']],
};

test('an empty filter matches every event', () => {
  assert.equal(matchFilter({}, event), true);
});

test('ids match only full ids, never prefixes', () => {
  assert.equal(matchFilter({ ids: [ID] }, event), true);
  assert.equal(matchFilter({ ids: [ID.slice(0, 8)] }, event), false);
});

test('authors and kinds must contain the event’s value', () => {
  assert.equal(matchFilter({ authors: [PK], kinds: [1, 1617] }, event), true);
  assert.equal(matchFilter({ authors: ['c'.repeat(64)] }, event), false);
  assert.equal(matchFilter({ kinds: [1] }, event), false);
});

test('since and until are inclusive', () => {
  assert.equal(matchFilter({ since: 100, until: 100 }, event), true);
  assert.equal(matchFilter({ since: 101 }, event), false);
  assert.equal(matchFilter({ until: 99 }, event), false);
});

test('tag filters match the first value of a tag with that name', () => {
  assert.equal(matchFilter({ '#a': [`30617:${PK}:repo`] }, event), true);
  assert.equal(matchFilter({ '#p': ['c'.repeat(64)] }, event), true);
  assert.equal(matchFilter({ '#p': ['wss://relay'] }, event), false);
  assert.equal(matchFilter({ '#e': ['d'.repeat(64)], '#t': ['y'] }, event), false);
  assert.equal(matchFilter({ '#E': ['d'.repeat(64)] }, event), false);
  assert.equal(matchFilter({ '#client': ['x'] }, event), false);
});

test('an empty list matches nothing', () => {
  for (const f of [{ ids: [] }, { authors: [] }, { kinds: [] }, { '#e': [] }]) assert.equal(matchFilter(f, event), false);
});

test('several filters match when any one does', () => {
  assert.equal(matchFilters([{ kinds: [1] }, { '#t': ['x'] }], event), true);
  assert.equal(matchFilters([{ kinds: [1] }, { '#t': ['y'] }], event), false);
  assert.equal(matchFilters([], event), false);
});

test('an expired event matches nothing once a clock is given', () => {
  const expiring = { ...event, tags: [...event.tags, ['expiration', '150']] };
  assert.equal(expirationOf(expiring), 150);
  assert.equal(expirationOf(event), undefined);
  assert.equal(isExpired(expiring, 149), false);
  assert.equal(isExpired(expiring, 150), true);
  assert.equal(matchFilter({}, expiring), true);
  assert.equal(matchFilter({}, expiring, 149), true);
  assert.equal(matchFilter({}, expiring, 150), false);
  assert.equal(expirationOf({ ...event, tags: [['expiration', 'soon']] }), undefined);
});

test('filterLimit takes the filter’s limit clamped to maxLimit, defaulting to maxLimit', () => {
  assert.equal(filterLimit({}, 500), 500);
  assert.equal(filterLimit({ limit: 10 }, 500), 10);
  assert.equal(filterLimit({ limit: 10_000 }, 500), 500);
  assert.equal(filterLimit({ limit: 0 }, 500), 0);
  assert.equal(filterLimit({ limit: -3 }, 500), 0);
  assert.equal(filterLimit({ limit: 2.7 }, Infinity), 2);
});

test('orders newest first then lowest id, and negentropy oldest first then lowest id', () => {
  const xs = [{ created_at: 1, id: 'b' }, { created_at: 2, id: 'c' }, { created_at: 1, id: 'a' }];
  assert.deepEqual([...xs].sort(compareNewestFirst).map((x) => x.id), ['c', 'a', 'b']);
  assert.deepEqual([...xs].sort(compareOldestFirst).map((x) => x.id), ['a', 'b', 'c']);
});
