import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NostrEvent } from '../nostr/types.js';
import { LmdbPurgatory } from './purgatory.js';
import type { PurgatoryEntry } from './types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graspd-purgatory-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function entry(kind: number, addedAt: number, reason = 'awaiting git data'): PurgatoryEntry {
  const event: NostrEvent = { id: (++n).toString(16).padStart(64, '0'), pubkey: 'a'.repeat(64), created_at: 1, kind, tags: [['d', 'r']], content: 'x', sig: 'f'.repeat(128) };
  return { event, addedAt, reason, source: 'client' };
}

function clock(start: number) {
  const c = { now: start, fn: () => c.now };
  return c;
}

describe('LmdbPurgatory', () => {
  it('returns added entries and lists them by kind', async () => {
    const c = clock(1000);
    const p = await LmdbPurgatory.open(path.join(dir, 'a'), { expiryMs: 500, now: c.fn });
    const ann = entry(30617, 1000);
    const state = entry(30618, 1001);
    await p.add(ann);
    await p.add(state);
    assert.deepEqual(p.get(ann.event.id), ann);
    assert.equal(p.has(state.event.id), true);
    assert.equal(p.size, 2);
    assert.deepEqual(p.list(1002).map((e) => e.event.id), [ann.event.id, state.event.id]);
    assert.deepEqual(p.list(1002, { kinds: [30618] }), [state]);
    await p.close();
  });

  it('survives a reopen, removals included', async () => {
    const file = path.join(dir, 'b');
    const p = await LmdbPurgatory.open(file, { expiryMs: 10_000, now: () => 0 });
    const kept = entry(30618, 0, 'commits missing');
    const gone = entry(1618, 0);
    await p.add(kept);
    await p.add(gone);
    assert.deepEqual(await p.remove(gone.event.id), gone);
    assert.equal(await p.remove(gone.event.id), undefined);
    await p.close();

    const q = await LmdbPurgatory.open(file, { expiryMs: 10_000, now: () => 0 });
    assert.deepEqual(q.get(kept.event.id), kept);
    assert.equal(q.has(gone.event.id), false);
    assert.equal(q.size, 1);
    await q.close();
  });

  it('replaces an entry with the same id', async () => {
    const p = await LmdbPurgatory.open(path.join(dir, 'c'), { expiryMs: 10_000, now: () => 5 });
    const first = entry(30618, 1);
    await p.add(first);
    const again = { ...first, addedAt: 5, reason: 'again' };
    await p.add(again);
    assert.equal(p.size, 1);
    assert.deepEqual(p.get(first.event.id), again);
    await p.close();
  });

  it('hides expired entries before any sweep, then expire deletes and returns them durably', async () => {
    const file = path.join(dir, 'd');
    const c = clock(0);
    const p = await LmdbPurgatory.open(file, { expiryMs: 100, now: c.fn });
    const old = entry(30617, 0);
    const young = entry(30618, 50);
    await p.add(old);
    await p.add(young);

    c.now = 100;
    assert.equal(p.get(old.event.id), undefined);
    assert.equal(p.has(old.event.id), false);
    assert.deepEqual(p.list(100), [young]);
    assert.equal(p.size, 2);

    assert.deepEqual(await p.expire(100), [old]);
    assert.deepEqual(await p.expire(100), []);
    assert.equal(p.size, 1);
    await p.close();

    const q = await LmdbPurgatory.open(file, { expiryMs: 100, now: () => 0 });
    assert.equal(q.get(old.event.id), undefined);
    assert.deepEqual(q.get(young.event.id), young);
    await q.close();
  });

  it('does not hand back an expired entry from remove', async () => {
    const c = clock(0);
    const p = await LmdbPurgatory.open(path.join(dir, 'e'), { expiryMs: 10, now: c.fn });
    const e = entry(1618, 0);
    await p.add(e);
    c.now = 10;
    assert.equal(await p.remove(e.event.id), undefined);
    assert.equal(p.size, 0);
    await p.close();
  });

  it('answers indexed lookups (id, address, identifier, references) from the index, also after a reopen', async () => {
    const file = path.join(dir, 'lookup');
    const owner = 'b'.repeat(64);
    const mk = (id: string, kind: number, tags: string[][], addedAt = 0): PurgatoryEntry => ({
      event: { id: id.padStart(64, '0'), pubkey: owner, created_at: 1, kind, tags, content: '', sig: 'f'.repeat(128) }, addedAt, reason: 'r', source: 'client',
    });
    const ann = mk('a1', 30617, [['d', 'repo']]);
    const st = mk('a2', 30618, [['d', 'repo']]);
    const iss = mk('a3', 1621, [['a', `30617:${owner}:repo`]]);
    const reply = mk('a4', 1111, [['E', iss.event.id]]);
    const other = mk('a5', 30617, [['d', 'other']], 0);
    let p = await LmdbPurgatory.open(file, { expiryMs: 1000, now: () => 10 });
    for (const e of [ann, st, iss, reply, other]) await p.add(e);
    for (let round = 0; round < 2; round++) {
      const ids = (q: Parameters<typeof p.lookup>[0]): string[] => p.lookup(q, 10).map((e) => e.event.id).sort();
      assert.deepEqual(ids({ ids: [iss.event.id, 'f'.repeat(64)] }), [iss.event.id]);
      assert.deepEqual(ids({ addresses: [`30617:${owner}:repo`] }), [ann.event.id]);
      assert.deepEqual(ids({ identifier: { d: 'repo', kinds: [30617, 30618] } }), [ann.event.id, st.event.id].sort());
      assert.deepEqual(ids({ referencing: [`30617:${owner}:repo`, iss.event.id] }), [iss.event.id, reply.event.id].sort());
      assert.deepEqual(p.lookup({ ids: [ann.event.id] }, 5000), [], 'expired entries are not found');
      assert.deepEqual(p.summary(10).map((m) => m.kind).sort(), [1111, 1621, 30617, 30617, 30618]);
      await p.close();
      p = await LmdbPurgatory.open(file, { expiryMs: 1000, now: () => 10 });
    }
    await p.remove(iss.event.id);
    assert.deepEqual(p.lookup({ referencing: [`30617:${owner}:repo`] }, 10), []);
    await p.close();
  });
});
