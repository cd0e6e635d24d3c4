import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventCtx } from '../relay/admission.js';
import { admitState } from './state.js';
import { announcementEv, ev, fakeWorld, hex32 } from './test-world.js';

const ctx: EventCtx = { source: 'sync' };
const [alice, bob, carol, mallory] = [hex32(), hex32(), hex32(), hex32()];
const MAIN = '1'.repeat(40);
const TAG = '2'.repeat(40);

function stateEv(pubkey: string, d: string, refs: Record<string, string> = { 'refs/heads/main': MAIN }) {
  return ev({ kind: 30618, pubkey, tags: [['d', d], ...Object.entries(refs), ['HEAD', 'ref: refs/heads/main']] });
}

describe('admitState', () => {
  it('has no opinion on other kinds', async () => {
    assert.equal(await admitState(ev({ kind: 30617 }), ctx, fakeWorld()), undefined);
  });

  it('rejects a state without d as invalid', async () => {
    const d = await admitState(ev({ kind: 30618 }), ctx, fakeWorld());
    assert.equal(d?.type === 'reject' && d.reason.startsWith('invalid: '), true);
  });

  it('blocks a state with no announcement for its d, as a missing dependency', async () => {
    const d = await admitState(stateEv(alice, 'r'), ctx, fakeWorld({ served: [announcementEv(alice, 'other')] }));
    assert.equal(d?.type, 'reject');
    assert.equal(d?.type === 'reject' && d.missingDependency, true);
    assert.match(d?.type === 'reject' ? d.reason : '', /^blocked: /);
  });

  it('blocks a state by someone outside every maintainer set, not as a missing dependency', async () => {
    const d = await admitState(stateEv(mallory, 'r'), ctx, fakeWorld({ served: [announcementEv(alice, 'r', { maintainers: [bob] })] }));
    assert.equal(d?.type, 'reject');
    assert.equal(d?.type === 'reject' && d.missingDependency, undefined);
  });

  it('stores an owner state whose commits are all in the repo', async () => {
    const world = fakeWorld({ served: [announcementEv(alice, 'r')] });
    world.addCommits(alice, 'r', [MAIN, TAG]);
    assert.deepEqual(await admitState(stateEv(alice, 'r', { 'refs/heads/main': MAIN, 'refs/tags/v1': TAG }), ctx, world), { type: 'store' });
  });

  it('puts a state in purgatory when one of its commits is missing', async () => {
    const world = fakeWorld({ served: [announcementEv(alice, 'r')] });
    world.addCommits(alice, 'r', [MAIN]);
    assert.deepEqual(await admitState(stateEv(alice, 'r', { 'refs/heads/main': MAIN, 'refs/tags/v1': TAG }), ctx, world), { type: 'purgatory', reason: 'commits missing' });
  });

  it('accepts a state for an announcement that is only in purgatory, into purgatory', async () => {
    const world = fakeWorld({ held: [announcementEv(alice, 'r')] });
    assert.equal((await admitState(stateEv(alice, 'r'), ctx, world))?.type, 'purgatory');
  });

  it("authorises a recursive maintainer through a maintainer's purgatory announcement", async () => {
    const world = fakeWorld({ served: [announcementEv(alice, 'r', { maintainers: [bob] })], held: [announcementEv(bob, 'r', { maintainers: [carol] })] });
    world.addCommits(alice, 'r', [MAIN]);
    assert.deepEqual(await admitState(stateEv(carol, 'r'), ctx, world), { type: 'store' });
  });

  it("looks for the commits in every authorising owner's repo", async () => {
    const world = fakeWorld({ served: [announcementEv(alice, 'r', { maintainers: [bob] }), announcementEv(bob, 'r')] });
    world.addCommits(bob, 'r', [MAIN]);
    assert.deepEqual(await admitState(stateEv(bob, 'r'), ctx, world), { type: 'store' });
  });

  it("does not use the commits of a repo whose owner does not authorise the author", async () => {
    const world = fakeWorld({ served: [announcementEv(alice, 'r', { maintainers: [bob] }), announcementEv(carol, 'r')] });
    world.addCommits(carol, 'r', [MAIN]);
    assert.equal((await admitState(stateEv(bob, 'r'), ctx, world))?.type, 'purgatory');
  });
});
