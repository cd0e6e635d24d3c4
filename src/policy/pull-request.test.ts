import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { repoCoordinate } from '../nostr/nip34.js';
import type { EventCtx } from '../relay/admission.js';
import { admitPullRequest } from './pull-request.js';
import { announcementEv, ev, fakeWorld, hex32 } from './test-world.js';

const ctx: EventCtx = { source: 'client' };
const [alice, bob, contributor] = [hex32(), hex32(), hex32()];
const TIP = '5'.repeat(40);
const coord = repoCoordinate(alice, 'r');

function prEv(tags: string[][], kind = 1618) {
  return ev({ kind, pubkey: contributor, tags });
}

describe('admitPullRequest', () => {
  it('has no opinion on other kinds', async () => {
    assert.equal(await admitPullRequest(ev({ kind: 1621 }), ctx, fakeWorld()), undefined);
  });

  it('rejects a PR without a commit id in c as invalid', async () => {
    const world = fakeWorld({ served: [announcementEv(alice, 'r')] });
    for (const tags of [[['a', coord]], [['a', coord], ['c', 'main']]]) {
      const d = await admitPullRequest(prEv(tags), ctx, world);
      assert.equal(d?.type === 'reject' && d.reason.startsWith('invalid: '), true);
    }
  });

  it('blocks a PR for an unknown repo as a missing dependency', async () => {
    const d = await admitPullRequest(prEv([['a', coord], ['c', TIP]]), ctx, fakeWorld());
    assert.equal(d?.type === 'reject' && d.missingDependency, true);
  });

  it('stores a PR whose tip is in the repo it names', async () => {
    const world = fakeWorld({ served: [announcementEv(alice, 'r')] });
    world.addCommits(alice, 'r', [TIP]);
    assert.deepEqual(await admitPullRequest(prEv([['a', coord], ['c', TIP]]), ctx, world), { type: 'store' });
  });

  it('puts a PR whose tip is missing in purgatory', async () => {
    const world = fakeWorld({ served: [announcementEv(alice, 'r')] });
    assert.deepEqual(await admitPullRequest(prEv([['a', coord], ['c', TIP]]), ctx, world), { type: 'purgatory', reason: `commit ${TIP} missing` });
  });

  it("finds the tip in a maintainer's repo with the same d", async () => {
    const world = fakeWorld({ served: [announcementEv(alice, 'r', { maintainers: [bob] }), announcementEv(bob, 'r')] });
    world.addCommits(bob, 'r', [TIP]);
    assert.deepEqual(await admitPullRequest(prEv([['a', coord], ['c', TIP]]), ctx, world), { type: 'store' });
  });

  it('checks a PR update without a tags against the repos of the PR it updates', async () => {
    const pr = prEv([['a', coord], ['c', '6'.repeat(40)]]);
    const world = fakeWorld({ served: [announcementEv(alice, 'r'), pr] });
    world.addCommits(alice, 'r', [TIP]);
    const update = prEv([['E', pr.id], ['c', TIP]], 1619);
    assert.deepEqual(await admitPullRequest(update, ctx, world), { type: 'store' });
    world.commits.clear();
    assert.equal((await admitPullRequest(update, ctx, world))?.type, 'purgatory');
  });
});
