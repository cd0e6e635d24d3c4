import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools';
import type { NostrEvent } from '../nostr/types.js';
import { ownUrlMatcher, schedulerLimits, stateOwners, targetAnnouncements, tickMs } from './hunt-targets.js';
import { DEFAULT_LIMITS } from '../gitfetch/scheduler.js';

function key(): { sk: Uint8Array; pk: string } {
  const sk = generateSecretKey();
  return { sk, pk: getPublicKey(sk) };
}

function ann(k: { sk: Uint8Array }, d: string, maintainers: string[] = [], createdAt = 1000): NostrEvent {
  const tags = [['d', d], ['clone', `https://x/${d}.git`], ...(maintainers.length ? [['maintainers', ...maintainers]] : [])];
  return finalizeEvent({ kind: 30617, created_at: createdAt, tags, content: '' }, k.sk);
}

test('own URLs match host and port case-insensitively, default ports only when the domain has none', () => {
  const own = ownUrlMatcher('Git.Example.com:8080');
  assert.equal(own('http://git.example.COM:8080/npub1x/r.git'), true);
  assert.equal(own('https://git.example.com:8080/npub1x/r.git'), true);
  assert.equal(own('https://git.example.com/npub1x/r.git'), false);
  assert.equal(own('https://other.example.com:8080/r.git'), false);
  const plain = ownUrlMatcher('git.example.com');
  assert.equal(plain('https://git.example.com/a.git'), true);
  assert.equal(plain('https://git.example.com:443/a.git'), true);
  assert.equal(plain('https://git.example.com:444/a.git'), false);
  assert.equal(ownUrlMatcher('h:443')('https://h/a.git'), true);
  assert.equal(plain('not a url'), false);
});

test('a state by a maintainer targets the owners whose maintainer set holds it, the author first', () => {
  const [owner, maint, stranger] = [key(), key(), key()];
  const anns = [ann(owner, 'r', [maint.pk]), ann(maint, 'r'), ann(stranger, 'r')];
  assert.deepEqual(stateOwners(maint.pk, 'r', anns), [maint.pk, owner.pk]);
  assert.deepEqual(stateOwners(owner.pk, 'r', anns), [owner.pk]);
  assert.deepEqual(stateOwners(stranger.pk, 'other', anns), []);
});

test('candidate announcements are the latest of each maintainer-set member, the owner first, strangers left out', () => {
  const [owner, maint, stranger] = [key(), key(), key()];
  const old = ann(owner, 'r', [], 500);
  const anns = [ann(maint, 'r'), old, ann(owner, 'r', [maint.pk]), ann(stranger, 'r')];
  const got = targetAnnouncements(owner.pk, 'r', anns);
  assert.deepEqual(got.map((e) => e.pubkey), [owner.pk, maint.pk]);
  assert.notEqual(got[0].id, old.id);
});

test('scheduler timings come from the --gitfetch-* options; defaults equal the module defaults', () => {
  const def = schedulerLimits({ gitfetchBackoffBaseMs: 20_000, gitfetchBackoffMaxMs: 120_000, gitfetchParkMs: 600_000 });
  assert.equal(def.backoffBaseMs, DEFAULT_LIMITS.backoffBaseMs);
  assert.equal(def.backoffMaxMs, DEFAULT_LIMITS.backoffMaxMs);
  assert.equal(def.parkMs, DEFAULT_LIMITS.parkMs);
  assert.equal(def.parkMaxMs, DEFAULT_LIMITS.parkMaxMs);
  assert.equal(schedulerLimits({ gitfetchBackoffBaseMs: 2_000, gitfetchBackoffMaxMs: 12_000, gitfetchParkMs: 60_000 }).backoffBaseMs, 2_000);
  assert.equal(tickMs(50), 100);
  assert.equal(tickMs(500), 500);
  assert.equal(tickMs(60_000), 1_000);
});
