// NIP-01 relay behaviour over real WebSockets against a real graspd (LMDB store in a temp dir).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';
import { announcement, comment, issue, newKey, sign, type Key } from '../helpers/events.js';
import type { NostrEvent } from '../../src/nostr/types.js';

let srv: TestServer;
let c: TestClient;
const owner: Key = newKey();
let ann: NostrEvent;

before(async () => {
  srv = await startTestServer(['--max-limit', '50', '--max-subscriptions', '5', '--max-filters', '4', '--max-event-tags', '30', '--max-message-bytes', '20000']);
  c = await TestClient.connect(srv.relayUrl);
  ann = announcement(owner, 'relay-tests', [srv.config.domain]);
  assert.equal((await c.publish(ann)).ok, true);
  assert.equal(await srv.ingest.release(ann.id), true);
});
after(async () => {
  c.close();
  await srv.stop();
});

describe('EVENT', () => {
  test('accepts an issue on an accepted repo and serves it', async () => {
    const e = issue(owner, owner, 'relay-tests', 'first');
    assert.deepEqual(await c.publish(e), { ok: true, message: '' });
    const got = await c.query([{ ids: [e.id] }]);
    assert.deepEqual(got, [e]);
  });

  test('a second publish of the same event is a duplicate', async () => {
    const e = issue(owner, owner, 'relay-tests', 'dup');
    await c.publish(e);
    const r = await c.publish(e);
    assert.equal(r.ok, true);
    assert.match(r.message, /^duplicate:/);
  });

  test('orphan events are blocked', async () => {
    const r = await c.publish(sign(newKey(), 1, [], 'hello'));
    assert.equal(r.ok, false);
    assert.match(r.message, /^blocked:/);
  });

  test('a wrong signature is invalid and does not block the genuine event', async () => {
    const good = issue(owner, owner, 'relay-tests', 'sig');
    const bad = { ...good, sig: good.sig.slice(0, -2) + (good.sig.endsWith('00') ? '11' : '00') };
    const r = await c.publish(bad);
    assert.equal(r.ok, false);
    assert.match(r.message, /^invalid:/);
    assert.deepEqual(await c.publish(good), { ok: true, message: '' });
  });

  test('a wrong id is invalid', async () => {
    const good = issue(owner, owner, 'relay-tests', 'id');
    const r = await c.publish({ ...good, content: good.content + 'x' });
    assert.equal(r.ok, false);
    assert.match(r.message, /^invalid:/);
  });

  test('too many tags, future created_at and expired events are refused', async () => {
    const tags = Array.from({ length: 40 }, (_, i) => ['t', String(i)]);
    const many = sign(owner, 1621, [['a', `30617:${owner.pk}:relay-tests`], ...tags]);
    assert.match((await c.publish(many)).message, /^(blocked|invalid):/);
    const future = sign(owner, 1621, [['a', `30617:${owner.pk}:relay-tests`]], '', Math.floor(Date.now() / 1000) + 3600);
    assert.match((await c.publish(future)).message, /^invalid:/);
    const expired = sign(owner, 1621, [['a', `30617:${owner.pk}:relay-tests`], ['expiration', String(Math.floor(Date.now() / 1000) - 10)]]);
    assert.match((await c.publish(expired)).message, /^invalid:/);
  });

  test('ephemeral events are broadcast but not stored', async () => {
    const listener = await TestClient.connect(srv.relayUrl);
    listener.send(['REQ', 'eph', { kinds: [20001] }]);
    await listener.waitFor((f) => f[0] === 'EOSE');
    const e = sign(owner, 20001, [['a', `30617:${owner.pk}:relay-tests`]], 'ping');
    await c.publish(e);
    await listener.waitFor((f) => f[0] === 'EVENT' && (f[2] as NostrEvent).id === e.id);
    assert.deepEqual(await c.query([{ ids: [e.id] }]), []);
    listener.close();
  });
});

