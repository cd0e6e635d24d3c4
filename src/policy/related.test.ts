import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { repoCoordinate } from '../nostr/nip34.js';
import type { EventCtx } from '../relay/admission.js';
import { HELD_WITH_REPOSITORY, admitRelated, referencesOf } from './related.js';
import { announcementEv, ev, fakeWorld, hex32 } from './test-world.js';

const ctx: EventCtx = { source: 'client' };
const alice = hex32();

async function decide(event: Parameters<typeof admitRelated>[0], world = fakeWorld()) {
  return admitRelated(event, ctx, world);
}

describe('referencesOf', () => {
  it('reads ids from e/E/q and coordinates from a/A/q', () => {
    const id1 = hex32();
    const id2 = hex32();
    const coord = repoCoordinate(alice, 'r');
    const refs = referencesOf(ev({ kind: 1, tags: [['e', id1], ['E', id1], ['q', id2], ['q', coord], ['A', coord], ['a', 'junk'], ['e', 'short']] }));
    assert.deepEqual(refs.ids, [id1, id2]);
    assert.deepEqual(refs.coordinates, [{ kind: 30617, pubkey: alice, d: 'r' }]);
  });
});

describe('admitRelated', () => {
  const repo = announcementEv(alice, 'r');
  const coord = repoCoordinate(alice, 'r');

  for (const [name, tag] of [['a', ['a', coord]], ['A', ['A', coord, '', 'root']], ['q', ['q', coord]]] as const) {
    it(`stores an event tagging a served announcement with ${name}`, async () => {
      assert.deepEqual(await decide(ev({ kind: 1621, tags: [[...tag]] }), fakeWorld({ served: [repo] })), { type: 'store' });
    });
  }

  it('holds an issue for a repo whose announcement is in purgatory (it leaves with the repo)', async () => {
    assert.deepEqual(await decide(ev({ kind: 1621, tags: [['a', coord]] }), fakeWorld({ held: [repo] })), { type: 'purgatory', reason: HELD_WITH_REPOSITORY });
  });

  it('holds a comment on an issue held with its repository', async () => {
    const issue = ev({ kind: 1621, tags: [['a', coord]] });
    assert.deepEqual(await decide(ev({ kind: 1111, tags: [['E', issue.id]] }), fakeWorld({ held: [repo, issue] })), { type: 'purgatory', reason: HELD_WITH_REPOSITORY });
  });

  for (const name of ['e', 'E', 'q']) {
    it(`stores an event tagging a served event with ${name}`, async () => {
      const issue = ev({ kind: 1621, tags: [['a', coord]] });
      assert.deepEqual(await decide(ev({ kind: 1111, tags: [[name, issue.id]] }), fakeWorld({ served: [repo, issue] })), { type: 'store' });
    });
  }

  it('stores a status on a PR that is in purgatory', async () => {
    const pr = ev({ kind: 1618, tags: [['a', coord]] });
    assert.deepEqual(await decide(ev({ kind: 1630, tags: [['e', pr.id, '', 'root']] }), fakeWorld({ served: [repo], held: [pr] })), { type: 'store' });
  });

  it('stores an issue for an unknown repo that quotes an accepted issue', async () => {
    const issue = ev({ kind: 1621, tags: [['a', coord]] });
    const other = ev({ kind: 1621, tags: [['a', repoCoordinate(hex32(), 'x')], ['q', issue.id]] });
    assert.deepEqual(await decide(other, fakeWorld({ served: [repo, issue] })), { type: 'store' });
  });

  for (const name of ['e', 'E', 'q']) {
    it(`stores an event that a served event tags with ${name} (forward reference)`, async () => {
      const note = ev({ kind: 1 });
      const quoting = ev({ kind: 1621, tags: [['a', coord], [name, note.id]] });
      assert.deepEqual(await decide(note, fakeWorld({ served: [repo, quoting] })), { type: 'store' });
    });
  }

  it('stores an addressable event that a served event tags by coordinate', async () => {
    const article = ev({ kind: 30023, pubkey: alice, tags: [['d', 'post']] });
    const quoting = ev({ kind: 1621, tags: [['a', coord], ['q', `30023:${alice}:post`]] });
    assert.deepEqual(await decide(article, fakeWorld({ served: [repo, quoting] })), { type: 'store' });
  });

  it('blocks an untagged event as a missing dependency', async () => {
    const d = await decide(ev({ kind: 1 }), fakeWorld({ served: [repo] }));
    assert.equal(d?.type, 'reject');
    assert.equal(d?.type === 'reject' && d.missingDependency, true);
    assert.match(d?.type === 'reject' ? d.reason : '', /^blocked: /);
  });

  it('blocks an issue for an unknown repo and a comment rooted on it', async () => {
    const unknown = repoCoordinate(hex32(), 'r');
    assert.equal((await decide(ev({ kind: 1621, tags: [['a', unknown]] }), fakeWorld({ served: [repo] })))?.type, 'reject');
    assert.equal((await decide(ev({ kind: 1111, tags: [['A', unknown, '', 'root'], ['K', '30617']] }), fakeWorld({ served: [repo] })))?.type, 'reject');
  });

  it('does not treat a forward reference from a purgatory event as acceptance', async () => {
    const note = ev({ kind: 1 });
    const pr = ev({ kind: 1618, tags: [['a', coord], ['q', note.id]] });
    assert.equal((await decide(note, fakeWorld({ served: [repo], held: [pr] })))?.type, 'reject');
  });
});
