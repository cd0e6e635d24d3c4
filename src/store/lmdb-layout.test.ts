// The on-disk layout of the LMDB store (lmdb-dbs.ts, lmdb-event-codec.ts, lmdb-indexes.ts): stored events
// come back byte for byte, the layout is versioned, and a directory of another layout is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { LmdbStore } from './lmdb-store.js';
import { LAYOUT_VERSION } from './lmdb-dbs.js';
import { decodeEvent, decodeId, decodeRaw, encodeEvent } from './lmdb-event-codec.js';
import { keySerial, keyTime, MAX_TIME, rangeEnd, rangeStart, TAG_SUFFIX_BYTES, tagPrefix, withTail } from './lmdb-indexes.js';
import { serializeEvent } from './save-rules.js';
import { buildEvent } from './test-events.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'graspd-layout-'));
}

test('encodes events so the raw JSON and the id come back exactly', () => {
  const plain = buildEvent({ tags: [['p', 'x'.repeat(30), 'wss://é'], ['t', 'ü']], content: 'héllo "q" \n\u2028' });
  const oddSig = { ...buildEvent({ content: 'x' }), sig: 'not-hex' };
  for (const e of [plain, oddSig]) {
    const stored = encodeEvent(e);
    assert.equal(decodeRaw(stored), serializeEvent(e));
    assert.equal(decodeId(stored), e.id);
    assert.deepEqual(decodeEvent(stored), e);
  }
    // hex → bytes saves 128; the fixed `{"id":"","pubkey":"",` and `,"sig":""}` (31) make way for a format byte
  assert.equal(encodeEvent(plain).length, Buffer.byteLength(serializeEvent(plain)) - 128 - 31 + 1);
});

test('orders index keys newest first, then by serial, within since/until bounds', () => {
  const p = tagPrefix('a', `30617:${'f'.repeat(64)}:repo`);
  assert.equal(p.length, 22);
  const keys = [withTail(p, 10, 2), withTail(p, 10, 1), withTail(p, 11, 9), withTail(p, MAX_TIME, 3), withTail(p, 0, 4)];
  const sorted = [...keys].sort(Buffer.compare);
  assert.deepEqual(sorted.map((k) => [keyTime(k), keySerial(k)]), [[MAX_TIME, 3], [11, 9], [10, 1], [10, 2], [0, 4]]);
  const inRange = sorted.filter((k) => Buffer.compare(k, rangeStart(p, 11)) >= 0 && Buffer.compare(k, rangeEnd(p, 10)) < 0);
  assert.deepEqual(inRange.map((k) => keyTime(k)), [11, 10, 10]);
  const suffixed = withTail(p, 12, 7, Buffer.alloc(TAG_SUFFIX_BYTES, 0xff));
  assert.deepEqual([keyTime(suffixed, TAG_SUFFIX_BYTES), keySerial(suffixed, TAG_SUFFIX_BYTES)], [12, 7]);
  assert.ok(Buffer.compare(suffixed, rangeEnd(p, 12)) < 0 && Buffer.compare(suffixed, rangeStart(p, 12)) > 0);
  assert.notDeepEqual(tagPrefix('a', 'x'), tagPrefix('b', 'x'));
  assert.notDeepEqual(tagPrefix('a', 'ab'), tagPrefix('a', 'a'));
});

test('writes its layout version and opens its own data again', async () => {
  const dir = tempDir();
  try {
    const e = buildEvent();
    let store = await LmdbStore.open(dir);
    await store.save(e);
    await store.close();
    const env = open({ path: dir, maxDbs: 16 });
    assert.equal(env.openDB({ name: 'meta' }).get('version'), LAYOUT_VERSION);
    await env.close();
    store = await LmdbStore.open(dir);
    assert.deepEqual(await store.query([{ ids: [e.id] }]), [e]);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refuses a directory written by another layout, with a clear error', async () => {
  const old = tempDir();
  const other = tempDir();
  try {
    let env = open({ path: old, maxDbs: 16 });
    await env.openDB({ name: 'events', encoding: 'string' }).put('a'.repeat(64), '{}');
    await env.close();
    await assert.rejects(LmdbStore.open(old), /layout 1 is not supported/);
    env = open({ path: other, maxDbs: 16 });
    await env.openDB({ name: 'meta' }).put('version', 2);
    await env.close();
    await assert.rejects(LmdbStore.open(other), /layout 2 is not supported/);
  } finally {
    rmSync(old, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});

test('keeps serials increasing across a reopen after the newest event was deleted', async () => {
  const dir = tempDir();
  try {
    const a = buildEvent({ created_at: 10 });
    const b = buildEvent({ created_at: 10 });
    let store = await LmdbStore.open(dir);
    await store.save(a);
    await store.save(b);
    assert.equal(await store.delete([b.id]), 1);
    await store.close();
    store = await LmdbStore.open(dir);
    const c = buildEvent({ created_at: 10 });
    assert.equal(await store.save(c), 'saved');
    assert.equal(await store.save(b), 'saved');
    const expected = [a, b, c].sort((x, y) => (x.id < y.id ? -1 : 1));
    assert.deepEqual(await store.query([{ kinds: [1] }]), expected);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
