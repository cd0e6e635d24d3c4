import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { repoCoordinate } from '../nostr/nip34.js';
import type { EventCtx } from '../relay/admission.js';
import { admitDeletion, purgatoryIdsDeletedBy } from './deletion.js';
import { announcementEv, ev, fakeWorld, hex32 } from './test-world.js';

const ctx: EventCtx = { source: 'client' };
const [alice, bob] = [hex32(), hex32()];
const repo = announcementEv(alice, 'r');

function deletionEv(pubkey: string, tags: string[][], created_at?: number) {
  return ev({ kind: 5, pubkey, tags, ...(created_at === undefined ? {} : { created_at }) });
}

describe('admitDeletion', () => {
  it('has no opinion on other kinds', async () => {
    assert.equal(await admitDeletion(ev({ kind: 1 }), ctx, fakeWorld()), undefined);
  });

  it("stores a deletion of the author's served event by id", async () => {
    const issue = ev({ kind: 1621, pubkey: bob, tags: [['a', repoCoordinate(alice, 'r')]] });
    const world = fakeWorld({ served: [repo, issue] });
    assert.deepEqual(await admitDeletion(deletionEv(bob, [['e', issue.id], ['k', '1621']]), ctx, world), { type: 'store' });
  });

  it("stores a deletion of the author's served announcement by coordinate", async () => {
    const world = fakeWorld({ served: [repo] });
    assert.deepEqual(await admitDeletion(deletionEv(alice, [['a', repoCoordinate(alice, 'r')]]), ctx, world), { type: 'store' });
  });

  it("stores a deletion of the author's purgatory state by id or by coordinate", async () => {
    const state = ev({ kind: 30618, pubkey: alice, tags: [['d', 'r']] });
    const world = fakeWorld({ served: [repo], held: [state] });
    assert.deepEqual(await admitDeletion(deletionEv(alice, [['e', state.id]]), ctx, world), { type: 'store' });
    assert.deepEqual(await admitDeletion(deletionEv(alice, [['a', `30618:${alice}:r`]]), ctx, world), { type: 'store' });
  });

  it("blocks a deletion of someone else's event, not as a missing dependency", async () => {
    const world = fakeWorld({ served: [repo] });
    const d = await admitDeletion(deletionEv(bob, [['e', repo.id], ['a', repoCoordinate(alice, 'r')]]), ctx, world);
    assert.equal(d?.type, 'reject');
    assert.match(d?.type === 'reject' ? d.reason : '', /^blocked: /);
    assert.equal(d?.type === 'reject' && d.missingDependency, undefined);
  });

  it('blocks a deletion of an unknown event as a missing dependency', async () => {
    const d = await admitDeletion(deletionEv(alice, [['e', hex32()]]), ctx, fakeWorld({ served: [repo] }));
    assert.equal(d?.type === 'reject' && d.missingDependency, true);
  });
});

describe('purgatoryIdsDeletedBy', () => {
  it("names the author's held events targeted by id or by coordinate up to the deletion's created_at", () => {
    const older = ev({ kind: 30618, pubkey: alice, tags: [['d', 'r']], created_at: 100 });
    const newer = ev({ kind: 30618, pubkey: alice, tags: [['d', 'r']], created_at: 300 });
    const other = ev({ kind: 30618, pubkey: bob, tags: [['d', 'r']], created_at: 100 });
    const pr = ev({ kind: 1618, pubkey: alice, created_at: 100 });
    const held = [older, newer, other, pr];
    const del = deletionEv(alice, [['a', `30618:${alice}:r`], ['a', `30618:${bob}:r`], ['e', pr.id], ['e', other.id]], 200);
    assert.deepEqual(purgatoryIdsDeletedBy(del, held), [older.id, pr.id]);
  });

  it('names nothing for a non-deletion', () => {
    const held = [ev({ kind: 1, pubkey: alice })];
    assert.deepEqual(purgatoryIdsDeletedBy(ev({ kind: 1, pubkey: alice, tags: [['e', held[0].id]] }), held), []);
  });
});
