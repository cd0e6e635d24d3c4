// Contract part 2: NIP-01 filters (every field, several filters OR'ed), limit and maxLimit, result order,
// raw JSON, count, and the NIP-77 id list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventStore } from './types.js';
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import { buildEvent, hex64, idStartingWith, PK_A, PK_B } from './test-events.js';
import type { ContractContext } from './store.contract.js';

const REPO = `30617:${PK_A}:repo`;
const ROOT = hex64('root');

/** A small world: two authors, a few kinds, tags, equal timestamps. */
function world(): Record<string, NostrEvent> {
  return {
    ann: buildEvent({ kind: 30617, created_at: 100, tags: [['d', 'repo'], ['r', 'x']] }),
    annB: buildEvent({ kind: 30617, created_at: 100, pubkey: PK_B, tags: [['d', 'repo']] }),
    patch: buildEvent({ kind: 1617, created_at: 110, tags: [['a', REPO], ['t', 'root']], id: idStartingWith('5') }),
    issue: buildEvent({ kind: 1621, created_at: 110, pubkey: PK_B, tags: [['a', REPO], ['p', PK_A]], id: idStartingWith('3') }),
    reply: buildEvent({ kind: 1111, created_at: 120, pubkey: PK_B, tags: [['e', ROOT, '', 'root'], ['E', ROOT]] }),
    note: buildEvent({ kind: 1, created_at: 90, tags: [['e', ROOT], ['expiration-ish', 'no']] }),
    multi: buildEvent({ kind: 1, created_at: 130, tags: [['p', PK_B, 'wss://r'], ['p', PK_A]] }),
  };
}

async function ids(s: EventStore, filters: NostrFilter[], maxLimit?: number): Promise<string[]> {
  return (await s.query(filters, maxLimit === undefined ? {} : { maxLimit })).map((e) => e.id);
}

