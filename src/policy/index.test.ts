import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { repoCoordinate } from '../nostr/nip34.js';
import type { EventCtx } from '../relay/admission.js';
import { composeHooks, createGraspPolicy } from './index.js';
import { asAdmitHook, maxTags } from './limits.js';
import { announcementEv, ev, fakeWorld, hex32 } from './test-world.js';

const ctx: EventCtx = { source: 'client' };
const [alice, bob] = [hex32(), hex32()];
const MAIN = '1'.repeat(40);

describe('createGraspPolicy', () => {
  const policy = createGraspPolicy();

  it('walks a repo from new announcement to served state, issue, comment and deletion', async () => {
    const world = fakeWorld();
    const ann = announcementEv(alice, 'r', { maintainers: [bob] });
    assert.equal((await policy(ann, ctx, world)).type, 'purgatory');
    world.held.push(ann);

    const state = ev({ kind: 30618, pubkey: bob, tags: [['d', 'r'], ['refs/heads/main', MAIN], ['HEAD', 'ref: refs/heads/main']] });
    assert.deepEqual(await policy(state, ctx, world), { type: 'purgatory', reason: 'commits missing' });
    world.held.push(state);

    // The push arrives: the relay releases both.
    world.addCommits(alice, 'r', [MAIN]);
    world.served.push(...world.held.splice(0));
    assert.deepEqual(await policy(state, ctx, world), { type: 'store' });
    assert.deepEqual(await policy(announcementEv(alice, 'r', { maintainers: [bob] }), ctx, world), { type: 'store' });

    const issue = ev({ kind: 1621, pubkey: hex32(), tags: [['a', repoCoordinate(alice, 'r')]] });
    assert.deepEqual(await policy(issue, ctx, world), { type: 'store' });
    world.served.push(issue);
    const comment = ev({ kind: 1111, tags: [['E', issue.id, '', 'root'], ['K', '1621']] });
    assert.deepEqual(await policy(comment, ctx, world), { type: 'store' });
    assert.deepEqual(await policy(ev({ kind: 5, pubkey: issue.pubkey, tags: [['e', issue.id]] }), ctx, world), { type: 'store' });
  });

  it('rejects orphans and foreign announcements', async () => {
    const world = fakeWorld();
    assert.equal((await policy(ev({ kind: 1 }), ctx, world)).type, 'reject');
    assert.equal((await policy(announcementEv(alice, 'r', { listing: false }), ctx, world)).type, 'reject');
  });

  it('runs extra hooks first', async () => {
    const limited = createGraspPolicy({ extraHooks: [asAdmitHook(maxTags(0))] });
    const d = await limited(announcementEv(alice, 'r'), ctx, fakeWorld());
    assert.equal(d.type === 'reject' && d.reason.startsWith('blocked: too many tags'), true);
  });
});

describe('composeHooks', () => {
  it('returns the first decision and blocks when no hook decides', async () => {
    const policy = composeHooks([() => undefined, () => ({ type: 'store' }), () => ({ type: 'purgatory', reason: 'x' })]);
    assert.deepEqual(await policy(ev({ kind: 1 }), ctx, fakeWorld()), { type: 'store' });
    const none = await composeHooks([])(ev({ kind: 1 }), ctx, fakeWorld());
    assert.equal(none.type, 'reject');
  });
});