describe('REQ', () => {
  test('filters by kind, author, tag, since/until; newest first; several filters OR-ed', async () => {
    const k = newKey();
    const base = Math.floor(Date.now() / 1000) - 500;
    const evs = [0, 1, 2, 3].map((i) => sign(k, 1621, [['a', `30617:${owner.pk}:relay-tests`], ['t', `tag${i}`]], `n${i}`, base + i));
    for (const e of evs) assert.equal((await c.publish(e)).ok, true);
    const byAuthor = await c.query([{ authors: [k.pk] }]);
    assert.deepEqual(byAuthor.map((e) => e.content), ['n3', 'n2', 'n1', 'n0']);
    const byTag = await c.query([{ '#t': ['tag1', 'tag2'], authors: [k.pk] }]);
    assert.deepEqual(byTag.map((e) => e.content), ['n2', 'n1']);
    const range = await c.query([{ authors: [k.pk], since: base + 1, until: base + 2 }]);
    assert.deepEqual(range.map((e) => e.content), ['n2', 'n1']);
    const limited = await c.query([{ authors: [k.pk], limit: 1 }]);
    assert.deepEqual(limited.map((e) => e.content), ['n3']);
    const two = await c.query([{ ids: [evs[0]!.id] }, { '#t': ['tag3'], authors: [k.pk] }]);
    assert.deepEqual(two.map((e) => e.content), ['n3', 'n0']);
  });

  test('limit is clamped to --max-limit', async () => {
    const k = newKey();
    for (let i = 0; i < 60; i++) await c.publish(sign(k, 1621, [['a', `30617:${owner.pk}:relay-tests`]], `m${i}`));
    assert.equal((await c.query([{ authors: [k.pk], limit: 1000 }])).length, 50);
    assert.equal((await c.query([{ authors: [k.pk] }])).length, 50);
  });

  test('live events are delivered after EOSE and stop after CLOSE', async () => {
    const listener = await TestClient.connect(srv.relayUrl);
    const root = issue(owner, owner, 'relay-tests', 'live');
    listener.send(['REQ', 'live', { kinds: [1111] }]);
    await listener.waitFor((f) => f[0] === 'EOSE' && f[1] === 'live');
    await c.publish(root);
    const reply = comment(owner, root);
    await c.publish(reply);
    await listener.waitFor((f) => f[0] === 'EVENT' && f[1] === 'live' && (f[2] as NostrEvent).id === reply.id);
    listener.send(['CLOSE', 'live']);
    const before = listener.frames.length;
    await c.publish(comment(owner, root, 'after close'));
    await c.query([{ ids: [root.id] }]); // round trip so a wrongly delivered event would have arrived
    assert.equal(listener.frames.slice(before).filter((f) => f[0] === 'EVENT').length, 0);
    listener.close();
  });

  test('COUNT counts matching events (NIP-45)', async () => {
    const k = newKey();
    for (let i = 0; i < 3; i++) await c.publish(sign(k, 1621, [['a', `30617:${owner.pk}:relay-tests`]], `c${i}`));
    c.send(['COUNT', 'cnt', { authors: [k.pk] }]);
    const f = await c.waitFor((f) => f[0] === 'COUNT' && f[1] === 'cnt');
    assert.deepEqual(f[2], { count: 3 });
  });

  test('too many subscriptions and filters are refused with CLOSED', async () => {
    const cl = await TestClient.connect(srv.relayUrl);
    for (let i = 0; i < 5; i++) cl.send(['REQ', `s${i}`, { kinds: [1], limit: 0 }]);
    cl.send(['REQ', 's5', { kinds: [1] }]);
    const closed = await cl.waitFor((f) => f[0] === 'CLOSED' && f[1] === 's5');
    assert.match(String(closed[2]), /^blocked:/);
    cl.send(['REQ', 'many', {}, {}, {}, {}, {}]);
    const closed2 = await cl.waitFor((f) => f[0] === 'CLOSED' && f[1] === 'many');
    assert.match(String(closed2[2]), /^invalid:/);
    cl.close();
  });
});

describe('bad input', () => {
  test('malformed JSON, unknown types and bad filters get NOTICE/CLOSED and the connection stays usable', async () => {
    const cl = await TestClient.connect(srv.relayUrl);
    cl.sendRaw('{not json');
    assert.match(String((await cl.waitFor((f) => f[0] === 'NOTICE'))[1]), /^invalid:/);
    cl.send(['HELLO']);
    await cl.waitFor((f) => f[0] === 'NOTICE' && String(f[1]).includes('unknown'));
    cl.send(['REQ', 'bad', { kinds: 'x' }]);
    assert.match(String((await cl.waitFor((f) => f[0] === 'CLOSED' && f[1] === 'bad'))[2]), /^invalid:/);
    cl.send(['EVENT', { id: 'nope' }]);
    await cl.waitFor((f) => f[0] === 'OK' && f[2] === false);
    assert.deepEqual(await cl.query([{ ids: [ann.id] }]), [ann]);
    cl.close();
  });

  test('an oversized message is refused and the connection stays usable', async () => {
    const cl = await TestClient.connect(srv.relayUrl);
    const big = sign(owner, 1621, [['a', `30617:${owner.pk}:relay-tests`]], 'x'.repeat(30000));
    cl.send(['EVENT', big]);
    const f = await cl.waitFor((f) => (f[0] === 'OK' && f[1] === big.id) || f[0] === 'NOTICE');
    assert.match(String(f[0] === 'OK' ? f[3] : f[1]), /^invalid:.*too large/);
    assert.deepEqual(await cl.query([{ ids: [ann.id] }]), [ann]);
    cl.close();
  });
});

describe('replaceable events and deletion', () => {
  test('only the newest announcement is served', async () => {
    const newer = sign(owner, 30617, ann.tags.map((t) => (t[0] === 'description' ? ['description', 'v2'] : t)), '', ann.created_at + 5);
    assert.equal((await c.publish(newer)).ok, true);
    const got = await c.query([{ kinds: [30617], authors: [owner.pk] }]);
    assert.deepEqual(got.map((e) => e.id), [newer.id]);
    const older = sign(owner, 30617, ann.tags, '', ann.created_at - 5);
    await c.publish(older);
    assert.deepEqual((await c.query([{ kinds: [30617], authors: [owner.pk] }])).map((e) => e.id), [newer.id]);
  });

  test('a NIP-09 deletion removes the event and a later republish is refused', async () => {
    const e = issue(owner, owner, 'relay-tests', 'to delete');
    await c.publish(e);
    const del = sign(owner, 5, [['e', e.id]], 'oops');
    assert.equal((await c.publish(del)).ok, true);
    assert.deepEqual(await c.query([{ ids: [e.id] }]), []);
    const again = await c.publish(e);
    assert.equal(again.ok, false);
    assert.match(again.message, /^blocked:/);
  });
});