export function queryContract(ctx: ContractContext): void {
  const withWorld = (name: string, fn: (s: EventStore, w: Record<string, NostrEvent>) => Promise<void>): void => {
    test(name, async () => {
      const s = await ctx.fresh();
      const w = world();
      try {
        for (const e of Object.values(w)) assert.equal(await s.save(e), 'saved');
        await fn(s, w);
      } finally {
        await s.close();
      }
    });
  };

  withWorld('returns everything newest first, then by lowest id at equal times', async (s, w) => {
    const expected = Object.values(w).sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? -1 : 1));
    assert.deepEqual(await s.query([{}]), expected);
    assert.deepEqual(await ids(s, [{ kinds: [1617, 1621] }]), [w.issue!.id, w.patch!.id]);
  });

  withWorld('matches ids exactly, authors, kinds, since and until inclusively', async (s, w) => {
    assert.deepEqual(await ids(s, [{ ids: [w.note!.id, idStartingWith('0')] }]), [w.note!.id]);
    assert.deepEqual(await ids(s, [{ ids: [w.note!.id.slice(0, 10)] }]), []);
    assert.deepEqual(await ids(s, [{ authors: [PK_B] }]), [w.reply!.id, w.issue!.id, w.annB!.id]);
    assert.deepEqual(await ids(s, [{ kinds: [1] }]), [w.multi!.id, w.note!.id]);
    assert.deepEqual(await ids(s, [{ since: 110, until: 120 }]), [w.reply!.id, w.issue!.id, w.patch!.id]);
    assert.deepEqual(await ids(s, [{ authors: [PK_A], kinds: [1, 1617], since: 100 }]), [w.multi!.id, w.patch!.id]);
    assert.deepEqual(await ids(s, [{ ids: [w.note!.id], kinds: [2] }]), []);
  });

  withWorld('matches tag filters on the first value of single-letter tags', async (s, w) => {
    assert.deepEqual(await ids(s, [{ '#a': [REPO] }]), [w.issue!.id, w.patch!.id]);
    assert.deepEqual(await ids(s, [{ '#e': [ROOT] }]), [w.reply!.id, w.note!.id]);
    assert.deepEqual(await ids(s, [{ '#E': [ROOT] }]), [w.reply!.id]);
    assert.deepEqual(await ids(s, [{ '#p': [PK_A, PK_B] }]), [w.multi!.id, w.issue!.id]);
    assert.deepEqual(await ids(s, [{ '#p': ['wss://r'] }]), []);
    assert.deepEqual(await ids(s, [{ '#a': [REPO], '#p': [PK_A] }]), [w.issue!.id]);
    assert.deepEqual(await ids(s, [{ '#a': [REPO], kinds: [1617] }]), [w.patch!.id]);
    assert.deepEqual(await ids(s, [{ authors: [PK_A], kinds: [30617], '#d': ['repo'] }]), [w.ann!.id]);
    assert.deepEqual(await ids(s, [{ kinds: [30617], '#d': ['repo'] }]), [w.ann!.id, w.annB!.id].sort());
    assert.deepEqual(await ids(s, [{ '#r': ['x'], authors: [PK_A] }]), [w.ann!.id]);
  });

  withWorld('matches nothing for empty lists, a zero limit or since after until', async (s) => {
    for (const f of [{ ids: [] }, { authors: [] }, { kinds: [] }, { '#e': [] }, { limit: 0 }, { since: 5, until: 4 }]) {
      assert.deepEqual(await ids(s, [f]), [], JSON.stringify(f));
    }
    assert.deepEqual(await ids(s, []), []);
  });

  withWorld('ORs several filters and returns each event once', async (s, w) => {
    const got = await ids(s, [{ kinds: [1] }, { authors: [PK_A], kinds: [1] }, { '#a': [REPO] }]);
    assert.deepEqual(got, [w.multi!.id, w.issue!.id, w.patch!.id, w.note!.id]);
  });

  withWorld('applies each filter’s limit to its newest matches, clamped by maxLimit', async (s, w) => {
    assert.deepEqual(await ids(s, [{ limit: 2 }]), [w.multi!.id, w.reply!.id]);
    assert.deepEqual(await ids(s, [{ kinds: [1], limit: 1 }, { kinds: [30617], limit: 1 }]), [w.multi!.id, [w.ann!.id, w.annB!.id].sort()[0]]);
    assert.deepEqual(await ids(s, [{}], 3), [w.multi!.id, w.reply!.id, w.issue!.id]);
    assert.deepEqual(await ids(s, [{ limit: 100 }], 1), [w.multi!.id]);
    assert.deepEqual(await ids(s, [{ '#a': [REPO], limit: 1 }]), [w.issue!.id]);
    assert.equal((await ids(s, [{ limit: 100 }])).length, 7);
  });

  withWorld('returns raw JSON equal to the stored events', async (s, w) => {
    const raw = await s.queryRaw([{ kinds: [1] }]);
    assert.deepEqual(raw.map((r) => JSON.parse(r) as NostrEvent), [w.multi, w.note]);
    assert.equal(typeof raw[0], 'string');
  });

  withWorld('counts distinct matches across filters, ignoring limits', async (s) => {
    assert.equal(await s.count([{}]), 7);
    assert.equal(await s.count([{ kinds: [1] }, { '#p': [PK_A] }, { limit: 1, authors: [PK_B] }]), 5);
    assert.equal(await s.count([{ kinds: [7] }]), 0);
  });

  withWorld('count and the negentropy list stop after max + 1 matches (budgets)', async (s) => {
    assert.equal(await s.count([{}], { max: 3 }), 4, 'more than max');
    assert.equal(await s.count([{}], { max: 100 }), 7, 'exact below max');
    assert.equal(await s.count([{ kinds: [1] }, { '#p': [PK_A] }, { authors: [PK_B] }], { max: 2 }), 3);
    assert.equal((await s.idsForNegentropy([{}], { max: 2 })).length, 3);
    assert.equal((await s.idsForNegentropy([{}], { max: 100 })).length, 7);
  });

  withWorld('lists (created_at, id) for negentropy oldest first', async (s, w) => {
    const got = await s.idsForNegentropy([{ '#a': [REPO] }, { kinds: [1] }]);
    const expected = [w.note!, w.issue!, w.patch!, w.multi!].map((e) => ({ created_at: e.created_at, id: e.id }));
    assert.deepEqual(got, expected);
  });
}
