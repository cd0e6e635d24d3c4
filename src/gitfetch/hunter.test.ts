import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools';
import type { NostrEvent } from '../nostr/types.js';
import type { PurgatoryEntry } from '../purgatory/types.js';
import { candidateUrls, planHunt, planRecheck, wantedBy } from './hunter.js';

const sk = generateSecretKey();
const pk = getPublicKey(sk);
const oid = (n: number): string => n.toString(16).padStart(40, '0');
const sign = (kind: number, tags: string[][]): NostrEvent => finalizeEvent({ kind, created_at: 1_700_000_000, tags, content: '' }, sk);

const announcement = sign(30617, [['d', 'repo'], ['clone', 'https://a.example/repo.git', 'https://ours.example/npub/repo.git'], ['clone', 'https://b.example/repo.git']]);
const state = sign(30618, [['d', 'repo'], ['refs/heads/main', oid(1)], ['refs/tags/v1', oid(2)], ['refs/heads/dup', oid(1)], ['HEAD', 'ref: refs/heads/main']]);
const pr = sign(1618, [['a', `30617:${pk}:repo`], ['c', oid(3)], ['clone', 'https://fork.example/repo.git']]);
const opts = { delayMs: 500, userDelayMs: 180_000, purgatoryExpiryMs: 1_800_000, isOwnUrl: (u: string) => u.includes('ours.example') };
const entry = (event: NostrEvent, source: PurgatoryEntry['source'], addedAt = 1000): PurgatoryEntry => ({ event, addedAt, reason: 'x', source });
const target = { ownerPubkey: pk, d: 'repo' };

test('a state wants each distinct ref oid', () => {
  assert.deepEqual(wantedBy(state)?.wantOids, [oid(1), oid(2)]);
  assert.equal(wantedBy(state)?.refTarget, undefined);
});

test('a PR wants its c commit at refs/nostr/<id> and offers its own clone URLs', () => {
  const w = wantedBy(pr);
  assert.deepEqual(w?.wantOids, [oid(3)]);
  assert.equal(w?.refTarget, `refs/nostr/${pr.id}`);
  assert.deepEqual(w?.ownUrls, ['https://fork.example/repo.git']);
  assert.equal(wantedBy(sign(1618, [['c', 'not-an-oid']])), undefined);
});

test('announcements and other kinds plan nothing', () => {
  assert.equal(wantedBy(announcement), undefined);
  assert.deepEqual(planHunt([{ entry: entry(announcement, 'sync'), target, announcements: [announcement] }], opts), []);
});

test('synced events are hunted after the short delay, client events after the user delay', () => {
  const [synced] = planHunt([{ entry: entry(state, 'sync'), target, announcements: [announcement] }], opts);
  assert.equal(synced.dueAt, 1500);
  assert.equal(synced.expiresAt, 1_801_000);
  const [client] = planHunt([{ entry: entry(state, 'client'), target, announcements: [announcement] }], opts);
  assert.equal(client.dueAt, 181_000);
});

test('PR URLs come first, then the announcements, without duplicates or our own URL', () => {
  const [j] = planHunt([{ entry: entry(pr, 'sync'), target, announcements: [announcement, announcement] }], opts);
  assert.deepEqual(j.urls, ['https://fork.example/repo.git', 'https://a.example/repo.git', 'https://b.example/repo.git']);
  assert.deepEqual(j.eventIds, [pr.id]);
  assert.equal(j.refTarget, `refs/nostr/${pr.id}`);
});

test('nothing is planned when no candidate URL is left', () => {
  const onlyOurs = sign(30617, [['d', 'repo'], ['clone', 'https://ours.example/npub/repo.git']]);
  assert.deepEqual(planHunt([{ entry: entry(state, 'sync'), target, announcements: [onlyOurs] }], opts), []);
  assert.deepEqual(candidateUrls([], [onlyOurs], opts.isOwnUrl), []);
});

test('the re-check plans a job due now for repos missing part of their latest state', () => {
  const jobs = planRecheck([
    { repo: target, state, announcements: [announcement], missingOids: [oid(2)] },
    { repo: { ownerPubkey: pk, d: 'complete' }, state, announcements: [announcement], missingOids: [] },
  ], 5000, 3_600_000, opts.isOwnUrl);
  assert.equal(jobs.length, 1);
  assert.deepEqual(jobs[0].wantOids, [oid(2)]);
  assert.equal(jobs[0].dueAt, 5000);
  assert.equal(jobs[0].expiresAt, 3_605_000);
});
