// Contract part 1: what `save` reports and keeps — duplicates, NIP-01 replaceable/addressable versions and
// ties, NIP-09 deletions (e and a forms, tombstones, same author only), NIP-40 expiration, racing saves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventStore } from './types.js';
import { buildEvent, idStartingWith, PK_A, PK_B } from './test-events.js';
import type { ContractContext } from './store.contract.js';

async function ids(store: EventStore, filter = {}): Promise<string[]> {
  return (await store.query([filter])).map((e) => e.id);
}

export function saveContract(ctx: ContractContext): void {
  const withStore = (name: string, fn: (s: EventStore) => Promise<void>): void => {
    test(name, async () => {
      const s = await ctx.fresh();
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    });
  };

  withStore('saves a new event and reports a second copy as duplicate', async (s) => {
    const e = buildEvent();
    assert.equal(await s.has(e.id), false);
    assert.equal(await s.save(e), 'saved');
    assert.equal(await s.save({ ...e }), 'duplicate');
    assert.equal(await s.has(e.id), true);
    assert.deepEqual(await s.query([{ ids: [e.id] }]), [e]);
  });

  withStore('keeps only the newest replaceable event per pubkey and kind', async (s) => {
    const v1 = buildEvent({ kind: 0, created_at: 10 });
    const v2 = buildEvent({ kind: 0, created_at: 20 });
    const other = buildEvent({ kind: 0, created_at: 5, pubkey: PK_B });
    assert.equal(await s.save(v1), 'saved');
    assert.equal(await s.save(v2), 'replaced');
    assert.equal(await s.save(buildEvent({ kind: 0, created_at: 15 })), 'superseded');
    assert.equal(await s.save(other), 'saved');
    assert.equal(await s.save(buildEvent({ kind: 10002, created_at: 1 })), 'saved');
    assert.deepEqual(await ids(s, { kinds: [0] }), [v2.id, other.id]);
    assert.equal(await s.has(v1.id), false);
  });

  withStore('breaks a replaceable tie by keeping the lowest id', async (s) => {
    const mid = buildEvent({ kind: 3, created_at: 10, id: idStartingWith('8') });
    const low = buildEvent({ kind: 3, created_at: 10, id: idStartingWith('1') });
    const high = buildEvent({ kind: 3, created_at: 10, id: idStartingWith('f') });
    assert.equal(await s.save(mid), 'saved');
    assert.equal(await s.save(low), 'replaced');
    assert.equal(await s.save(high), 'superseded');
    assert.deepEqual(await ids(s, { kinds: [3] }), [low.id]);
  });

  withStore('keys addressable events by d tag, a missing d being the empty d', async (s) => {
    const a1 = buildEvent({ kind: 30617, created_at: 10, tags: [['d', 'repo']] });
    const b1 = buildEvent({ kind: 30617, created_at: 10, tags: [['d', 'other']] });
    const noD = buildEvent({ kind: 30617, created_at: 10 });
    const emptyD = buildEvent({ kind: 30617, created_at: 11, tags: [['d', '']] });
    const a2 = buildEvent({ kind: 30617, created_at: 12, tags: [['d', 'repo']], id: idStartingWith('8') });
    assert.equal(await s.save(a1), 'saved');
    assert.equal(await s.save(b1), 'saved');
    assert.equal(await s.save(noD), 'saved');
    assert.equal(await s.save(emptyD), 'replaced');
    assert.equal(await s.save(a2), 'replaced');
    const tieLoser = buildEvent({ kind: 30617, created_at: 12, tags: [['d', 'repo']], id: idStartingWith('f') });
    assert.equal(await s.save(tieLoser), 'superseded');
    assert.deepEqual(await ids(s, { kinds: [30617], authors: [PK_A], '#d': ['repo'] }), [a2.id]);
    assert.equal(await s.count([{ kinds: [30617] }]), 3);
  });

  withStore('stores two racing versions of one address as exactly the newest', async (s) => {
    const old = buildEvent({ kind: 30618, created_at: 10, tags: [['d', 'r']] });
    const young = buildEvent({ kind: 30618, created_at: 11, tags: [['d', 'r']] });
    const outcomes = await Promise.all([s.save(old), s.save(young), s.save(old)]);
    assert.deepEqual(outcomes, ['saved', 'replaced', 'superseded']);
    assert.deepEqual(await ids(s, { kinds: [30618] }), [young.id]);
  });

  withStore('accepts ephemeral kinds without failing', async (s) => {
    assert.ok(['saved', 'duplicate'].includes(await s.save(buildEvent({ kind: 20001 }))));
  });

  withStore('deletes e-tagged events of the same author and refuses them later', async (s) => {
    const mine = buildEvent({ created_at: 10 });
    const theirs = buildEvent({ created_at: 10, pubkey: PK_B });
    const later = buildEvent({ created_at: 11 });
    await s.save(mine);
    await s.save(theirs);
    const del = buildEvent({ kind: 5, created_at: 20, tags: [['e', mine.id], ['e', theirs.id], ['e', later.id]] });
    assert.equal(await s.save(del), 'saved');
    assert.deepEqual(await ids(s), [del.id, theirs.id]);
    assert.equal(await s.isDeleted(mine), true);
    assert.equal(await s.isDeleted(theirs), false);
    assert.equal(await s.save(mine), 'deleted');
    assert.equal(await s.save(later), 'deleted');
    assert.equal(await s.save({ ...later, pubkey: PK_B }), 'saved', 'a tombstone only covers its author');
  });

  withStore('deletes addressable versions up to the a-tag deletion time, not newer ones', async (s) => {
    const coord = `30617:${PK_A}:repo`;
    const v1 = buildEvent({ kind: 30617, created_at: 100, tags: [['d', 'repo']] });
    await s.save(v1);
    const del = buildEvent({ kind: 5, created_at: 150, tags: [['a', coord]] });
    assert.equal(await s.save(del), 'saved');
    assert.equal(await s.has(v1.id), false);
    const v0 = buildEvent({ kind: 30617, created_at: 150, tags: [['d', 'repo']] });
    assert.equal(await s.isDeleted(v0), true);
    assert.equal(await s.save(v0), 'deleted');
    const v2 = buildEvent({ kind: 30617, created_at: 151, tags: [['d', 'repo']] });
    assert.equal(await s.isDeleted(v2), false);
    assert.equal(await s.save(v2), 'saved');
    assert.deepEqual(await ids(s, { kinds: [30617] }), [v2.id]);
  });

  withStore('ignores a-tag deletions of another author’s address', async (s) => {
    const theirs = buildEvent({ kind: 30617, pubkey: PK_B, created_at: 100, tags: [['d', 'repo']] });
    await s.save(theirs);
    await s.save(buildEvent({ kind: 5, created_at: 150, tags: [['a', `30617:${PK_B}:repo`]] }));
    assert.equal(await s.has(theirs.id), true);
    assert.equal(await s.isDeleted({ ...theirs, created_at: 120 }), false);
  });

  withStore('deletes replaceable events by a-tag with an empty d', async (s) => {
    const list = buildEvent({ kind: 10002, created_at: 100 });
    await s.save(list);
    await s.save(buildEvent({ kind: 5, created_at: 100, tags: [['a', `10002:${PK_A}:`]] }));
    assert.equal(await s.has(list.id), false);
    assert.equal(await s.save(buildEvent({ kind: 10002, created_at: 99 })), 'deleted');
  });

  withStore('never deletes a deletion event', async (s) => {
    const first = buildEvent({ kind: 5, created_at: 10, tags: [['e', idStartingWith('0')]] });
    await s.save(first);
    const second = buildEvent({ kind: 5, created_at: 11, tags: [['e', first.id]] });
    await s.save(second);
    assert.equal(await s.has(first.id), true);
    assert.equal(await s.isDeleted(first), false);
  });

  withStore('refuses an event already expired on arrival', async (s) => {
    const e = buildEvent({ tags: [['expiration', String(ctx.clock.now - 1)]] });
    assert.equal(await s.save(e), 'deleted');
    assert.equal(await s.has(e.id), false);
  });

  withStore('stops returning an event once it expires', async (s) => {
    const e = buildEvent({ tags: [['expiration', String(ctx.clock.now + 60)], ['t', 'x']] });
    const plain = buildEvent({ created_at: 1, tags: [['t', 'x']] });
    assert.equal(await s.save(e), 'saved');
    await s.save(plain);
    assert.deepEqual(await ids(s, { '#t': ['x'] }), [e.id, plain.id]);
    ctx.clock.now += 60;
    assert.deepEqual(await ids(s, { '#t': ['x'] }), [plain.id]);
    assert.deepEqual(await ids(s, { ids: [e.id] }), []);
    assert.equal(await s.count([{ kinds: [1] }]), 1);
    assert.deepEqual((await s.idsForNegentropy([{}])).map((x) => x.id), [plain.id]);
  });

  withStore('hard-deletes by id without leaving a tombstone', async (s) => {
    const a = buildEvent();
    const b = buildEvent();
    await s.save(a);
    await s.save(b);
    assert.equal(await s.delete([a.id, a.id, idStartingWith('0')]), 1);
    assert.equal(await s.has(a.id), false);
    assert.equal(await s.isDeleted(a), false);
    assert.equal(await s.save(a), 'saved');
    assert.equal(await s.count([{}]), 2);
  });
}
