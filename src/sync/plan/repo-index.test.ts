import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAnnouncement, applyLocalEvents, emptyRepoIndex, evictWaiting, removeRepo, repoKeysOfRootEvent } from './repo-index.js';
import { announcement, PK_A, PK_B, repoKey, rootEvent, hexId } from './test-helpers.js';

const OWN = ['wss://me.example', 'ws://127.0.0.1:8080'];
const NPUB = 'npub1' + 'q'.repeat(58);
const R1 = repoKey(PK_A, 'r1');
const R2 = repoKey(PK_B, 'r2');

test('an announcement sets relays from the relays tag and GRASP clone URLs, excluding our own', () => {
  const s = emptyRepoIndex();
  const e = announcement(PK_A, 'r1', {
    relays: ['wss://One.example/', 'wss://me.example', 'not-a-url'],
    clones: [`https://two.example/${NPUB}/r1.git`, 'https://github.com/x/r1.git', `https://me.example/${NPUB}/r1.git`],
  });
  const changed = applyLocalEvents(s, [e], OWN);
  assert.deepEqual([...changed], [R1]);
  assert.deepEqual([...s.repos.get(R1)!.relays].sort(), ['wss://one.example', 'wss://two.example']);
  assert.equal(s.repos.get(R1)!.level, 'full');
});

test('a newer announcement replaces the relay set, an older one is ignored', () => {
  const s = emptyRepoIndex();
  applyLocalEvents(s, [announcement(PK_A, 'r1', { relays: ['wss://a.example', 'wss://b.example'], at: 10 })], OWN);
  applyLocalEvents(s, [announcement(PK_A, 'r1', { relays: ['wss://b.example'], at: 20 })], OWN);
  assert.deepEqual([...s.repos.get(R1)!.relays], ['wss://b.example']);
  const changed = applyLocalEvents(s, [announcement(PK_A, 'r1', { relays: ['wss://c.example'], at: 5 })], OWN);
  assert.equal(changed.size, 0);
  assert.deepEqual([...s.repos.get(R1)!.relays], ['wss://b.example']);
});

test('a root event joins every repo its a tags name', () => {
  const s = emptyRepoIndex();
  applyLocalEvents(s, [announcement(PK_A, 'r1', { relays: ['wss://a.example'] }), announcement(PK_B, 'r2', { relays: ['wss://b.example'] })], OWN);
  const changed = applyLocalEvents(s, [rootEvent(7, 1621, [R1, R2])], OWN);
  assert.deepEqual([...changed].sort(), [R1, R2].sort());
  assert.ok(s.repos.get(R1)!.rootEvents.has(hexId(7)));
  assert.ok(s.repos.get(R2)!.rootEvents.has(hexId(7)));
});

test('a root event of an unknown repo waits and is applied when the repo arrives', () => {
  const s = emptyRepoIndex();
  applyLocalEvents(s, [rootEvent(9, 1617, [R1])], OWN);
  assert.equal(s.repos.size, 0);
  applyLocalEvents(s, [announcement(PK_A, 'r1', { relays: ['wss://a.example'] })], OWN);
  assert.ok(s.repos.get(R1)!.rootEvents.has(hexId(9)));
  assert.equal(s.waiting.size, 0);
});

test('announcement and root event in the same batch are applied in dependency order', () => {
  const s = emptyRepoIndex();
  applyLocalEvents(s, [rootEvent(3, 1618, [R1]), announcement(PK_A, 'r1', { relays: ['wss://a.example'] })], OWN);
  assert.ok(s.repos.get(R1)!.rootEvents.has(hexId(3)));
});

test('a stateOnly announcement never downgrades a full repo, and a full one upgrades it', () => {
  const s = emptyRepoIndex();
  applyAnnouncement(s, announcement(PK_A, 'r1', { relays: ['wss://a.example'], at: 10 }), OWN, 'stateOnly');
  assert.equal(s.repos.get(R1)!.level, 'stateOnly');
  const changed = applyLocalEvents(s, [announcement(PK_A, 'r1', { relays: ['wss://a.example'], at: 10 })], OWN);
  assert.deepEqual([...changed], [R1]);
  assert.equal(s.repos.get(R1)!.level, 'full');
  applyAnnouncement(s, announcement(PK_A, 'r1', { relays: ['wss://a.example'], at: 11 }), OWN, 'stateOnly');
  assert.equal(s.repos.get(R1)!.level, 'full');
});

test('removing a repo forgets its entry and waiting root events', () => {
  const s = emptyRepoIndex();
  applyLocalEvents(s, [announcement(PK_A, 'r1', { relays: ['wss://a.example'] }), rootEvent(1, 1621, [R2])], OWN);
  assert.equal(removeRepo(s, R1), true);
  assert.equal(removeRepo(s, R2), false);
  assert.equal(s.repos.size, 0);
  assert.equal(s.waiting.size, 0);
});

test('waiting root events are bounded, oldest repo dropped first', () => {
  const s = emptyRepoIndex();
  applyLocalEvents(s, [rootEvent(1, 1621, [R1]), rootEvent(2, 1621, [R2])], OWN);
  evictWaiting(s, 1);
  assert.deepEqual([...s.waiting.keys()], [R2]);
});

test('repoKeysOfRootEvent ignores malformed coordinates and duplicates', () => {
  const e = rootEvent(1, 1621, [R1, R1]);
  e.tags.push(['a', '30617:nothex:x'], ['a', '30618:' + PK_A + ':x'], ['a']);
  assert.deepEqual(repoKeysOfRootEvent(e), [R1]);
});

test('an announcement adds at most caps.perAnnouncement relays, and caps.perHost of one host name', async () => {
  const { announcementRelays } = await import('./repo-index.js');
  const relays = [...Array.from({ length: 5 }, (_, i) => `wss://evil.example:${7000 + i}`), ...Array.from({ length: 20 }, (_, i) => `wss://r${i}.example`)];
  const e = announcement(PK_A, 'r1', { relays: ['wss://me.example', ...relays] });
  const got = [...announcementRelays(e, OWN, { perAnnouncement: 6, perHost: 2 })];
  assert.deepEqual(got, ['wss://evil.example:7000', 'wss://evil.example:7001', 'wss://r0.example', 'wss://r1.example', 'wss://r2.example', 'wss://r3.example']);
  const s = emptyRepoIndex({ perAnnouncement: 3, perHost: 3 });
  applyLocalEvents(s, [e], OWN);
  assert.equal(s.repos.get(R1)!.relays.size, 3);
});
